"""Users, tokens, tracks and plays for the listening and privacy tests, made through the
services; and an API client that sends only the token each request names."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from tests.catalog_factory import make_track, publish
from tonearm.accounts.service import account
from tonearm.config import Settings
from tonearm.kit.db import unit_of_work
from tonearm.listening.schemas import RecordedPlay
from tonearm.listening.service import listening

PASSWORD = "correct horse battery"


def factory(api: TestClient) -> sessionmaker[Session]:
    return api.app.state.session_factory  # type: ignore[attr-defined,no-any-return]


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def make_tracks(session_factory: sessionmaker[Session], *names: str) -> list[str]:
    tracks = [
        make_track(name, artist_names=(f"{name} Band",), track_number=number)
        for number, name in enumerate(names, start=1)
    ]
    with unit_of_work(session_factory) as session:
        return publish(session, *tracks)


def make_user(session_factory: sessionmaker[Session], name: str, **fields: Any) -> str:
    options = {"password": PASSWORD, "country": "SE", "product": "premium", **fields}
    with unit_of_work(session_factory) as session:
        return account.create_user(session, name, **options).id


def first_party_token(session_factory: sessionmaker[Session], name: str, scope: str) -> str:
    """A token issued to the tonearm CLI, one of the platform's own apps."""
    with unit_of_work(session_factory) as session:
        return account.token_for_name(session, name, scope=scope).access_token


def third_party_token(session_factory: sessionmaker[Session], user_id: str, scope: str) -> str:
    """A token a registered outside app holds for the user, refresh token and all."""
    with unit_of_work(session_factory) as session:
        app, _secret = account.create_client(session, "Outside App", redirect_uris=["http://127.0.0.1:9/cb"])
        return account.issue_token(
            session, client_id=app.client_id, user_id=user_id, scope=scope
        ).access_token


def app_only_token(session_factory: sessionmaker[Session], scope: str = "") -> str:
    """Client credentials: an app's own token, acting for no user."""
    with unit_of_work(session_factory) as session:
        app, _secret = account.create_client(session, "Robot", redirect_uris=[])
        return account.issue_token(
            session, client_id=app.client_id, user_id=None, scope=scope, refresh=False
        ).access_token


def play(
    session_factory: sessionmaker[Session],
    user_id: str,
    track_id: str,
    at: datetime,
    *,
    country: str = "SE",
    product: str = "premium",
    client_id: str | None = None,
) -> RecordedPlay:
    with unit_of_work(session_factory) as session:
        return listening.record_play(
            session,
            user_id=user_id,
            client_id=client_id,
            track_id=track_id,
            country=country,
            product=product,
            now=at,
        )


@pytest.fixture
def api(settings: Settings) -> Iterator[TestClient]:
    """The whole app on a SQLite file; each request says which token it sends."""
    from tonearm.app import create_app

    with TestClient(create_app(settings), base_url="http://testserver") as client:
        yield client
