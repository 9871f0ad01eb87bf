"""Users and apps made through the accounts service, the browser half of the OAuth flow, and
personal-data providers that record what the privacy service asks of them."""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tonearm.accounts.models import User
from tonearm.accounts.service import account
from tonearm.config import Settings
from tonearm.kit.db import unit_of_work

REDIRECT = "http://127.0.0.1:8765/callback"
PASSWORD = "correct horse battery"


@dataclass(frozen=True)
class App:
    client_id: str
    secret: str | None


def make_user(client: TestClient, name: str, **fields: object) -> str:
    factory = client.app.state.session_factory  # type: ignore[attr-defined]
    options = {"password": PASSWORD, "country": "SE", **fields}
    with unit_of_work(factory) as session:
        return account.create_user(session, name, **options).id  # type: ignore[arg-type]


def make_app(client: TestClient, *, public: bool, redirect_uris: tuple[str, ...] = (REDIRECT,)) -> App:
    factory = client.app.state.session_factory  # type: ignore[attr-defined]
    with unit_of_work(factory) as session:
        row, secret = account.create_client(
            session, "Test App", redirect_uris=list(redirect_uris), confidential=not public
        )
        return App(row.client_id, secret)


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def sign_in(client: TestClient, name: str, password: str = PASSWORD) -> None:
    response = client.post(
        "/login", data={"name": name, "password": password, "next": "/"}, follow_redirects=False
    )
    assert response.status_code == 303, response.text


def consent_form(client: TestClient, params: dict[str, str]) -> dict[str, str]:
    """The hidden fields of the consent page for an authorization request."""
    page = client.get("/authorize", params=params, follow_redirects=False)
    assert page.status_code == 200, page.text
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page.text))


def authorize(
    client: TestClient, app: App, *, scope: str, challenge: str | None, decision: str = "allow"
) -> str:
    """Consent as the signed-in user; returns the code from the redirect."""
    params = {"client_id": app.client_id, "response_type": "code", "redirect_uri": REDIRECT, "scope": scope}
    params["state"] = "st4te"
    if challenge:
        params |= {"code_challenge": challenge, "code_challenge_method": "S256"}
    form = consent_form(client, params) | {"decision": decision}
    answer = client.post("/authorize", data=form, follow_redirects=False)
    assert answer.status_code == 303, answer.text
    location = urlsplit(answer.headers["location"])
    query = parse_qs(location.query)
    assert f"{location.scheme}://{location.netloc}{location.path}" == REDIRECT
    assert query["state"] == ["st4te"]
    if decision != "allow":
        assert query["error"] == ["access_denied"]
        return ""
    return query["code"][0]


@pytest.fixture
def listener(client: TestClient) -> str:
    return make_user(client, "ada", email="ada@example.org", product="premium")


@pytest.fixture
def client(client: TestClient) -> TestClient:
    """The shared client without its app token: these tests say which token each request sends."""
    client.headers.pop("Authorization")
    return client


@dataclass
class RecordingProvider:
    """A domain's personal data in the simplest way: a number of rows per user, exported as
    that many entries in each section; and every call the privacy service made, in order."""

    name: str
    sections: tuple[str, ...]
    rows: dict[str, int] = field(default_factory=dict)
    calls: list[tuple[str, str]] = field(default_factory=list)
    # At each erase: whether the user row was still there (accounts' own rows go last).
    saw_user: list[bool] = field(default_factory=list)

    def export(self, session: Session, user_id: str) -> dict[str, Any]:
        self.calls.append(("export", user_id))
        kept = [
            {"user_id": user_id, "row": n, "kept_by": self.name} for n in range(self.rows.get(user_id, 0))
        ]
        return {section: kept for section in self.sections}

    def erase(self, session: Session, user_id: str) -> int:
        self.calls.append(("erase", user_id))
        self.saw_user.append(session.get(User, user_id) is not None)
        return self.rows.pop(user_id, 0)


@pytest.fixture
def providers() -> tuple[RecordingProvider, RecordingProvider]:
    return (
        RecordingProvider("listening", ("listening_history",)),
        RecordingProvider("playlists", ("playlists", "followed_playlists")),
    )


@pytest.fixture
def api(settings: Settings, providers: tuple[RecordingProvider, ...]) -> Iterator[TestClient]:
    """The app with no token of its own, and the recording providers as its registered ones."""
    from tonearm.app import create_app

    with TestClient(create_app(settings), base_url="http://testserver") as client:
        client.app.state.personal_data = providers  # type: ignore[attr-defined]
        yield client
