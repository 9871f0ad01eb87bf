"""The web player in a real headless Chromium against a real server on a short demo catalog:
browse to the first album, play its first track, and check the next one starts on its own."""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tonearm.app import WEB_DIST, create_app
from tonearm.config import Settings
from tonearm.ingest.demo import ingest_demo
from tonearm.runtime import open_runtime

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.timeout(120)]

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--autoplay-policy=no-user-gesture-required",
]
STATE = "window.tonearm.state()"


def _require_browser() -> None:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing (install the Debian chromium package)")
    if not (WEB_DIST / "index.html").exists():
        pytest.skip(
            f"{WEB_DIST / 'index.html'} is missing: build the player with "
            "`cd src/tonearm/web && npm ci && npm run build` (or `make web`)"
        )
    pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A Tonearm server on a free port, serving a 3-track demo catalog of 6-second tracks."""
    _require_browser()
    import uvicorn

    settings = Settings(data_dir=tmp_path_factory.mktemp("tonearm-e2e"))
    runtime = open_runtime(settings)
    try:
        ingest_demo(runtime.ingest_context(), seconds=6, count=3)
    finally:
        runtime.close()

    app = create_app(settings)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_level="warning", lifespan="off", ws="none"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 15
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the test server did not start")
            time.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
        app.state.runtime.close()


@pytest.fixture
def page(base_url: str) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 800})
            page = context.new_page()
            page.set_default_timeout(15_000)
            page.console_errors = []  # type: ignore[attr-defined]

            def on_console(message: Any) -> None:
                if message.type == "error":
                    page.console_errors.append(f"console: {message.text}")  # type: ignore[attr-defined]

            page.on("console", on_console)
            page.on("pageerror", lambda error: page.console_errors.append(f"page: {error}"))  # type: ignore[attr-defined]
            yield page
        finally:
            browser.close()


def test_plays_an_album_and_goes_on_to_the_next_track_by_itself(page: Any, base_url: str) -> None:
    from playwright.sync_api import expect

    page.goto(f"{base_url}/")
    expect(page.get_by_test_id("artist-card").first).to_be_visible()

    # Browse: all albums -> the first album -> its tracks.
    page.get_by_test_id("nav-albums").click()
    page.get_by_test_id("album-card").first.click()
    rows = page.get_by_test_id("track-row")
    expect(rows).to_have_count(3)
    titles = [title.strip() for title in page.get_by_test_id("track-title").all_inner_texts()]

    # Play the first track: its clock must move.
    rows.first.click()
    page.wait_for_function(f"{STATE}.trackId !== null && !{STATE}.paused && {STATE}.currentTime > 0.3")
    first = page.evaluate(STATE)
    assert first["title"] == titles[0]
    expect(page.get_by_test_id("now-title")).to_have_text(titles[0])
    time.sleep(0.6)
    assert page.evaluate(STATE)["currentTime"] > first["currentTime"] + 0.3

    # The rendition in use is shown, from the hls.js level playing.
    expect(page.get_by_test_id("quality")).to_have_text(re.compile(r"^(AAC|Opus|FLAC) "))
    assert page.evaluate(STATE)["level"] >= 0

    # No click: the second track must take over when the first ends, and keep playing.
    page.wait_for_function(
        f"{STATE}.title === {titles[1]!r} && !{STATE}.paused && {STATE}.currentTime > 0.3",
        timeout=20_000,
    )
    second = page.evaluate(STATE)
    assert second["queueIndex"] == 1
    expect(page.get_by_test_id("now-title")).to_have_text(titles[1])
    time.sleep(0.6)
    assert page.evaluate(STATE)["currentTime"] > second["currentTime"] + 0.3

    # It was joined on the audio clock, before the first track's `ended` event.
    joins = page.evaluate(STATE)["joins"]
    assert len(joins) == 1, joins
    assert joins[0]["to"] == second["trackId"]
    assert abs(joins[0]["gapMs"]) < 30, joins

    assert page.console_errors == []  # type: ignore[attr-defined]
