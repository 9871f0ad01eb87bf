"""Saved tracks and albums, followed artists and users, at Spotify's paths."""

from __future__ import annotations

from tests.playlists.conftest import Api
from tonearm.catalog import catalog, catalog_feed
from tonearm.kit.db import unit_of_work


def _album_and_artist(api: Api) -> tuple[str, str]:
    with unit_of_work(api.client.app.state.session_factory) as session:  # type: ignore[attr-defined]
        track = catalog.get_tracks(session, [api.tracks[0]], base="")[0]
    assert track is not None
    return track.album.id, track.artists[0].id


def test_saved_tracks_newest_first_with_added_at_and_contains(api: Api) -> None:
    first, second = api.tracks[0], api.tracks[1]
    assert api.call("ann", "PUT", f"/v1/me/tracks?ids={first}").status_code == 200
    assert api.call("ann", "PUT", "/v1/me/tracks", json={"ids": [second]}).status_code == 200
    page = api.call("ann", "GET", "/v1/me/tracks").json()
    assert [item["track"]["id"] for item in page["items"]] == [second, first]
    assert page["items"][0]["added_at"].endswith("Z") and page["next"] is None
    assert api.call("ann", "GET", f"/v1/me/tracks/contains?ids={first},{api.tracks[2]}").json() == [
        True,
        False,
    ]
    assert api.call("ann", "DELETE", f"/v1/me/tracks?ids={first}").status_code == 200
    assert api.call("ann", "GET", f"/v1/me/tracks/contains?ids={first}").json() == [False]
    # Another user's library is their own.
    assert api.call("bob", "GET", "/v1/me/tracks").json()["total"] == 0


def test_a_taken_down_saved_track_is_shown_unplayable_not_as_an_error(api: Api) -> None:
    api.call("ann", "PUT", f"/v1/me/tracks?ids={api.tracks[3]}")
    with unit_of_work(api.client.app.state.session_factory) as session:  # type: ignore[attr-defined]
        catalog_feed.take_down(session, api.tracks[3])
    answer = api.call("ann", "GET", "/v1/me/tracks")
    assert answer.status_code == 200
    assert answer.json()["items"][0]["track"]["is_playable"] is False


def test_saved_albums(api: Api) -> None:
    album, _ = _album_and_artist(api)
    assert api.call("ann", "PUT", f"/v1/me/albums?ids={album}").status_code == 200
    page = api.call("ann", "GET", "/v1/me/albums").json()
    assert [item["album"]["id"] for item in page["items"]] == [album]
    assert api.call("ann", "GET", f"/v1/me/albums/contains?ids={album}").json() == [True]


def test_following_artists_with_cursor_paging_and_users(api: Api) -> None:
    _, artist = _album_and_artist(api)
    assert api.call("ann", "PUT", f"/v1/me/following?type=artist&ids={artist}").status_code == 204
    followed = api.call("ann", "GET", "/v1/me/following?type=artist&limit=1").json()["artists"]
    assert [a["id"] for a in followed["items"]] == [artist] and followed["total"] == 1
    assert followed["cursors"]["after"] == artist
    assert (
        api.call("ann", "GET", followed["next"].replace("http://testserver", "")).json()["artists"]["items"]
        == []
    )
    bob = api.user_id("bob")
    assert api.call("ann", "PUT", f"/v1/me/following?type=user&ids={bob}").status_code == 204
    assert api.call("ann", "GET", f"/v1/me/following/contains?type=user&ids={bob}").json() == [True]
    users = api.call("ann", "GET", "/v1/me/following?type=user").json()["users"]["items"]
    assert [u["id"] for u in users] == [bob]


def test_the_unified_library_takes_uris_of_every_kind(api: Api) -> None:
    album, artist = _album_and_artist(api)
    playlist = api.call("bob", "POST", "/v1/me/playlists", json={"name": "Bob's"}).json()["id"]
    uris = [
        f"spotify:track:{api.tracks[5]}",
        f"spotify:album:{album}",
        f"spotify:artist:{artist}",
        f"spotify:playlist:{playlist}",
        f"spotify:user:{api.user_id('bob')}",
    ]
    assert api.call("ann", "PUT", f"/v1/me/library?uris={','.join(uris)}").status_code == 200
    assert api.call("ann", "GET", f"/v1/me/library/contains?uris={','.join(uris)}").json() == [True] * 5
    assert api.call("ann", "DELETE", f"/v1/me/library?uris={uris[0]},{uris[3]}").status_code == 200
    assert api.call("ann", "GET", f"/v1/me/library/contains?uris={','.join(uris)}").json() == [
        False,
        True,
        True,
        False,
        True,
    ]


def test_bad_input_is_refused_and_changes_nothing(api: Api) -> None:
    unknown = "0" * 22
    for method, path in (
        ("PUT", f"/v1/me/tracks?ids={unknown}"),
        ("PUT", "/v1/me/tracks?ids=short"),
        ("PUT", "/v1/me/tracks?ids=" + ",".join([api.tracks[0]] * 51)),
        ("PUT", "/v1/me/tracks"),
        ("PUT", f"/v1/me/following?type=artist&ids={unknown}"),
        ("PUT", f"/v1/me/following?type=user&ids={api.user_id('ann')}"),
        ("PUT", f"/v1/me/library?uris=spotify:show:{unknown}"),
        ("PUT", "/v1/me/library?uris=nonsense"),
    ):
        answer = api.call("ann", method, path)
        assert 400 <= answer.status_code < 500, (path, answer.text)
        assert answer.json()["error"]["message"]
    assert api.call("ann", "GET", "/v1/me/tracks").json()["total"] == 0


def test_modifying_needs_the_modify_scope(api: Api) -> None:
    token = api.token("reader", scope="user-library-read user-follow-read")
    headers = {"Authorization": f"Bearer {token}"}
    answer = api.client.put(f"/v1/me/tracks?ids={api.tracks[0]}", headers=headers)
    assert answer.status_code == 403 and "user-library-modify" in answer.json()["error"]["message"]
    assert api.client.get("/v1/me/tracks", headers=headers).status_code == 200
