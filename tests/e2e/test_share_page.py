"""The page a share link opens, in headless Chromium as a visitor who is not signed in: the cover,
the names, and a preview that really plays (and stops at 30 seconds of the track)."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from tests.e2e.conftest import Browser, Live, make_listener, require_browser, serve
from tonearm.accounts.service import account
from tonearm.config import Settings
from tonearm.ingest.demo import ingest_demo
from tonearm.kit.db import unit_of_work
from tonearm.runtime import open_runtime

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.timeout(120)]


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    """A server with one 34-second demo track, so a preview is shorter than the track."""
    require_browser()
    settings = Settings(data_dir=tmp_path_factory.mktemp("tonearm-share"))
    runtime = open_runtime(settings)
    try:
        ingest_demo(runtime.ingest_context(), seconds=34, count=1)
    finally:
        runtime.close()
    with serve(settings) as server:
        yield server


def _share(live: Live, uri: str) -> dict[str, Any]:
    listener = make_listener(live)
    with unit_of_work(live.session_factory) as session:
        token = account.token_for_name(session, listener.name, scope="user-read-private")
    request = urllib.request.Request(
        f"{live.url}/v1/shares",
        data=json.dumps({"uri": uri}).encode(),
        headers={"Authorization": f"Bearer {token.access_token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request) as answer:
        return dict(json.load(answer))


def _first_track(live: Live) -> dict[str, Any]:
    listener = make_listener(live)
    with unit_of_work(live.session_factory) as session:
        token = account.token_for_name(session, listener.name, scope="")
    request = urllib.request.Request(
        f"{live.url}/v1/browse/new-releases?limit=1",
        headers={"Authorization": f"Bearer {token.access_token}"},
    )
    with urllib.request.urlopen(request) as answer:
        album = json.load(answer)["albums"]["items"][0]
    request = urllib.request.Request(
        f"{live.url}/v1/albums/{album['id']}/tracks",
        headers={"Authorization": f"Bearer {token.access_token}"},
    )
    with urllib.request.urlopen(request) as answer:
        return dict(json.load(answer)["items"][0])


def test_a_signed_out_visitor_sees_the_track_and_hears_its_preview(browser: Browser, live: Live) -> None:
    from playwright.sync_api import expect

    track = _first_track(live)
    link = _share(live, track["uri"])
    page = browser.page
    page.goto(link["url"])
    expect(page.get_by_test_id("share-name")).to_have_text(track["name"])
    expect(page.get_by_test_id("share-byline")).to_contain_text(track["artists"][0]["name"])
    cover = page.get_by_test_id("share-cover")
    expect(cover).to_be_visible()
    assert cover.evaluate("(img) => img.complete && img.naturalWidth") == 640

    page.get_by_test_id("share-play").click()
    audio = page.get_by_test_id("share-audio")
    # It plays: time moves on, and what plays is the 30-second preview, not the 34-second track.
    page.wait_for_function(
        "() => { const a = document.querySelector('[data-testid=share-audio]'); return a.currentTime > 0.5 }"
    )
    # Its length comes from the file's last page, read by a range request.
    page.wait_for_function("() => document.querySelector('[data-testid=share-audio]').duration < 31")
    duration = audio.evaluate("(a) => a.duration")
    assert 29.5 <= duration <= 30.5, duration
    assert page.get_by_test_id("share-track").first.evaluate("(li) => li.classList.contains('playing')")
    page.get_by_test_id("share-play").click()  # pauses
    page.wait_for_function("() => document.querySelector('[data-testid=share-audio]').paused")
    assert browser.errors == []


def test_a_revoked_link_shows_that_it_no_longer_works(browser: Browser, live: Live) -> None:
    from playwright.sync_api import expect

    page = browser.page
    page.goto(f"{live.url}/s/{'0' * 22}")
    expect(page.get_by_test_id("share-gone")).to_contain_text("does not work")
