"""The artist portal in the web player, in headless Chromium against a real server: Ann
Lindqvist's account opens it from the navigation and sees her streams and listeners, her top
track, the Swedish market, her rightsholder's final statement for last month (the amount as the
run paid it) and the provisional one for this month, and opens last month's to her tracks' lines;
Bo Berg's rightsholder and track, played in the same months, never show. An artist account with
nothing played yet sees that said; a listener has no Artist portal in the navigation, and the
page, opened by its address, says it is for artist accounts.

The tracks are catalog rows without audio (nothing is played in the browser); the plays are
applied as the playback consumer applies them, and the royalty runs are made in-process before
the browser opens."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pytest

from tests.catalog_factory import make_track, publish
from tests.e2e.conftest import Browser, Listener, Live, make_listener, require_browser, serve, sign_in
from tests.listening.conftest import play
from tonearm.accounts.service import account
from tonearm.catalog import catalog
from tonearm.config import Settings
from tonearm.kit.db import unit_of_work
from tonearm.kit.time import utcnow
from tonearm.royalties.service import RoyaltiesService

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.timeout(60)]

NOW = utcnow()
THIS_MONTH_BEGAN = NOW.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
# The tenth of last month, noon: a closed month, within the 90 days of plays kept.
LAST = (THIS_MONTH_BEGAN - timedelta(days=1)).replace(day=10, hour=12)
LAST_MONTH = LAST.strftime("%Y-%m")
THIS_MONTH = NOW.strftime("%Y-%m")
# Halfway into this month so far: an open month, paid provisionally.
LATELY = THIS_MONTH_BEGAN + (NOW - THIS_MONTH_BEGAN) / 2 - timedelta(minutes=1)


@dataclass(frozen=True)
class Portal:
    live: Live
    ann: Listener  # the artist account of Ann Lindqvist
    fan: Listener  # a listener who played Ann's and Bo's tracks
    paid_last_month: int  # what Lindqvist Music earned from Ann's tracks, in öre


def _song(name: str, artist: str, number: int) -> Any:
    # Four minutes long, as songs are: plays are checked against the length.
    return make_track(
        name,
        artist_names=(artist,),
        album_name=f"{artist} EP",
        album_artist_names=(artist,),
        track_number=number,
        duration_ms=240_000,
        samples=240 * 48000,
    )


def _user_id(live: Live, listener: Listener) -> str:
    with unit_of_work(live.session_factory) as session:
        return account.get_by_name(session, listener.name).id


def _plays(live: Live, plays: list[tuple[Listener, str, datetime, int]]) -> None:
    for n, (who, track, at, ms_played) in enumerate(plays):
        play(
            live.session_factory,
            _user_id(live, who),
            track,
            at + timedelta(minutes=5 * n),
            ms_played=ms_played,
        )


@pytest.fixture(scope="module")
def portal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Portal]:
    """Ann's two tracks (Lindqvist Music) streamed five times last month by three listeners and
    once this month, Bo's (Berg Records) twice each month; last month paid, this month provisional."""
    require_browser()
    settings = Settings(data_dir=tmp_path_factory.mktemp("tonearm-artist-portal"))
    with serve(settings) as live:
        with unit_of_work(live.session_factory) as session:
            lights, harbour, bo_song = publish(
                session,
                _song("Northern Lights", "Ann Lindqvist", 1),
                _song("Quiet Harbour", "Ann Lindqvist", 2),
                _song("Borrowed Time", "Bo Berg", 1),
            )
            holder = catalog.set_rightsholder(session, [lights, harbour], "Lindqvist Music").id
            catalog.set_rightsholder(session, [bo_song], "Berg Records")
        ann = make_listener(live, role="artist")
        with unit_of_work(live.session_factory) as session:
            account.link_artist(session, ann.name, catalog.artist_id_for("Ann Lindqvist"))
        fan, cy, eve = (make_listener(live) for _ in range(3))
        counted, skipped = 60_000, 10_000
        _plays(
            live,
            [
                (fan, lights, LAST, counted),
                (fan, lights, LAST, counted),
                (fan, harbour, LAST, counted),
                (cy, lights, LAST, counted),
                (cy, harbour, LAST, skipped),  # under 30 s: not a stream
                (eve, harbour, LAST, counted),
                (eve, bo_song, LAST, counted),
                (eve, bo_song, LAST, counted),
                (fan, lights, LATELY, counted),
                (eve, bo_song, LATELY, counted),
                (eve, bo_song, LATELY, counted),
            ],
        )
        royalties = RoyaltiesService(settings, live.session_factory)
        royalties.run(LAST_MONTH)
        royalties.run(THIS_MONTH, provisional=True)
        paid = royalties.published.statement(LAST_MONTH, holder)["totals"][0]["amount_minor"]
        yield Portal(live, ann, fan, paid)


@pytest.fixture(scope="module")
def live(portal: Portal) -> Live:
    return portal.live


def _amount(page: Any, minor: int) -> str:
    """Öre as this browser writes kronor."""
    script = "(major) => new Intl.NumberFormat(undefined, {style: 'currency', currency: 'SEK'}).format(major)"
    return str(page.evaluate(script, minor / 100))


def test_an_artist_sees_streams_listeners_markets_top_tracks_and_statements_of_their_own(
    browser: Browser, live: Live, portal: Portal
) -> None:
    from playwright.sync_api import expect

    page = browser.page
    sign_in(browser, live, portal.ann)
    page.get_by_test_id("nav-artist-portal").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Artist portal")

    page.get_by_role("button", name="90 days").click()
    expect(page.get_by_role("button", name="90 days")).to_have_attribute("aria-pressed", "true")
    expect(page.get_by_test_id("total-streams")).to_have_text("6")
    expect(page.get_by_test_id("total-listeners")).to_have_text("3")
    expect(page.get_by_test_id("streams-chart").locator("rect")).to_have_count(90)
    sweden = page.get_by_test_id("market-table").locator('[data-key="SE"] td')
    expect(sweden).to_have_text([re.compile(r"\bSE\b"), "6", "3"])
    expect(page.get_by_test_id("top-tracks").get_by_test_id("row").first).to_contain_text("Northern Lights")

    rows = page.get_by_test_id("statement-row")
    expect(rows).to_have_count(2)
    paid = rows.and_(page.locator(f'[data-month="{LAST_MONTH}"]'))
    expect(paid).to_contain_text("Lindqvist Music")
    expect(paid.get_by_test_id("statement-amount")).to_have_text(_amount(page, portal.paid_last_month))
    expect(paid.get_by_test_id("provisional")).to_have_count(0)
    open_month = rows.and_(page.locator(f'[data-month="{THIS_MONTH}"]'))
    expect(open_month.get_by_test_id("provisional")).to_have_text("Provisional")

    paid.click()
    statement = page.get_by_test_id("statement")
    expect(statement.get_by_test_id("statement-title")).to_contain_text("Lindqvist Music")
    expect(statement.get_by_test_id("statement-total")).to_have_text(_amount(page, portal.paid_last_month))
    lines = statement.get_by_test_id("statement-lines").get_by_test_id("row")
    expect(lines).to_have_count(2)
    expect(lines.filter(has_text="Northern Lights").locator("td").nth(3)).to_have_text("3")
    expect(lines.filter(has_text="Quiet Harbour").locator("td").nth(3)).to_have_text("2")
    for others in ("Berg Records", "Borrowed Time", "Bo Berg"):
        expect(page.locator("main")).not_to_contain_text(others)
    assert browser.errors == []


def test_an_artist_with_nothing_played_yet_is_told_so(browser: Browser, live: Live) -> None:
    from playwright.sync_api import expect

    page = browser.page
    newcomer = make_listener(live, role="artist")
    with unit_of_work(live.session_factory) as session:
        account.link_artist(session, newcomer.name, catalog.ensure_artist(session, "Cora Unplayed"))
    sign_in(browser, live, newcomer)
    page.get_by_test_id("nav-artist-portal").click()
    expect(page.get_by_test_id("artist-stats").get_by_test_id("empty")).to_have_text("No streams yet.")
    expect(page.get_by_test_id("statement-row")).to_have_count(0)
    expect(page.get_by_text("No statements yet.")).to_be_visible()
    assert browser.errors == []


def test_a_listener_has_no_artist_portal(browser: Browser, live: Live, portal: Portal) -> None:
    from playwright.sync_api import expect

    page = browser.page
    sign_in(browser, live, portal.fan)
    expect(page.get_by_test_id("nav-home")).to_be_visible()
    # The profile that decides it has come: the name shows once /v1/me has answered.
    expect(page.get_by_test_id("nav-artist-portal")).to_be_hidden()
    page.goto(f"{live.url}/#/artist")
    expect(page.get_by_test_id("empty")).to_have_text("The artist portal is for artist accounts.")
    # Chromium notes each refused request in the console: here, the portal's two.
    refused = "the server responded with a status of 403"
    assert [error for error in browser.errors if refused not in error] == []
