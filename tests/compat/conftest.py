"""A real Tonearm server on a free port, driven by the real spotipy client: a catalog published
through the catalog service, listeners and apps made through the accounts service, and the
browser half of the OAuth flow done as a browser would (sign in, consent, read the code off the
redirect), so the client's own OAuth classes exchange and refresh their tokens with us."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TypeVar

import httpx
import pytest
import requests
import spotipy
from spotipy.cache_handler import MemoryCacheHandler
from spotipy.oauth2 import SpotifyClientCredentials, SpotifyOAuth, SpotifyPKCE

from tests.catalog_factory import make_track, publish
from tests.e2e.conftest import Live, serve
from tonearm.accounts.service import account
from tonearm.catalog.service import catalog as catalog_service
from tonearm.config import Settings
from tonearm.kit.db import unit_of_work
from tonearm.runtime import open_runtime

REDIRECT = "http://127.0.0.1:8765/callback"
PASSWORD = "correct horse battery"
LISTENER = "ada"
STATE = "st4te"
ALBUM_TRACKS = 23
TIMEOUT = 10
_HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')

AuthManager = SpotifyPKCE | SpotifyOAuth | SpotifyClientCredentials
M = TypeVar("M", SpotifyPKCE, SpotifyOAuth, SpotifyClientCredentials)


@dataclass(frozen=True)
class Catalog:
    """What the module's server holds: a long album by one artist, a single by another."""

    album: str
    album_tracks: tuple[str, ...]  # in album order
    album_artist: str
    single: str
    single_track: str
    single_artist: str


@dataclass(frozen=True)
class App:
    client_id: str
    secret: str | None


def _publish_catalog(settings: Settings) -> Catalog:
    long_player = [
        make_track(
            f"Orbit {number:02d}",
            album_name="Long Player",
            artist_names=("Marigold Static",),
            album_artist_names=("Marigold Static",),
            track_number=number,
            isrc=f"SEXYZ24{number:05d}",
        )
        for number in range(1, ALBUM_TRACKS + 1)
    ]
    single = make_track(
        "Paper Moth",
        album_name="Paper Moth",
        album_type="single",
        artist_names=("Low Tide Radio",),
        album_artist_names=("Low Tide Radio",),
    )
    runtime = open_runtime(settings)
    try:
        with unit_of_work(runtime.session_factory) as session:
            tracks = publish(session, *long_player, single)
            album = catalog_service.get_track(session, tracks[0], base="").album
            single_album = catalog_service.get_track(session, tracks[-1], base="").album
    finally:
        runtime.close()
    return Catalog(
        album=album.id,
        album_tracks=tuple(tracks[:-1]),
        album_artist=album.artists[0].id,
        single=single_album.id,
        single_track=tracks[-1],
        single_artist=single_album.artists[0].id,
    )


@pytest.fixture(scope="module")
def server_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(
        data_dir=tmp_path_factory.mktemp("compat") / "var", signing_keys="k1:secret", rate_limit_url="off"
    )


@pytest.fixture(scope="module")
def published(server_settings: Settings) -> Catalog:
    return _publish_catalog(server_settings)


@pytest.fixture(scope="module")
def live(server_settings: Settings, published: Catalog) -> Iterator[Live]:
    """The module's server, on the catalog published before it started."""
    with serve(server_settings) as live:
        yield live


@pytest.fixture(scope="module")
def listener(live: Live) -> str:
    """The module's listener (premium, in Sweden, with an email address); returns the user id."""
    with unit_of_work(live.session_factory) as session:
        user = account.create_user(
            session, LISTENER, password=PASSWORD, country="SE", product="premium", email="ada@example.org"
        )
        return user.id


def make_app(live: Live, *, confidential: bool) -> App:
    with unit_of_work(live.session_factory) as session:
        row, secret = account.create_client(
            session, "Spotipy Script", redirect_uris=[REDIRECT], confidential=confidential
        )
        return App(row.client_id, secret)


@pytest.fixture(scope="module")
def public_app(live: Live) -> App:
    return make_app(live, confidential=False)


def pkce(live: Live, client_id: str, scope: str) -> SpotifyPKCE:
    """spotipy's PKCE manager, pointed at our accounts pages, its token kept in memory."""
    manager = SpotifyPKCE(
        client_id,
        REDIRECT,
        state=STATE,
        scope=scope,
        open_browser=False,
        cache_handler=MemoryCacheHandler(),
        requests_timeout=TIMEOUT,
    )
    return _pointed(manager, live)


def code_flow(live: Live, app: App, scope: str) -> SpotifyOAuth:
    """spotipy's authorization-code manager for a confidential app (its secret, no PKCE)."""
    manager = SpotifyOAuth(
        app.client_id,
        app.secret,
        REDIRECT,
        state=STATE,
        scope=scope,
        open_browser=False,
        cache_handler=MemoryCacheHandler(),
        requests_timeout=TIMEOUT,
    )
    return _pointed(manager, live)


def client_credentials(live: Live, app: App) -> SpotifyClientCredentials:
    manager = SpotifyClientCredentials(
        app.client_id, app.secret, cache_handler=MemoryCacheHandler(), requests_timeout=TIMEOUT
    )
    return _pointed(manager, live)


def _pointed(manager: M, live: Live) -> M:
    # Class attributes in spotipy, overridden per instance: Spotify's accounts service is ours.
    if not isinstance(manager, SpotifyClientCredentials):
        manager.OAUTH_AUTHORIZE_URL = f"{live.url}/authorize"
    manager.OAUTH_TOKEN_URL = f"{live.url}/api/token"
    return manager


@pytest.fixture(scope="module")
def browser(live: Live) -> Iterator[httpx.Client]:
    """The listener's browser: it keeps its session cookie, so only its first authorization goes
    by the sign-in page, as a returning user's would."""
    with httpx.Client(base_url=live.url, timeout=TIMEOUT) as client:
        yield client


def consent(browser: httpx.Client, authorize_url: str, decision: str = "allow") -> str:
    """What a browser does with the authorize URL: signs in if sent to, agrees (or not) on the
    consent page; returns the redirect URI with its query, which it never opens."""
    page = browser.get(authorize_url)
    if page.status_code == 307:
        login = httpx.URL(page.headers["location"])
        form = {"name": LISTENER, "password": PASSWORD, "next": login.params["next"]}
        signed_in = browser.post("/login", data=form)
        assert signed_in.status_code == 303, signed_in.text
        page = browser.get(signed_in.headers["location"])
    assert page.status_code == 200, page.text
    fields = {key: html.unescape(value) for key, value in _HIDDEN.findall(page.text)}
    answer = browser.post("/authorize", data=fields | {"decision": decision})
    assert answer.status_code == 303, answer.text
    location: str = answer.headers["location"]
    assert location.startswith(f"{REDIRECT}?")
    return location


def authorize(browser: httpx.Client, manager: SpotifyPKCE | SpotifyOAuth) -> None:
    """The whole flow: the browser's half, then the manager exchanges the code for its token."""
    state, code = manager.parse_auth_response_url(consent(browser, manager.get_authorize_url()))
    assert state == manager.state
    if isinstance(manager, SpotifyPKCE):
        manager.get_access_token(code, check_cache=False)
    else:
        manager.get_access_token(code, as_dict=False, check_cache=False)


def spotify(
    live: Live, *, auth_manager: AuthManager | None = None, token: str | None = None
) -> spotipy.Spotify:
    """A spotipy client on our API. Its requests session has no retry adapter, so a server
    error shows as itself rather than as spotipy's "max retries" 429."""
    client = spotipy.Spotify(
        auth=token, auth_manager=auth_manager, requests_session=requests.Session(), requests_timeout=TIMEOUT
    )
    client.prefix = f"{live.url}/v1/"
    return client


@pytest.fixture(scope="module")
def reader(live: Live, browser: httpx.Client, public_app: App, listener: str) -> spotipy.Spotify:
    """The listener's client through a public app's PKCE flow, with user-read-private and
    user-read-email: what most tests read through."""
    manager = pkce(live, public_app.client_id, "user-read-private,user-read-email")
    authorize(browser, manager)
    return spotify(live, auth_manager=manager)
