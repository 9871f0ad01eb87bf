"""Signing up, in and out of the web player (OAuth 2.0 authorization code with PKCE), in headless
Chromium against a real server on a one-track demo catalog: a new visitor signs up and plays; a
token the server no longer takes is refreshed, a revoked session ends cleanly; a rate limit is
waited out."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from tests.e2e.conftest import PASSWORD, STATE, Browser, Listener, Live, require_browser, serve, sign_in
from tonearm.accounts.service import account
from tonearm.config import Settings
from tonearm.ingest.demo import ingest_demo
from tonearm.kit.db import unit_of_work
from tonearm.kit.limits import LIMITS, Quota, RateLimits
from tonearm.runtime import open_runtime

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.timeout(120)]

TOKENS = "JSON.parse(localStorage.getItem('tonearm.auth'))"
# Change some fields of the stored tokens, as time or the server would have.
AMEND_TOKENS = f"(fields) => localStorage.setItem('tonearm.auth', JSON.stringify({{...{TOKENS}, ...fields}}))"


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    """A server on one two-second demo track, Paper Satellites by Marigold Static."""
    require_browser()
    settings = Settings(data_dir=tmp_path_factory.mktemp("tonearm-accounts"))
    runtime = open_runtime(settings)
    try:
        ingest_demo(runtime.ingest_context(), seconds=2, count=1)
    finally:
        runtime.close()
    with serve(settings) as live:
        yield live


def _unexpected(errors: list[str], *statuses: int) -> list[str]:
    """The console errors other than Chromium's note of each failed request with `statuses`."""
    expected = tuple(f"the server responded with a status of {status}" for status in statuses)
    return [error for error in errors if not any(note in error for note in expected)]


def test_a_new_visitor_signs_up_and_plays_a_track(browser: Browser, live: Live) -> None:
    from playwright.sync_api import expect

    page = browser.page
    page.goto(f"{live.url}/#/albums")
    expect(page.get_by_test_id("welcome")).to_be_visible()
    expect(page.get_by_test_id("search")).to_be_hidden()

    page.get_by_test_id("sign-up").click()
    expect(page).to_have_url(re.compile(r"/signup\?next=%2Fauthorize%3F"))
    page.get_by_label("Name (to sign in with)").fill("ada")
    page.get_by_label("Display name").fill("Ada Lovelace")
    page.get_by_label("Email (optional)").fill("ada@example.org")
    page.get_by_label("Country (two letters, e.g. SE)").fill("SE")
    page.get_by_label("Password (8 characters or more)").fill(PASSWORD)
    page.get_by_role("button", name="Sign up").click()

    # Back in the player, signed in, on the page it started from, with the code gone from the URL.
    expect(page.get_by_test_id("account-name")).to_have_text("Ada Lovelace")
    expect(page.get_by_test_id("account-product")).to_have_text("Free")
    expect(page).to_have_url(f"{live.url}/#/albums")
    expect(page.get_by_test_id("album-card")).to_have_count(1)

    page.get_by_test_id("search").click()
    page.keyboard.type("Paper Satellites", delay=30)
    page.locator('[data-testid="search-item"][data-type="track"]').first.click()
    page.wait_for_function(f"!{STATE}.paused && window.tonearm.player.current.audio.currentTime > 0.3")
    expect(page.get_by_test_id("now-title")).to_have_text("Paper Satellites")
    assert browser.errors == []


def test_signing_out_ends_the_session_on_the_server_too(
    browser: Browser, live: Live, listener: Listener
) -> None:
    from playwright.sync_api import expect

    page = browser.page
    sign_in(browser, live, listener)
    page.get_by_test_id("sign-out").click()

    expect(page.get_by_test_id("welcome")).to_be_visible()
    expect(page.get_by_test_id("account-name")).to_be_hidden()
    assert page.evaluate(TOKENS) is None
    # Signing in again asks for the password: the server's session cookie is gone too.
    page.get_by_test_id("sign-in").click()
    expect(page).to_have_url(re.compile(r"/login\?next="))
    assert browser.errors == []


def test_a_rejected_token_is_refreshed_and_a_revoked_session_signs_out_cleanly(
    browser: Browser, live: Live, listener: Listener
) -> None:
    from playwright.sync_api import expect

    page = browser.page
    sign_in(browser, live, listener)
    page.goto(f"{live.url}/#/artists")  # the player opens on Home; the artists are one page
    first = page.evaluate(TOKENS)

    # The server no longer takes the access token: one refresh, and the page loads as before.
    page.evaluate(AMEND_TOKENS, {"access": "tA.stale"})
    page.reload()
    expect(page.get_by_test_id("artist-card")).to_have_count(1)
    expect(page.get_by_test_id("account-name")).to_have_text(listener.display_name)
    second = page.evaluate(TOKENS)
    assert second["access"] not in (first["access"], "tA.stale")
    assert second["refresh"] != first["refresh"]

    # About to expire: refreshed before it is sent, so the server never answers 401.
    rejected = len(browser.errors)
    page.evaluate(AMEND_TOKENS, {"expiresAt": 0})
    page.reload()
    expect(page.get_by_test_id("artist-card")).to_have_count(1)
    assert page.evaluate(TOKENS)["access"] != second["access"]
    assert len(browser.errors) == rejected

    # Revoked on the server: no refresh can help, so the player signs out and says why.
    with unit_of_work(live.session_factory) as session:
        assert account.revoke(session, page.evaluate(TOKENS)["refresh"])
    page.get_by_test_id("nav-albums").click()
    expect(page.get_by_test_id("welcome")).to_be_visible()
    expect(page.get_by_test_id("notice")).to_contain_text("Sign in again")
    expect(page.get_by_test_id("sign-in")).to_be_visible()
    assert page.evaluate(TOKENS) is None
    assert _unexpected(browser.errors, 400, 401) == []


def test_over_the_rate_limit_the_player_says_so_and_waits_as_told(
    browser: Browser, live: Live, listener: Listener
) -> None:
    from playwright.sync_api import expect

    page = browser.page
    sign_in(browser, live, listener)
    page.goto(f"{live.url}/#/artists")
    limits: RateLimits = live.app.state.rate_limits
    # One request a second: of the two the page sends at once on loading, one is refused.
    live.app.state.rate_limits = RateLimits(limits.limiter, {**LIMITS, "standard": Quota(1, 1)})
    try:
        page.reload()
        expect(page.get_by_test_id("notice")).to_contain_text("Too many requests")
        expect(page.get_by_test_id("artist-card")).to_have_count(1)
        expect(page.get_by_test_id("account-name")).to_have_text(listener.display_name)
    finally:
        live.app.state.rate_limits = limits
    assert _unexpected(browser.errors, 429) == []
