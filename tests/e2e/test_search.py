"""Type-ahead search in the web player, in headless Chromium against a real server on a short
demo catalog, signed in: suggestions as you type, typos forgiven, and the keyboard to play or
open one."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from tests.e2e.conftest import (
    STATE,
    Browser,
    Live,
    api_get,
    make_listener,
    require_browser,
    serve,
)
from tonearm.config import Settings
from tonearm.ingest.demo import ingest_demo
from tonearm.runtime import open_runtime

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.timeout(120)]


@dataclass(frozen=True)
class Catalog:
    live: Live
    tracks: dict[str, str]  # name -> id
    artists: dict[str, str]  # name -> id


@pytest.fixture(scope="module")
def catalog(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Catalog]:
    """A server on the first three demo tracks, two seconds each: Paper Satellites, Low Tide
    Radio and Neon Orchard, on the album Paper Satellites by Marigold Static."""
    require_browser()
    settings = Settings(data_dir=tmp_path_factory.mktemp("tonearm-search"))
    runtime = open_runtime(settings)
    try:
        results = ingest_demo(runtime.ingest_context(), seconds=2, count=3)
    finally:
        runtime.close()
    with serve(settings) as live:
        listed = api_get(live, make_listener(live), "/v1/browse/artists?limit=50")
        artists = {artist["name"]: artist["id"] for artist in listed["items"]}
        yield Catalog(live, {result.name: result.id for result in results}, artists)


@pytest.fixture(scope="module")
def live(catalog: Catalog) -> Live:
    return catalog.live


@pytest.fixture(scope="module")
def storage_state(signed_in_state: dict[str, Any]) -> dict[str, Any]:
    """Every test starts signed in."""
    return signed_in_state


def _search(browser: Browser, base_url: str, text: str) -> Any:
    """Open the player, type `text` into the search box key by key, and wait for the panel to
    answer the whole of it; the suggestion rows."""
    from playwright.sync_api import expect

    page = browser.page
    page.goto(f"{base_url}/#/artists")
    expect(page.get_by_test_id("artist-card").first).to_be_visible()
    page.get_by_test_id("search").click()
    page.keyboard.type(text, delay=30)
    panel = page.get_by_test_id("search-panel")
    expect(panel).to_be_visible()
    expect(panel).to_have_attribute("data-query", text)
    return page.get_by_test_id("search-item")


def _choose_with_keys(browser: Browser, rows: Any, item_id: str) -> None:
    """Arrow down to the row of `item_id`, check it is the highlighted one, and press Enter."""
    from playwright.sync_api import expect

    index = rows.evaluate_all("(rows, id) => rows.findIndex((row) => row.dataset.id === id)", item_id)
    assert index >= 0, rows.evaluate_all("(rows) => rows.map((row) => row.textContent)")
    for _ in range(index + 1):
        browser.page.keyboard.press("ArrowDown")
    row = rows.nth(index)
    expect(row).to_have_attribute("aria-selected", "true")
    row_id = row.get_attribute("id")
    expect(browser.page.get_by_test_id("search")).to_have_attribute("aria-activedescendant", row_id or "")
    browser.page.keyboard.press("Enter")


def test_typing_the_start_of_a_track_name_shows_it_as_the_top_result(
    browser: Browser, catalog: Catalog
) -> None:
    from playwright.sync_api import expect

    rows = _search(browser, catalog.live.url, "Neon Or")

    top = rows.and_(browser.page.locator('[data-top="true"]'))
    expect(top).to_have_count(1)
    expect(top).to_have_attribute("data-id", catalog.tracks["Neon Orchard"])
    expect(top).to_have_attribute("data-type", "track")
    expect(top).to_contain_text("Neon Orchard")
    expect(top).to_contain_text("Marigold Static")
    expect(browser.page.get_by_test_id("search")).to_have_attribute("aria-expanded", "true")

    # Escape closes the panel and keeps the text; a second one clears the box.
    browser.page.keyboard.press("Escape")
    expect(browser.page.get_by_test_id("search-panel")).to_be_hidden()
    expect(browser.page.get_by_test_id("search")).to_have_value("Neon Or")
    browser.page.keyboard.press("Escape")
    expect(browser.page.get_by_test_id("search")).to_have_value("")
    assert browser.errors == []


@pytest.mark.parametrize(
    ("typed", "meant"),
    [("Neon Orcahrd", "Neon Orchard"), ("Low Tide Rasio", "Low Tide Radio")],
    ids=["transposed", "substituted"],
)
def test_a_name_typed_with_a_typo_still_finds_the_track(
    browser: Browser, catalog: Catalog, typed: str, meant: str
) -> None:
    rows = _search(browser, catalog.live.url, typed)

    top_three = rows.evaluate_all("(rows) => rows.slice(0, 3).map((row) => row.dataset.id)")
    assert catalog.tracks[meant] in top_three, rows.evaluate_all("(rows) => rows.map((r) => r.textContent)")
    assert browser.errors == []


def test_arrow_down_and_enter_on_a_track_plays_it_from_its_album(browser: Browser, catalog: Catalog) -> None:
    from playwright.sync_api import expect

    track_id = catalog.tracks["Low Tide Radio"]
    rows = _search(browser, catalog.live.url, "Low Tide Radio")
    _choose_with_keys(browser, rows, track_id)

    page = browser.page
    page.wait_for_function(
        f"(id) => {STATE}.trackId === id && !{STATE}.paused && {STATE}.currentTime > 0.2", arg=track_id
    )
    expect(page.get_by_test_id("now-title")).to_have_text("Low Tide Radio")
    expect(page.get_by_test_id("search-panel")).to_be_hidden()
    state = page.evaluate(STATE)
    assert state["view"] == "album"
    assert page.url.endswith(f"#/album/{state['albumId']}")
    expect(page.locator(f'[data-testid="track-row"][data-track-id="{track_id}"]')).to_have_class(
        re.compile(r"\bplaying\b")
    )
    assert browser.errors == []


def test_enter_on_an_artist_opens_the_artist_page(browser: Browser, catalog: Catalog) -> None:
    from playwright.sync_api import expect

    artist_id = catalog.artists["Marigold Static"]
    rows = _search(browser, catalog.live.url, "Marigold Static")
    _choose_with_keys(browser, rows, artist_id)

    expect(browser.page).to_have_url(re.compile(f"#/artist/{artist_id}$"))
    expect(browser.page.get_by_test_id("artist-name")).to_have_text("Marigold Static")
    assert browser.errors == []


def test_nonsense_finds_nothing_and_says_so_quietly(browser: Browser, catalog: Catalog) -> None:
    from playwright.sync_api import expect

    rows = _search(browser, catalog.live.url, "xqzvkj wvvq")

    expect(browser.page.get_by_test_id("search-panel")).to_contain_text("No results for “xqzvkj wvvq”")
    expect(rows).to_have_count(0)
    expect(browser.page.get_by_test_id("search-did-you-mean")).to_have_count(0)
    assert browser.errors == []
