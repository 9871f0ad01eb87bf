"""Playlists, Liked Songs and friends' activity in the web player, in headless Chromium against a
real server on four one-second demo tracks (the first four of the album Paper Satellites): a
playlist made in the sidebar takes tracks from an album's track menus, is reordered by dragging
and reverted from its history; two listeners edit one collaborative playlist at once and end with
the same list, nothing lost; a track saved from its menu shows in Liked Songs; a friend's play
shows in the open friends panel within two seconds."""

from __future__ import annotations

import json
import re
import time
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from tests.e2e.conftest import (
    Browser,
    Listener,
    Live,
    api_get,
    make_listener,
    require_browser,
    serve,
    signed_in_browser,
)
from tonearm.accounts.service import account
from tonearm.config import Settings
from tonearm.ingest.demo import ingest_demo
from tonearm.kit.db import unit_of_work
from tonearm.kit.time import iso_ms, utcnow
from tonearm.runtime import open_runtime

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.timeout(120)]

PLAYLIST = "window.tonearm.playlist()"
# What the tests' own API calls may do (the browser's tokens are the player's).
API_SCOPES = "streaming user-read-private playlist-modify-private playlist-read-private"


@dataclass(frozen=True)
class Catalog:
    live: Live
    album_id: str
    tracks: list[str]  # ids, in album order
    names: dict[str, str]  # id -> name


@pytest.fixture(scope="module")
def catalog(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Catalog]:
    require_browser()
    settings = Settings(data_dir=tmp_path_factory.mktemp("tonearm-playlists-ui"))
    runtime = open_runtime(settings)
    try:
        results = ingest_demo(runtime.ingest_context(), seconds=1, count=4)
    finally:
        runtime.close()
    with serve(settings) as live:
        album = api_get(live, make_listener(live), f"/v1/tracks/{results[0].id}")["album"]["id"]
        yield Catalog(live, album, [r.id for r in results], {r.id: r.name for r in results})


@pytest.fixture(scope="module")
def live(catalog: Catalog) -> Live:
    return catalog.live


@pytest.fixture(scope="module")
def storage_state(signed_in_state: dict[str, Any]) -> dict[str, Any]:
    """Every test starts signed in as the module's listener."""
    return signed_in_state


# ---- the API, as the tests see it -----------------------------------------------------------


def _call(live: Live, listener: Listener, method: str, path: str, body: Any = None) -> Any:
    """`method` a /v1 path as `listener` with a token of the tests' own; the JSON answer, if any."""
    with unit_of_work(live.session_factory) as session:
        token = account.token_for_name(session, listener.name, scope=API_SCOPES).access_token
    request = urllib.request.Request(
        live.url + path,
        method=method,
        data=None if body is None else json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request) as answer:
        text = answer.read()
    return json.loads(text) if text else None


def _api_track_ids(live: Live, listener: Listener, playlist_id: str) -> list[str]:
    page = _call(live, listener, "GET", f"/v1/playlists/{playlist_id}/tracks?limit=100")
    return [item["track"]["id"] for item in page["items"]]


def _user_id(live: Live, listener: Listener) -> str:
    return str(_call(live, listener, "GET", "/v1/me")["id"])


# ---- the page, as a listener sees it ---------------------------------------------------------


def _rows(page: Any) -> Any:
    return page.get_by_test_id("playlist-tracks").get_by_test_id("track-row")


def _row_of(page: Any, track_id: str) -> Any:
    return page.get_by_test_id("playlist-tracks").locator(f'[data-track-id="{track_id}"]')


def _shown_ids(page: Any) -> list[str]:
    return _rows(page).evaluate_all("(rows) => rows.map((row) => row.dataset.trackId)")  # type: ignore[no-any-return]


def _expect_titles(page: Any, catalog: Catalog, track_ids: list[str]) -> None:
    from playwright.sync_api import expect

    expect(_rows(page).get_by_test_id("track-title")).to_have_text([catalog.names[t] for t in track_ids])


def _settled(page: Any) -> None:
    """Wait until no change of the page is on its way."""
    page.wait_for_function(f"{PLAYLIST} !== null && !{PLAYLIST}.saving")


def _add_from_album_menu(
    page: Any, catalog: Catalog, track_id: str, playlist: str, *, right_click: bool
) -> None:
    """Open the track's menu on its album page (the ⋯ button or a right-click), then
    Add to playlist ▸ `playlist`, and wait for the server to take it."""
    from playwright.sync_api import expect

    row = page.locator(f'[data-testid="track-row"][data-track-id="{track_id}"]')
    if right_click:
        row.click(button="right")
    else:
        row.hover()
        row.get_by_test_id("track-menu").click()
    menu = page.get_by_test_id("context-menu")
    expect(menu).to_be_visible()
    menu.get_by_test_id("menu-add-to-playlist").hover()
    choice = page.get_by_test_id("submenu").get_by_test_id("menu-playlist").filter(has_text=playlist)
    with page.expect_response(lambda r: r.request.method == "POST" and r.url.endswith("/tracks")) as added:
        choice.click()
    assert added.value.status == 201
    expect(page.get_by_test_id("notice")).to_have_text(f"Added to {playlist}.")
    expect(menu).to_be_hidden()


def test_a_playlist_made_in_the_sidebar_is_filled_from_an_album_reordered_by_dragging_and_reverted(
    browser: Browser, catalog: Catalog, listener: Listener
) -> None:
    from playwright.sync_api import expect

    page, live = browser.page, catalog.live
    first, second, third = catalog.tracks[:3]
    page.goto(f"{live.url}/#/album/{catalog.album_id}")
    expect(page.get_by_test_id("track-row")).to_have_count(4)

    page.get_by_test_id("new-playlist").click()
    page.get_by_test_id("new-playlist-name").fill("Road trip")
    page.get_by_test_id("new-playlist-name").press("Enter")
    expect(page).to_have_url(re.compile(r"#/playlist/[0-9A-Za-z]{22}$"))
    playlist_id = page.url.rsplit("/", 1)[-1]
    expect(page.get_by_test_id("playlist-name")).to_have_text("Road trip")
    expect(page.get_by_test_id("empty")).to_be_visible()
    expect(page.locator(f'[data-testid="sidebar-playlist"][data-id="{playlist_id}"]')).to_contain_text(
        "Road trip"
    )
    # Liked Songs comes first in the sidebar.
    expect(page.get_by_test_id("sidebar-playlists").locator("a").first).to_have_attribute(
        "data-testid", "sidebar-liked"
    )

    page.goto(f"{live.url}/#/album/{catalog.album_id}")
    for number, track_id in enumerate((first, second, third)):
        _add_from_album_menu(page, catalog, track_id, "Road trip", right_click=number == 0)

    page.locator(f'[data-testid="sidebar-playlist"][data-id="{playlist_id}"]').click()
    _expect_titles(page, catalog, [first, second, third])
    expect(_rows(page).get_by_test_id("added-by")).to_have_text([listener.display_name] * 3)

    # The first row dropped on the lower half of the last one goes after it.
    rows = _rows(page)
    box = rows.nth(2).bounding_box()
    rows.nth(0).drag_to(rows.nth(2), target_position={"x": 40, "y": box["height"] * 0.8})
    _expect_titles(page, catalog, [second, third, first])
    _settled(page)
    assert _api_track_ids(live, listener, playlist_id) == [second, third, first]

    page.get_by_test_id("history-toggle").click()
    versions = page.get_by_test_id("history-item")
    expect(versions).to_have_count(5)  # created, three adds, the move
    expect(versions.first).to_have_attribute("data-kind", "reorder")
    expect(versions.first).to_contain_text("Moved 1 track")
    before_the_move = page.locator('[data-testid="history-item"][data-version="3"]')
    before_the_move.click()
    expect(page.get_by_test_id("diff-moved")).to_contain_text(catalog.names[first])
    expect(page.get_by_test_id("diff-added")).to_have_count(0)
    page.get_by_test_id("history-revert").click()

    _expect_titles(page, catalog, [first, second, third])
    expect(versions).to_have_count(6)
    expect(versions.first).to_have_attribute("data-kind", "revert")
    expect(versions.first).to_have_attribute("data-version", "5")
    expect(versions.first).to_contain_text("Current")
    expect(page.get_by_test_id("history-status")).to_have_text("Reverted to version 3.")
    _settled(page)
    assert _api_track_ids(live, listener, playlist_id) == [first, second, third]
    assert browser.errors == []


# ---- two listeners at once ---------------------------------------------------------------------


# Notes the version the list showed (its data-snapshot) when the listener clicked an edit
# button or dropped a row: in the capture phase, so before the page itself sees the event.
NOTE_SHOWN_AT_EDITS = """() => {
  window.shownAtEdits = [];
  const edits = ["remove-item", "move-up", "move-down", "finder-add"].map((id) => `[data-testid="${id}"]`);
  const note = (event) => {
    if (event.type === "click" && !event.target.closest(edits.join(","))) return;
    window.shownAtEdits.push(document.querySelector('[data-testid="playlist-tracks"]').dataset.snapshot);
  };
  document.addEventListener("click", note, true);
  document.addEventListener("drop", note, true);
}"""


def _watch_edits(page: Any, playlist_id: str) -> list[Any]:
    """The requests the page sends to change the playlist's items, as it sends them; and from
    now on, the versions shown at each edit in `window.shownAtEdits`."""
    requests: list[Any] = []

    def note(request: Any) -> None:
        if request.method in ("POST", "PUT", "DELETE") and request.url.endswith(f"/{playlist_id}/tracks"):
            requests.append(request)

    page.on("request", note)
    page.evaluate(NOTE_SHOWN_AT_EDITS)
    return requests


def _at_once(*actions: tuple[Browser, Any]) -> None:
    """Each page makes its change right after the other's, before either has seen the other's
    (none waits for an answer); then wait until both pages have their answers."""
    for _, action in actions:
        action()
    for browser, _ in actions:
        _settled(browser.page)


def _prepare_finder(page: Any, catalog: Catalog, track_id: str) -> Any:
    """Search the playlist page's finder for a track: its Add button."""
    from playwright.sync_api import expect

    page.get_by_test_id("finder-search").fill(catalog.names[track_id])
    add = page.locator(f'[data-testid="finder-result"][data-id="{track_id}"]').get_by_test_id("finder-add")
    try:
        expect(add).to_be_visible()
    except AssertionError as error:
        shown = page.get_by_test_id("finder-results").inner_text()
        raise AssertionError(f"no Add for {catalog.names[track_id]}: the finder shows {shown!r}") from error
    return add


def test_two_listeners_editing_one_collaborative_playlist_at_once_end_with_the_same_list_and_lose_nothing(
    browser: Browser, chromium: Any, catalog: Catalog, listener: Listener
) -> None:
    from playwright.sync_api import expect

    live = catalog.live
    t0, t1, t2, t3 = catalog.tracks
    playlist_id = _call(live, listener, "POST", "/v1/me/playlists", {"name": "Shared", "public": False})["id"]
    _call(
        live,
        listener,
        "POST",
        f"/v1/playlists/{playlist_id}/tracks",
        {"uris": [f"tonearm:track:{t}" for t in (t0, t1, t2)]},
    )
    friend = make_listener(live)
    friend_id = _user_id(live, friend)

    # The owner makes it collaborative and invites the friend, by their id.
    owner = browser
    owner.page.goto(f"{live.url}/#/playlist/{playlist_id}")
    _expect_titles(owner.page, catalog, [t0, t1, t2])
    expect(owner.page.get_by_test_id("collaborative-badge")).to_have_count(0)
    owner.page.get_by_test_id("edit-details").click()
    owner.page.get_by_test_id("details-collaborative").check()
    expect(owner.page.get_by_test_id("details-public")).not_to_be_checked()
    owner.page.get_by_test_id("details-save").click()
    expect(owner.page.get_by_test_id("collaborative-badge")).to_be_visible()
    owner.page.get_by_test_id("invite").click()
    owner.page.get_by_test_id("invite-user").fill(f"tonearm:user:{friend_id}")
    owner.page.get_by_test_id("invite-send").click()
    expect(owner.page.get_by_test_id("invite-result")).to_have_text(
        f"{friend.display_name} can now edit this playlist."
    )
    owner.page.keyboard.press("Escape")

    with signed_in_browser(chromium, live, friend) as other:
        other.page.goto(f"{live.url}/#/playlist/{playlist_id}")
        _expect_titles(other.page, catalog, [t0, t1, t2])
        # Invited, it is in their sidebar too.
        expect(
            other.page.locator(f'[data-testid="sidebar-playlist"][data-id="{playlist_id}"]')
        ).to_be_visible()
        mine, theirs = _watch_edits(owner.page, playlist_id), _watch_edits(other.page, playlist_id)

        # Round 1: the owner removes the first track as the friend moves the third one up.
        _at_once(
            (owner, lambda: _row_of(owner.page, t0).get_by_test_id("remove-item").click()),
            (other, lambda: _row_of(other.page, t2).get_by_test_id("move-up").click()),
        )
        # Round 2: the owner adds the fourth track as the friend removes the second.
        add_t3 = _prepare_finder(owner.page, catalog, t3)
        _at_once(
            (owner, add_t3.click),
            (other, lambda: _row_of(other.page, t1).get_by_test_id("remove-item").click()),
        )
        # Round 3: the friend adds the first track back as the owner drags the third to the end.
        add_t0 = _prepare_finder(other.page, catalog, t0)

        def drag_t2_to_the_end() -> None:
            rows = _rows(owner.page)
            last = rows.last
            box = last.bounding_box()
            _row_of(owner.page, t2).drag_to(last, target_position={"x": 40, "y": box["height"] * 0.8})

        _at_once((other, add_t0.click), (owner, drag_t2_to_the_end))

        # Both pages come to show the server's list (each looks for new versions), without a reload.
        final = _api_track_ids(live, listener, playlist_id)
        for page in (owner.page, other.page):
            page.wait_for_function(
                f"(ids) => JSON.stringify({PLAYLIST}.trackIds) === JSON.stringify(ids)", arg=final
            )
            _expect_titles(page, catalog, final)
        assert _api_track_ids(live, listener, playlist_id) == final
        # Nothing lost, nothing doubled: what was removed is gone, what was added is there.
        assert sorted(final) == sorted([t0, t2, t3])

        # Each change named the version its page showed; some of them were made on a version
        # the other listener had already changed (and the server carried them over).
        versions = {
            s["snapshot_id"]: s["version"]
            for s in _call(live, listener, "GET", f"/v1/playlists/{playlist_id}/snapshots?limit=50")["items"]
        }
        stale = 0
        for browser, requests in ((owner, mine), (other, theirs)):
            shown_at_edits = browser.page.evaluate("window.shownAtEdits")
            assert len(requests) == len(shown_at_edits) == 3
            for shown, request in zip(shown_at_edits, requests, strict=True):
                assert request.post_data_json["snapshot_id"] == shown
                answer = request.response()
                assert answer.ok, answer.text()
                stale += versions[answer.json()["snapshot_id"]] - versions[shown] > 1
        assert stale >= 1
        expect(other.page.get_by_test_id("added-by").nth(final.index(t0))).to_have_text(friend.display_name)
        assert other.errors == []
    assert owner.errors == []


# ---- Liked Songs -------------------------------------------------------------------------------


def test_a_track_saved_from_its_menu_shows_in_liked_songs(browser: Browser, catalog: Catalog) -> None:
    from playwright.sync_api import expect

    page, track_id = browser.page, catalog.tracks[1]
    page.goto(f"{catalog.live.url}/#/album/{catalog.album_id}")
    row = page.locator(f'[data-testid="track-row"][data-track-id="{track_id}"]')
    row.hover()
    row.get_by_test_id("track-menu").click()
    page.get_by_test_id("context-menu").get_by_test_id("menu-like").click()
    expect(page.get_by_test_id("notice")).to_have_text("Saved to Liked Songs.")

    page.get_by_test_id("sidebar-liked").click()
    expect(page.get_by_test_id("liked-title")).to_have_text("Liked Songs")
    liked = page.get_by_test_id("liked-tracks").get_by_test_id("track-row")
    expect(liked).to_have_count(1)
    expect(liked.get_by_test_id("track-title")).to_have_text(catalog.names[track_id])

    # Its menu now offers to remove it, and removing it empties the page.
    liked.first.click(button="right")
    page.get_by_test_id("context-menu").get_by_test_id("menu-unlike").click()
    expect(liked).to_have_count(0)
    expect(page.get_by_test_id("empty")).to_be_visible()
    assert browser.errors == []


# ---- friends' activity -------------------------------------------------------------------------


def _play(live: Live, listener: Listener, track_id: str) -> None:
    """What a player sends when `listener` starts playing `track_id` on their phone."""
    event = {
        "type": "play.start",
        "event_id": uuid.uuid4().hex,
        "track_id": track_id,
        "context_uri": None,
        "device_id": "phone",
        "position_ms": 0,
        "ms_played": 0,
        "timestamp": iso_ms(utcnow()),
        "offline": False,
    }
    answer = _call(live, listener, "POST", "/v1/me/player/events", {"events": [event]})
    assert answer["events"][0]["status"] == "accepted", answer


def test_a_friends_play_shows_in_the_open_friends_panel_within_two_seconds(
    browser: Browser, catalog: Catalog
) -> None:
    from playwright.sync_api import expect

    page, live = browser.page, catalog.live
    friend = make_listener(live)
    friend_id = _user_id(live, friend)
    page.goto(f"{live.url}/#/user/{friend_id}")
    expect(page.get_by_test_id("user-name")).to_have_text(friend.display_name)
    follow = page.get_by_test_id("follow-user")
    expect(follow).to_have_text("Follow")
    follow.click()
    expect(follow).to_have_text("Following")

    page.get_by_test_id("friends-toggle").click()
    expect(page.get_by_test_id("friends")).to_be_visible()
    expect(page.get_by_test_id("friends-status")).to_contain_text("Follow people")
    entry = page.locator(f'[data-testid="friend"][data-user-id="{friend_id}"]')
    expect(entry).to_have_count(0)

    track_id = catalog.tracks[2]
    _play(live, friend, track_id)
    played = time.monotonic()
    expect(entry).to_have_attribute("data-track-id", track_id, timeout=2000)
    assert time.monotonic() - played < 2.0
    expect(entry.get_by_test_id("friend-track")).to_contain_text(catalog.names[track_id])
    expect(entry.get_by_test_id("friend-when")).to_have_text("Now")
    expect(entry).to_contain_text(friend.display_name)
    assert browser.errors == []
