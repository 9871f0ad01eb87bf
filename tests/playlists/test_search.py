"""Public playlists are found by search (type=playlist) and in type-ahead, by their new name
within a second of a rename; private ones never."""

from __future__ import annotations

import time
from typing import Any

from tests.playlists.conftest import Api


def _found(api: Api, q: str) -> list[str]:
    answer = api.call("bob", "GET", "/v1/search", params={"q": q, "type": "playlist"})
    assert answer.status_code == 200, answer.text
    return [item["id"] for item in answer.json()["playlists"]["items"]]


def _within(seconds: float, check: Any) -> float:
    started = time.monotonic()
    while not check():
        assert time.monotonic() - started < seconds, "not found in time"
        time.sleep(0.02)
    return time.monotonic() - started


def test_a_public_playlist_is_found_and_a_rename_within_a_second(api: Api) -> None:
    playlist = api.create("ann", name="Sunday Morning Jazz", description="slow coffee")
    _within(2.0, lambda: playlist["id"] in _found(api, "sunday jazz"))
    found = api.call("bob", "GET", "/v1/search", params={"q": "sunday", "type": "playlist"}).json()
    item = found["playlists"]["items"][0]
    assert item["name"] == "Sunday Morning Jazz" and item["owner"]["id"] == api.user_id("ann")
    assert item["tracks"]["total"] == 0 and item["uri"].endswith(f"playlist:{playlist['id']}")
    api.call("ann", "PUT", f"/v1/playlists/{playlist['id']}", json={"name": "Midnight Drive"})
    took = _within(1.0, lambda: playlist["id"] in _found(api, "midnight drive"))
    assert took < 1.0
    assert playlist["id"] not in _found(api, "sunday jazz")
    suggestions = api.call("bob", "GET", "/v1/search/suggest", params={"q": "midni"}).json()["items"]
    assert {"type": "playlist", "id": playlist["id"]}.items() <= suggestions[0].items()


def test_a_private_playlist_is_never_found(api: Api) -> None:
    hidden = api.create("ann", name="Secret Garden Tapes", public=False)
    shown = api.create("ann", name="Secret Garden Open")
    _within(2.0, lambda: shown["id"] in _found(api, "secret garden"))
    assert hidden["id"] not in _found(api, "secret garden")
    # Made private later: gone from search too.
    api.call("ann", "PUT", f"/v1/playlists/{shown['id']}", json={"public": False})
    _within(1.0, lambda: shown["id"] not in _found(api, "secret garden"))
