"""The real spotipy client against a real Tonearm server: its OAuth classes get, refresh and
lose their tokens with us, its catalog calls read Spotify's objects, its paging walks our
links, and our errors become its SpotifyException with the status Spotify would send."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
import spotipy
from spotipy.exceptions import SpotifyException, SpotifyOauthError

from tests.compat.conftest import (
    ALBUM_TRACKS,
    LISTENER,
    REDIRECT,
    App,
    Catalog,
    authorize,
    client_credentials,
    code_flow,
    consent,
    make_app,
    pkce,
    spotify,
)
from tests.e2e.conftest import Live
from tonearm.accounts.service import account
from tonearm.config import Settings
from tonearm.kit.db import unit_of_work

TONEARM = str(Path(sys.executable).parent / "tonearm")
UNKNOWN = "0000000000000000000000"  # well formed, so spotipy sends it; no such object


def refused(call: Callable[[], object]) -> SpotifyException:
    """The SpotifyException a spotipy call raised."""
    with pytest.raises(SpotifyException) as raised:
        call()
    return raised.value


def expire(manager: spotipy.SpotifyPKCE | spotipy.SpotifyOAuth) -> dict[str, object]:
    """As if an hour had passed: spotipy refreshes a token within a minute of its expiry.
    Returns the token as it was."""
    token: dict[str, object] = manager.cache_handler.get_cached_token()
    manager.cache_handler.save_token_to_cache({**token, "expires_at": int(time.time()) - 1})
    return token


# ---- the OAuth flows, through spotipy's own managers ----
def test_a_public_app_gets_a_token_by_pkce_and_reads_the_current_user(
    reader: spotipy.Spotify, listener: str
) -> None:
    me = reader.current_user()
    assert me["id"] == listener and me["type"] == "user" and me["uri"] == f"tonearm:user:{listener}"
    assert me["email"] == "ada@example.org" and me["country"] == "SE" and me["product"] == "premium"
    assert me["display_name"] and me["href"].endswith(f"/v1/users/{listener}")


def test_a_third_party_app_registered_by_the_cli_completes_the_pkce_flow(
    live: Live, server_settings: Settings, browser: httpx.Client, listener: str
) -> None:
    env = {
        **os.environ,
        "TONEARM_DATA_DIR": str(server_settings.data_dir),
        "TONEARM_SIGNING_KEYS": server_settings.signing_keys,
    }
    created = subprocess.run(
        [TONEARM, "apps", "create", "Mixtape Maker", "--public", "--redirect-uri", REDIRECT, "--json"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    registered = json.loads(created.stdout)
    assert registered["client_secret"] is None and registered["redirect_uris"] == [REDIRECT]
    manager = pkce(live, registered["client_id"], "user-read-private")
    authorize(browser, manager)
    assert spotify(live, auth_manager=manager).current_user()["id"] == listener


def test_an_expired_token_is_refreshed_by_the_pkce_manager_and_the_old_one_stops_working(
    live: Live, browser: httpx.Client, public_app: App, listener: str
) -> None:
    manager = pkce(live, public_app.client_id, "user-read-private")
    authorize(browser, manager)
    first = expire(manager)
    assert spotify(live, auth_manager=manager).current_user()["id"] == listener
    renewed = manager.cache_handler.get_cached_token()
    assert renewed["access_token"] != first["access_token"] and renewed["expires_in"] == 3600
    assert renewed["refresh_token"] != first["refresh_token"]
    stale = spotify(live, token=str(first["access_token"]))
    assert refused(stale.current_user).http_status == 401


def test_a_confidential_app_completes_the_code_flow_with_its_secret_and_refreshes(
    live: Live, browser: httpx.Client, listener: str
) -> None:
    manager = code_flow(live, make_app(live, confidential=True), "user-read-private")
    authorize(browser, manager)
    client = spotify(live, auth_manager=manager)
    assert client.current_user()["id"] == listener
    first = expire(manager)
    assert client.current_user()["id"] == listener
    assert manager.cache_handler.get_cached_token()["access_token"] != first["access_token"]


def test_an_app_with_a_secret_may_use_pkce_without_it_as_on_spotify(
    live: Live, browser: httpx.Client, listener: str
) -> None:
    app = make_app(live, confidential=True)
    manager = pkce(live, app.client_id, "user-read-private")
    authorize(browser, manager)
    client = spotify(live, auth_manager=manager)
    assert client.current_user()["id"] == listener
    # Its tokens refresh without the secret too, twice over (the rotated pair keeps its lineage).
    for _ in range(2):
        first = expire(manager)
        assert client.current_user()["id"] == listener
        assert manager.cache_handler.get_cached_token()["access_token"] != first["access_token"]


def test_a_refresh_token_used_twice_turns_into_spotify_oauth_error(
    live: Live, browser: httpx.Client, public_app: App, listener: str
) -> None:
    manager = pkce(live, public_app.client_id, "user-read-private")
    authorize(browser, manager)
    old = manager.cache_handler.get_cached_token()["refresh_token"]
    manager.refresh_access_token(old)
    with pytest.raises(SpotifyOauthError) as raised:
        manager.refresh_access_token(old)
    assert raised.value.error == "invalid_grant"


def test_denied_consent_turns_into_spotify_oauth_error(
    live: Live, browser: httpx.Client, public_app: App, listener: str
) -> None:
    manager = pkce(live, public_app.client_id, "user-read-private")
    redirected = consent(browser, manager.get_authorize_url(), decision="deny")
    with pytest.raises(SpotifyOauthError) as raised:
        manager.parse_auth_response_url(redirected)
    assert raised.value.error == "access_denied"


def test_client_credentials_read_the_catalog_but_not_the_current_user(live: Live, published: Catalog) -> None:
    client = spotify(live, auth_manager=client_credentials(live, make_app(live, confidential=True)))
    assert client.track(published.single_track)["name"] == "Paper Moth"
    assert client.album(published.album)["total_tracks"] == ALBUM_TRACKS
    # As Spotify's "Insufficient client scope": an app's own token holds no user's scopes.
    assert refused(client.current_user).http_status == 403


def test_a_wrong_client_secret_turns_into_spotify_oauth_error(live: Live) -> None:
    app = make_app(live, confidential=True)
    manager = client_credentials(live, App(app.client_id, "not-the-secret"))
    with pytest.raises(SpotifyOauthError) as raised:
        spotify(live, auth_manager=manager).track(UNKNOWN)
    assert raised.value.error == "invalid_client"


# ---- the catalog ----
def test_a_track_is_spotifys_full_track_object(reader: spotipy.Spotify, published: Catalog) -> None:
    track = reader.track(published.album_tracks[2])
    assert track["id"] == published.album_tracks[2] and track["type"] == "track"
    assert track["name"] == "Orbit 03" and track["track_number"] == 3 and track["disc_number"] == 1
    assert track["album"]["id"] == published.album and track["album"]["total_tracks"] == ALBUM_TRACKS
    assert [artist["name"] for artist in track["artists"]] == ["Marigold Static"]
    assert track["external_ids"] == {"isrc": "SEXYZ2400003"}
    # The listener's country is the market: playability instead of a list of markets.
    assert track["is_playable"] is True


def test_several_tracks_come_in_order_with_null_for_an_unknown_id(
    reader: spotipy.Spotify, published: Catalog
) -> None:
    wanted = [published.single_track, UNKNOWN, published.album_tracks[0]]
    tracks = reader.tracks(wanted)["tracks"]
    assert [track and track["id"] for track in tracks] == [published.single_track, None, wanted[2]]


def test_an_album_carries_its_first_page_of_tracks(reader: spotipy.Spotify, published: Catalog) -> None:
    album = reader.album(published.album)
    assert album["name"] == "Long Player" and album["album_type"] == "album"
    assert album["total_tracks"] == ALBUM_TRACKS and album["tracks"]["total"] == ALBUM_TRACKS
    assert [track["id"] for track in album["tracks"]["items"]] == list(published.album_tracks)
    assert reader.next(album["tracks"]) is None


def test_several_albums_are_full_albums_in_order(reader: spotipy.Spotify, published: Catalog) -> None:
    albums = reader.albums([published.single, UNKNOWN, published.album])["albums"]
    assert [album and album["id"] for album in albums] == [published.single, None, published.album]
    assert albums[2]["tracks"]["total"] == ALBUM_TRACKS and "label" in albums[2]


def test_album_tracks_are_paged_to_the_end_with_next_and_back_with_previous(
    reader: spotipy.Spotify, published: Catalog
) -> None:
    pages = [reader.album_tracks(published.album, limit=10)]
    while (page := reader.next(pages[-1])) is not None:
        pages.append(page)
    assert [(page["offset"], len(page["items"])) for page in pages] == [(0, 10), (10, 10), (20, 3)]
    assert [track["id"] for page in pages for track in page["items"]] == list(published.album_tracks)
    assert [track["track_number"] for track in pages[-1]["items"]] == [21, 22, 23]
    assert pages[0]["previous"] is None and pages[-1]["next"] is None
    back = reader.previous(pages[-1])
    assert back["offset"] == 10 and back["items"] == pages[1]["items"]


def test_an_artist_and_several_artists(reader: spotipy.Spotify, published: Catalog) -> None:
    artist = reader.artist(published.album_artist)
    assert artist["name"] == "Marigold Static" and artist["type"] == "artist"
    assert {"followers", "genres", "images", "popularity"} <= artist.keys()
    several = reader.artists([published.single_artist, UNKNOWN, published.album_artist])["artists"]
    assert [artist and artist["name"] for artist in several] == ["Low Tide Radio", None, "Marigold Static"]


def test_an_artists_albums_by_group_each_saying_its_album_group(
    reader: spotipy.Spotify, published: Catalog
) -> None:
    albums = reader.artist_albums(published.album_artist, include_groups="album")["items"]
    assert [(album["id"], album["album_group"]) for album in albums] == [(published.album, "album")]
    singles = reader.artist_albums(published.single_artist, include_groups="single")["items"]
    assert [(album["name"], album["album_group"]) for album in singles] == [("Paper Moth", "single")]
    assert reader.artist_albums(published.single_artist, include_groups="album")["items"] == []
    assert reader.artist_albums(published.album_artist)["total"] == 1


def test_search_finds_a_track_and_pages_with_next(reader: spotipy.Spotify, published: Catalog) -> None:
    found = reader.search("paper moth", type="track")
    assert found["tracks"]["items"][0]["id"] == published.single_track
    first = reader.search("orbit", type="track", limit=10)["tracks"]
    assert first["total"] == ALBUM_TRACKS and len(first["items"]) == 10
    # As Spotify's: the next link answers with the whole search result, keyed by type.
    second = reader.next(first)["tracks"]
    assert second["offset"] == 10 and len(second["items"]) == 10
    assert not {track["id"] for track in first["items"]} & {track["id"] for track in second["items"]}


def test_new_releases_and_another_users_profile(reader: spotipy.Spotify, listener: str) -> None:
    with pytest.warns(DeprecationWarning, match="deprecated by Spotify"):
        releases = reader.new_releases(limit=1)["albums"]
    assert releases["total"] == 2 and len(releases["items"]) == 1
    assert len(reader.next(releases)["albums"]["items"]) == 1
    with pytest.warns(DeprecationWarning, match="deprecated by Spotify"):
        profile = reader.user(listener)
    assert profile["id"] == listener and "email" not in profile and "country" not in profile


# ---- errors, as SpotifyException with Spotify's status ----
@pytest.mark.parametrize("method", ["track", "album", "album_tracks", "artist", "artist_albums"])
def test_an_unknown_id_is_404(reader: spotipy.Spotify, method: str) -> None:
    error = refused(lambda: getattr(reader, method)(UNKNOWN))
    assert error.http_status == 404 and "not found" in error.msg


def test_a_short_id_is_400_from_the_server_and_a_malformed_one_never_leaves_spotipy(
    reader: spotipy.Spotify,
) -> None:
    short = refused(lambda: reader.track("abc123"))
    assert short.http_status == 400 and "22 base62 characters" in short.msg
    local = refused(lambda: reader.track("not an id"))
    assert local.http_status == 400 and local.msg == "Unsupported URL / URI."


def test_a_bad_or_revoked_token_is_401(live: Live, listener: str) -> None:
    assert refused(spotify(live, token="not-a-token").current_user).http_status == 401
    with unit_of_work(live.session_factory) as session:
        token = account.token_for_name(session, LISTENER, scope="user-read-private").access_token
    client = spotify(live, token=token)
    assert client.current_user()["id"] == listener
    with unit_of_work(live.session_factory) as session:
        account.revoke(session, token)
    error = refused(client.current_user)
    assert error.http_status == 401 and "revoked" in error.msg


def test_a_token_without_the_scope_is_403_naming_it(
    live: Live, browser: httpx.Client, public_app: App, listener: str
) -> None:
    manager = pkce(live, public_app.client_id, "user-read-email")
    authorize(browser, manager)
    error = refused(spotify(live, auth_manager=manager).current_user)
    assert error.http_status == 403 and "user-read-private" in error.msg
