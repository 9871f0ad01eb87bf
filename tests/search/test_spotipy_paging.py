"""Search results paged by the real spotipy client against a real server: every paging object
carries all of Spotify's keys, `next` and `previous` as null where there is no such page, so
`sp.next()` walks to the last page and stops there instead of raising KeyError."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests
import spotipy

from tests.auth import app_token
from tests.catalog_factory import make_track, publish
from tests.e2e.conftest import Live, serve
from tonearm.config import Settings
from tonearm.kit.db import unit_of_work
from tonearm.runtime import open_runtime

PAGE_KEYS = {"href", "items", "limit", "next", "offset", "previous", "total"}
TRACKS = 23


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    """A server whose index is built at start from a catalog of 23 "Comet" tracks."""
    settings = Settings(
        data_dir=tmp_path_factory.mktemp("paging") / "var", signing_keys="k1:secret", rate_limit_url="off"
    )
    runtime = open_runtime(settings)
    try:
        with unit_of_work(runtime.session_factory) as session:
            tracks = [
                make_track(f"Comet {n:02d}", album_name="Tail", artist_names=("Halley",), track_number=n)
                for n in range(1, TRACKS + 1)
            ]
            publish(session, *tracks)
    finally:
        runtime.close()
    with serve(settings) as live:
        yield live


@pytest.fixture(scope="module")
def sp(live: Live) -> spotipy.Spotify:
    client = spotipy.Spotify(
        auth=app_token(live.app), requests_session=requests.Session(), requests_timeout=10
    )
    client.prefix = f"{live.url}/v1/"
    return client


def walk(sp: spotipy.Spotify, page: dict[str, Any], key: str, step: str) -> list[dict[str, Any]]:
    """Every page from `page` on, following `next` (or `previous`) as spotipy does."""
    pages = [page]
    while (found := getattr(sp, step)(pages[-1])) is not None:
        pages.append(found[key])
    return pages


def test_search_results_walk_to_the_last_page_with_next_and_back_with_previous(sp: spotipy.Spotify) -> None:
    first = sp.search("comet", type="track", limit=10)["tracks"]
    pages = walk(sp, first, "tracks", "next")
    assert [page["offset"] for page in pages] == [0, 10, 20]
    assert all(set(page) == PAGE_KEYS for page in pages)
    assert first["previous"] is None and pages[-1]["next"] is None
    found = [track["id"] for page in pages for track in page["items"]]
    assert len(found) == len(set(found)) == TRACKS
    back = walk(sp, pages[-1], "tracks", "previous")
    assert [page["offset"] for page in back] == [20, 10, 0]


def test_every_type_asked_for_gets_a_whole_paging_object(sp: spotipy.Spotify) -> None:
    result = sp.search("halley", type="track,artist,album,playlist,show", limit=5)
    assert set(result) == {"tracks", "artists", "albums", "playlists", "shows"}
    for page in result.values():
        assert set(page) == PAGE_KEYS
    assert result["artists"]["total"] == 1 and result["artists"]["next"] is None
    assert result["playlists"] == {**result["playlists"], "items": [], "next": None, "previous": None}
    assert sp.next(result["artists"]) is None
