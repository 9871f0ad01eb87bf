"""Every paged route walked by the real spotipy client against a real server, to its last page
with `sp.next()` and (where paged by offset) back with `sp.previous()`: each paging object
carries all of Spotify's keys, `next` and `previous` as null where there is no such page, and
the pages together hold every item exactly once. Search is walked in
tests/search/test_spotipy_paging.py."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pytest
import requests
import spotipy

from tests.auth import app_token, bearer, user_token
from tests.catalog_factory import make_track, publish
from tests.e2e.conftest import Live, serve
from tonearm.catalog.service import catalog as catalog_service
from tonearm.config import Settings
from tonearm.kit.db import unit_of_work
from tonearm.kit.time import iso_ms, unix_ms, utcnow
from tonearm.runtime import open_runtime

PAGE_KEYS = {"href", "items", "limit", "next", "offset", "previous", "total"}
# Spotify's CursorPagingPlayHistoryObject: no offset, no previous; cursors instead.
CURSOR_PAGE_KEYS = {"href", "items", "limit", "next", "cursors", "total"}
LONG_ALBUM_TRACKS = 105  # three pages of an album's own 50
HALLEY_RELEASES = ("album", "single", "album", "single", "album")
# How often the listener streams each of seven tracks (each by an artist of its own).
STREAMS = (3, 1, 2, 1, 2, 1, 1)
PLAY_MS = 60_000


@dataclass(frozen=True)
class Seeded:
    long_album: str
    long_tracks: tuple[str, ...]
    halley: str
    halley_albums: tuple[str, ...]
    spins: tuple[str, ...]
    spin_artists: tuple[str, ...]
    albums: int
    artists: int


def _track(name: str, album: str, artist: str, **fields: Any) -> Any:
    return make_track(name, album_name=album, artist_names=(artist,), album_artist_names=(artist,), **fields)


def _catalog() -> list[Any]:
    long_album = [
        _track(f"Haul {n:03d}", "Long Haul", "Freight", track_number=n)
        for n in range(1, LONG_ALBUM_TRACKS + 1)
    ]
    halley = [
        _track(f"Comet {n}", f"Comet {n}", "Halley", album_type=kind)
        for n, kind in enumerate(HALLEY_RELEASES, start=1)
    ]
    # Four minutes long: playback events are checked against a track's length.
    spins = [
        _track(f"Spin {n}", f"Spin {n}", f"Spinner {n}", duration_ms=240_000)
        for n in range(1, len(STREAMS) + 1)
    ]
    return [*long_album, *halley, *spins]


def _seed(settings: Settings) -> Seeded:
    runtime = open_runtime(settings)
    try:
        with unit_of_work(runtime.session_factory) as session:
            ids = publish(session, *_catalog())
            tracks = catalog_service.get_tracks(session, ids, base="")
    finally:
        runtime.close()
    albums = [track.album for track in tracks if track is not None]
    firsts = [track.artists[0].id for track in tracks if track is not None]
    halley = slice(LONG_ALBUM_TRACKS, LONG_ALBUM_TRACKS + len(HALLEY_RELEASES))
    spins = slice(halley.stop, None)
    return Seeded(
        long_album=albums[0].id,
        long_tracks=tuple(ids[:LONG_ALBUM_TRACKS]),
        halley=firsts[halley.start],
        halley_albums=tuple(album.id for album in albums[halley]),
        spins=tuple(ids[spins]),
        spin_artists=tuple(firsts[spins]),
        albums=len({album.id for album in albums}),
        artists=len(set(firsts)),
    )


@pytest.fixture(scope="module")
def server_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(
        data_dir=tmp_path_factory.mktemp("walk") / "var", signing_keys="k1:secret", rate_limit_url="off"
    )


@pytest.fixture(scope="module")
def seeded(server_settings: Settings) -> Seeded:
    return _seed(server_settings)


@pytest.fixture(scope="module")
def live(server_settings: Settings, seeded: Seeded) -> Iterator[Live]:
    with serve(server_settings) as live:
        yield live


def client(live: Live, token: str) -> spotipy.Spotify:
    sp = spotipy.Spotify(auth=token, requests_session=requests.Session(), requests_timeout=10)
    sp.prefix = f"{live.url}/v1/"
    return sp


@pytest.fixture(scope="module")
def sp(live: Live) -> spotipy.Spotify:
    return client(live, app_token(live.app))


def _event(track_id: str, kind: str, at: datetime, played: int) -> dict[str, Any]:
    return {
        "type": kind,
        "event_id": uuid.uuid4().hex,
        "track_id": track_id,
        "context_uri": None,
        "device_id": "walk-laptop",
        "position_ms": played,
        "ms_played": played,
        "timestamp": iso_ms(at),
        "offline": False,
    }


def _plays(spins: tuple[str, ...]) -> list[dict[str, Any]]:
    """Each track streamed as often as STREAMS says, one minute each, 90 s apart, ending well
    before now."""
    order = [track for track, times in zip(spins, STREAMS, strict=True) for _ in range(times)]
    first = utcnow() - timedelta(minutes=30)
    events = []
    for n, track in enumerate(order):
        start = first + timedelta(seconds=90 * n)
        events += [
            _event(track, "play.start", start, 0),
            _event(track, "play.end", start + timedelta(milliseconds=PLAY_MS), PLAY_MS),
        ]
    return events


@pytest.fixture(scope="module")
def listener(live: Live, seeded: Seeded) -> spotipy.Spotify:
    """A listener who streamed the seven Spin tracks, through the playback events route and
    the event log's consumer, as a player would."""
    token = user_token(live.app, "walker")
    sent = requests.post(
        f"{live.url}/v1/me/player/events",
        json={"events": _plays(seeded.spins)},
        headers=bearer(token),
        timeout=10,
    )
    assert sent.status_code == 200 and sent.json()["accepted"] == 2 * sum(STREAMS), sent.text
    sp = client(live, token)
    deadline = time.monotonic() + 10
    while (
        len(sp.current_user_recently_played(limit=50)["items"]) < sum(STREAMS)
        or sp.current_user_top_tracks(limit=1)["total"] < len(STREAMS)
        or sp.current_user_top_artists(limit=1)["total"] < len(STREAMS)
    ):
        assert time.monotonic() < deadline, "the consumer did not apply the plays within 10 s"
        time.sleep(0.05)
    return sp


def ms(played_at: str) -> int:
    return unix_ms(datetime.fromisoformat(played_at))


def walk(sp: spotipy.Spotify, page: dict[str, Any], step: str, key: str | None) -> list[dict[str, Any]]:
    """Every page from `page` on, following `next` (or `previous`) as spotipy does; `key` for a
    route whose links answer with the page wrapped (new releases: {"albums": page})."""
    pages = [page]
    while (found := getattr(sp, step)(pages[-1])) is not None:
        pages.append(found[key] if key else found)
    return pages


def walked_both_ways(
    sp: spotipy.Spotify, first: dict[str, Any], expected: int, key: str | None = None
) -> list[str]:
    """The ids of every item, walking `first` forward to its last page and back to its first,
    each page a whole paging object; asserts each item comes exactly once."""
    pages = walk(sp, first, "next", key)
    limit = first["limit"]
    assert len(pages) >= 3
    assert all(set(page) == PAGE_KEYS for page in pages)
    assert [page["offset"] for page in pages] == list(range(0, expected, limit))
    assert all(page["total"] == expected and page["limit"] == limit for page in pages)
    assert first["previous"] is None and pages[-1]["next"] is None
    assert all(page["next"] and page["previous"] for page in pages[1:-1])
    back = walk(sp, pages[-1], "previous", key)
    assert [page["items"] for page in back] == [page["items"] for page in reversed(pages)]
    assert back[-1]["previous"] is None
    ids = [item["id"] for page in pages for item in page["items"]]
    assert len(ids) == len(set(ids)) == expected
    return ids


# ---- the catalog ----
def test_an_albums_tracks_walk_to_the_last_page_and_back(sp: spotipy.Spotify, seeded: Seeded) -> None:
    first = sp.album_tracks(seeded.long_album, limit=40)
    assert walked_both_ways(sp, first, LONG_ALBUM_TRACKS) == list(seeded.long_tracks)


def test_an_albums_own_tracks_page_walks_on_through_album_tracks(sp: spotipy.Spotify, seeded: Seeded) -> None:
    first = sp.album(seeded.long_album)["tracks"]
    assert first["limit"] == 50 and first["href"].endswith("offset=0&limit=50")
    assert walked_both_ways(sp, first, LONG_ALBUM_TRACKS) == list(seeded.long_tracks)


def test_several_albums_each_carry_a_whole_tracks_page(sp: spotipy.Spotify, seeded: Seeded) -> None:
    long, comet = sp.albums([seeded.long_album, seeded.halley_albums[0]])["albums"]
    assert set(long["tracks"]) == set(comet["tracks"]) == PAGE_KEYS
    assert comet["tracks"]["total"] == 1 and comet["tracks"]["next"] is None
    assert comet["tracks"]["previous"] is None and sp.next(comet["tracks"]) is None
    assert walked_both_ways(sp, long["tracks"], LONG_ALBUM_TRACKS) == list(seeded.long_tracks)


def test_an_artists_albums_walk_with_their_groups_kept_in_every_link(
    sp: spotipy.Spotify, seeded: Seeded
) -> None:
    first = sp.artist_albums(seeded.halley, include_groups="album,single", limit=2)
    ids = walked_both_ways(sp, first, len(HALLEY_RELEASES))
    assert sorted(ids) == sorted(seeded.halley_albums)
    assert "include_groups=album%2Csingle" in first["next"]
    albums = sp.artist_albums(seeded.halley, include_groups="album", limit=1)
    assert len(walk(sp, albums, "next", None)) == HALLEY_RELEASES.count("album")


def test_new_releases_walk_every_album_wrapped_as_spotifys(sp: spotipy.Spotify, seeded: Seeded) -> None:
    with pytest.warns(DeprecationWarning, match="deprecated by Spotify"):
        first = sp.new_releases(limit=5)["albums"]
    ids = walked_both_ways(sp, first, seeded.albums, key="albums")
    assert {seeded.long_album, *seeded.halley_albums} <= set(ids)


def test_browsing_every_artist_walks_them_all(sp: spotipy.Spotify, seeded: Seeded) -> None:
    # A Tonearm extension, so spotipy has no method of its own for the first page.
    first = sp._get("browse/artists", limit=4)
    ids = walked_both_ways(sp, first, seeded.artists)
    assert {seeded.halley, *seeded.spin_artists} <= set(ids)


# ---- the listener's own ----
def test_recently_played_walks_back_by_cursor_to_the_first_play(listener: spotipy.Spotify) -> None:
    first = listener.current_user_recently_played(limit=4)
    pages = walk(listener, first, "next", None)
    assert [len(page["items"]) for page in pages] == [4, 4, 3]
    assert all(set(page) == CURSOR_PAGE_KEYS for page in pages)
    assert all(page["total"] == sum(STREAMS) for page in pages)
    assert pages[-1]["next"] is None and all(page["next"] for page in pages[:-1])
    played = [item["played_at"] for page in pages for item in page["items"]]
    assert len(played) == len(set(played)) == sum(STREAMS)
    assert played == sorted(played, reverse=True)
    # Each page's cursors are its newest and its oldest play, in unix milliseconds.
    for page in pages:
        newest, oldest = page["items"][0]["played_at"], page["items"][-1]["played_at"]
        assert page["cursors"] == {"after": str(ms(newest)), "before": str(ms(oldest))}


def test_top_tracks_walk_most_streamed_first(listener: spotipy.Spotify, seeded: Seeded) -> None:
    first = listener.current_user_top_tracks(limit=2, time_range="medium_term")
    ids = walked_both_ways(listener, first, len(STREAMS))
    assert "time_range=medium_term" in first["next"]
    streams = dict(zip(seeded.spins, STREAMS, strict=True))
    assert sorted(ids) == sorted(seeded.spins)
    assert [streams[track] for track in ids] == sorted(STREAMS, reverse=True)


def test_top_artists_walk_most_streamed_first(listener: spotipy.Spotify, seeded: Seeded) -> None:
    first = listener.current_user_top_artists(limit=2, time_range="medium_term")
    ids = walked_both_ways(listener, first, len(STREAMS))
    streams = dict(zip(seeded.spin_artists, STREAMS, strict=True))
    assert sorted(ids) == sorted(seeded.spin_artists)
    assert [streams[artist] for artist in ids] == sorted(STREAMS, reverse=True)
