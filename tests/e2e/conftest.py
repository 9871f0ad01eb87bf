"""What the browser tests share: a real server on a free port, and a page in headless Chromium
that notes every console error. Each test module serves its own catalog and names its
`base_url` fixture."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tonearm.app import WEB_DIST, create_app
from tonearm.config import Settings

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--autoplay-policy=no-user-gesture-required",
]
STATE = "window.tonearm.state()"


def require_browser() -> None:
    """Skip, saying what to install, unless Chromium, Playwright and the built player are here."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing (install the Debian chromium package)")
    if not (WEB_DIST / "index.html").exists():
        pytest.skip(
            f"{WEB_DIST / 'index.html'} is missing: build the player with "
            "`cd src/tonearm/web && npm ci && npm run build` (or `make web`)"
        )
    pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")


@contextmanager
def serve(settings: Settings) -> Iterator[str]:
    """The Tonearm app on a free port in a thread, for as long as the block lasts; its URL."""
    import uvicorn

    app = create_app(settings)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off", ws="none")
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


@dataclass
class Browser:
    page: Any
    errors: list[str] = field(default_factory=list)


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    """Headless Chromium, started once for the tests of a module."""
    require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def browser(base_url: str, chromium: Any) -> Iterator[Browser]:
    """A page of its own (a fresh browser context) that notes every console error and uncaught
    exception."""
    context = chromium.new_context(viewport={"width": 1280, "height": 800})
    try:
        page = context.new_page()
        page.set_default_timeout(15_000)
        browser = Browser(page)
        page.on(
            "console",
            lambda message: (
                browser.errors.append(f"console: {message.text}") if message.type == "error" else None
            ),
        )
        page.on("pageerror", lambda error: browser.errors.append(f"uncaught: {error}"))
        yield browser
    finally:
        context.close()
