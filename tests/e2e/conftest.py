"""What the browser tests share: a real server on a free port, listeners made through the
accounts service, and a page in headless Chromium that notes every console error. Each test
module serves its own catalog and names its `live` fixture (a `Live` from `serve`)."""

from __future__ import annotations

import json
import secrets
import socket
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy.orm import Session, sessionmaker

from tonearm.accounts.service import account
from tonearm.app import WEB_DIST, create_app
from tonearm.config import Settings
from tonearm.kit.db import unit_of_work

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--autoplay-policy=no-user-gesture-required",
]
STATE = "window.tonearm.state()"
PASSWORD = "correct horse battery"


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


@dataclass(frozen=True)
class Live:
    """A running server: its URL, and its app (for its database and rate limits)."""

    url: str
    app: FastAPI

    @property
    def session_factory(self) -> sessionmaker[Session]:
        return self.app.state.session_factory  # type: ignore[no-any-return]


@dataclass(frozen=True)
class Listener:
    name: str
    display_name: str


@contextmanager
def serve(settings: Settings, *, ws: str = "none") -> Iterator[Live]:
    """The Tonearm app on a free port in a thread, for as long as the block lasts, with its
    background jobs (the outbox relay, the event consumers) running as in a server. WebSockets
    (the player's device sockets) only with `ws`, uvicorn's name for an implementation."""
    import uvicorn

    app = create_app(settings)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on", ws=ws)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 15
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the test server did not start")
            time.sleep(0.05)
        yield Live(f"http://127.0.0.1:{port}", app)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


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


def make_listener(live: Live, **fields: Any) -> Listener:
    """A new account (premium, in Sweden, unless `fields` say otherwise) with a name of its own."""
    name = f"listener-{secrets.token_hex(4)}"
    options = {"password": PASSWORD, "country": "SE", "product": "premium", **fields}
    with unit_of_work(live.session_factory) as session:
        user = account.create_user(session, name, **options)
        return Listener(user.name, user.display_name)


def api_get(live: Live, listener: Listener, path: str) -> Any:
    """GET a /v1 path as `listener` (with a token issued by the service, not the browser's)."""
    with unit_of_work(live.session_factory) as session:
        scope = "streaming user-read-private user-read-recently-played"
        token = account.token_for_name(session, listener.name, scope=scope)
    request = urllib.request.Request(
        live.url + path, headers={"Authorization": f"Bearer {token.access_token}"}
    )
    with urllib.request.urlopen(request) as answer:
        return json.load(answer)


def sign_in(browser: Browser, live: Live, listener: Listener) -> None:
    """Open the player and sign in as a user would: Sign in, the login page, back with a code."""
    from playwright.sync_api import expect

    page = browser.page
    page.goto(f"{live.url}/")
    page.get_by_test_id("sign-in").click()
    page.get_by_label("Name").fill(listener.name)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_test_id("account-name")).to_have_text(listener.display_name)


def _watched_page(context: Any) -> Browser:
    """A new page in `context` that notes every console error and uncaught exception."""
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
    return browser


@pytest.fixture(scope="module")
def listener(live: Live) -> Listener:
    """The module's premium listener."""
    return make_listener(live)


@pytest.fixture(scope="module")
def storage_state() -> dict[str, Any] | None:
    """What each test's browser starts with: nothing, as a new visitor's, unless a module says."""
    return None


@pytest.fixture(scope="module")
def signed_in_state(chromium: Any, live: Live, listener: Listener) -> dict[str, Any]:
    """The cookies and storage of a browser that signed in as `listener` through the login page,
    once for the module: a module whose `storage_state` is this starts each test as a returning
    user, signed in."""
    context = chromium.new_context()
    try:
        browser = _watched_page(context)
        sign_in(browser, live, listener)
        assert browser.errors == []
        return context.storage_state()  # type: ignore[no-any-return]
    finally:
        context.close()


@pytest.fixture
def browser(live: Live, chromium: Any, storage_state: dict[str, Any] | None) -> Iterator[Browser]:
    """A page of its own (a fresh browser context, from `storage_state`) that notes every console
    error and uncaught exception."""
    context = chromium.new_context(viewport={"width": 1280, "height": 800}, storage_state=storage_state)
    try:
        yield _watched_page(context)
    finally:
        context.close()


@contextmanager
def signed_in_browser(chromium: Any, live: Live, listener: Listener) -> Iterator[Browser]:
    """A second browser of its own (a new context) signed in as `listener` through the login
    page, for a test in which two people use the player at once."""
    context = chromium.new_context(viewport={"width": 1280, "height": 800})
    try:
        browser = _watched_page(context)
        sign_in(browser, live, listener)
        yield browser
    finally:
        context.close()
