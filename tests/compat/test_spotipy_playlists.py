"""spotipy, pointed at Tonearm, works with playlists unchanged: create, add, reorder, remove,
change details, follow, upload a cover, and page through 10,000 items with `sp.next`."""

from __future__ import annotations

import base64
import io
import urllib.request

import pytest
import spotipy
from PIL import Image

from tests.catalog_factory import make_track, publish
from tests.compat.conftest import LISTENER, Catalog, spotify
from tests.e2e.conftest import Live
from tonearm.accounts.scopes import SCOPES
from tonearm.accounts.service import account
from tonearm.kit.db import unit_of_work
from tonearm.playlists import MAX_ITEMS, playlists


@pytest.fixture(scope="module")
def sp(live: Live, listener: str) -> spotipy.Spotify:
    with unit_of_work(live.session_factory) as session:
        token = account.token_for_name(session, LISTENER, scope=" ".join(SCOPES)).access_token
    return spotify(live, token=token)


def _ids(sp: spotipy.Spotify, playlist_id: str) -> list[str]:
    page = sp.playlist_items(playlist_id, limit=100)
    return [item["track"]["id"] for item in page["items"]]


def test_spotipy_creates_adds_reorders_and_removes(
    sp: spotipy.Spotify, published: Catalog, listener: str
) -> None:
    tracks = list(published.album_tracks[:4])
    created = sp.current_user_playlist_create("Road trip", public=True, description="windows down")
    assert created["owner"]["id"] == listener and created["name"] == "Road trip"
    added = sp.playlist_add_items(created["id"], [f"spotify:track:{t}" for t in tracks[:3]])
    assert added["snapshot_id"] != created["snapshot_id"]
    sp.playlist_add_items(created["id"], [tracks[3]], position=0)
    assert _ids(sp, created["id"]) == [tracks[3], *tracks[:3]]
    now = sp.playlist(created["id"], fields="snapshot_id")["snapshot_id"]
    moved = sp.playlist_reorder_items(created["id"], range_start=0, insert_before=4, snapshot_id=now)
    assert _ids(sp, created["id"]) == tracks
    sp.playlist_remove_all_occurrences_of_items(created["id"], [tracks[1]], snapshot_id=moved["snapshot_id"])
    assert tracks[1] not in _ids(sp, created["id"])
    sp.playlist_change_details(created["id"], name="Road trip II", public=False)
    assert sp.playlist(created["id"], fields="name,public") == {"name": "Road trip II", "public": False}
    assert created["id"] in [p["id"] for p in sp.current_user_playlists()["items"]]


def test_spotipy_uploads_a_cover_and_reads_it_back(live: Live, sp: spotipy.Spotify) -> None:
    out = io.BytesIO()
    Image.new("RGB", (300, 300), (180, 40, 90)).save(out, format="JPEG")
    created = sp.current_user_playlist_create("With a cover", public=False)
    sp.playlist_upload_cover_image(created["id"], base64.b64encode(out.getvalue()).decode())
    [image] = sp.playlist_cover_image(created["id"])
    with urllib.request.urlopen(image["url"]) as answer:  # no token, as an <img> fetches it
        assert answer.read() == out.getvalue()


def test_spotipy_follows_a_playlist_and_asks_if_it_does(
    live: Live, sp: spotipy.Spotify, published: Catalog, listener: str
) -> None:
    with unit_of_work(live.session_factory) as session:
        other = account.create_user(session, "curator", password="long enough pw", country="SE").id
        theirs = playlists.create(session, other, name="Curated").id
    sp.current_user_follow_playlist(theirs)
    assert sp.current_user_saved_items([f"spotify:playlist:{theirs}"]) == [True]
    assert theirs in [p["id"] for p in sp.current_user_playlists()["items"]]
    sp.current_user_unfollow_playlist(theirs)
    assert sp.current_user_saved_items([f"spotify:playlist:{theirs}"]) == [False]


def test_spotipy_saves_tracks_and_follows_an_artist(sp: spotipy.Spotify, published: Catalog) -> None:
    sp.current_user_saved_tracks_add([published.single_track, published.album_tracks[0]])
    saved = sp.current_user_saved_tracks()
    assert {item["track"]["id"] for item in saved["items"]} == {
        published.single_track,
        published.album_tracks[0],
    }
    assert sp.current_user_saved_tracks_contains([published.single_track]) == [True]
    sp.current_user_saved_tracks_delete([published.single_track])
    assert sp.current_user_saved_tracks_contains([published.single_track]) == [False]
    sp.user_follow_artists([published.single_artist])
    assert sp.current_user_following_artists([published.single_artist]) == [True]
    followed = sp.current_user_followed_artists()["artists"]
    assert [artist["id"] for artist in followed["items"]] == [published.single_artist]
    sp.user_unfollow_artists([published.single_artist])
    assert sp.current_user_following_artists([published.single_artist]) == [False]


def test_spotipy_pages_through_10000_items_with_next(live: Live, sp: spotipy.Spotify, listener: str) -> None:
    with unit_of_work(live.session_factory) as session:
        filler = publish(
            session,
            *(make_track(f"Filler {n}", track_number=n + 1, album_name="Fillers") for n in range(100)),
        )
    playlist = sp.current_user_playlist_create("Everything")
    for _ in range(MAX_ITEMS // 100):
        with unit_of_work(live.session_factory) as session:
            playlists.add(session, playlist["id"], listener, filler)
    page = sp.playlist_items(playlist["id"], limit=100)
    seen = len(page["items"])
    while page["next"]:
        page = sp.next(page)
        seen += len(page["items"])
    assert seen == MAX_ITEMS and page["total"] == MAX_ITEMS
    with pytest.raises(spotipy.SpotifyException) as refused:
        sp.playlist_add_items(playlist["id"], [filler[0]])
    assert refused.value.http_status == 400
