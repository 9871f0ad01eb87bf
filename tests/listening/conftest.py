"""Users, tokens, tracks and plays for the listening and privacy tests, made through the
services; and an API client that sends only the token each request names."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from tests.catalog_factory import make_track, publish
from tonearm.accounts.service import account
from tonearm.config import Settings
from tonearm.events import PLAYBACK, Event, PlaybackEvent, make
from tonearm.kit.consumers import Delivered
from tonearm.kit.db import unit_of_work
from tonearm.kit.time import iso_ms, utcnow
from tonearm.listening.consumer import STREAM_MS, PlaybackConsumer

PASSWORD = "correct horse battery"


def factory(api: TestClient) -> sessionmaker[Session]:
    return api.app.state.session_factory  # type: ignore[attr-defined,no-any-return]


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def make_tracks(session_factory: sessionmaker[Session], *names: str) -> list[str]:
    tracks = [
        # Four minutes long, as songs are: playback events are checked against the length.
        make_track(
            name,
            artist_names=(f"{name} Band",),
            track_number=number,
            duration_ms=240_000,
            samples=240 * 48000,
        )
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


@dataclass(frozen=True)
class Played:
    event_ids: tuple[str, ...]
    counted: bool


def play_events(
    user_id: str,
    track_id: str,
    at: datetime,
    *,
    ms_played: int = 60_000,
    country: str = "SE",
    product: str = "premium",
    client_id: str | None = None,
    device_id: str = "test-device",
    ending: str = "play.end",
) -> list[Event[Any]]:
    """A play.start at `at` and its end after `ms_played`, as the intake puts them on the log."""
    events = []
    for kind, offset in (("play.start", 0), (ending, ms_played)):
        event_id = uuid.uuid4().hex
        moment = at + timedelta(milliseconds=offset)
        payload: PlaybackEvent = {
            "user_id": user_id,
            "client_id": client_id,
            "country": country,
            "product": product,
            "event_id": event_id,
            "track_id": track_id,
            "context_uri": None,
            "device_id": device_id,
            "position_ms": offset,
            "ms_played": offset,
            "timestamp": iso_ms(moment),
            "offline": False,
            "received_at": iso_ms(moment),
        }
        events.append(make(PLAYBACK[kind], payload, id=f"{user_id}:{event_id}", occurred_at=moment))
    return events


def apply_events(session_factory: sessionmaker[Session], events: list[Event[Any]]) -> None:
    """What the playback consumer does with events read off the log."""
    batch = [Delivered(offset, utcnow(), event) for offset, event in enumerate(events, start=1)]
    with unit_of_work(session_factory) as session:
        PlaybackConsumer().apply(session, batch)


def play(
    session_factory: sessionmaker[Session],
    user_id: str,
    track_id: str,
    at: datetime,
    *,
    ms_played: int = 60_000,
    country: str = "SE",
    product: str = "premium",
    client_id: str | None = None,
) -> Played:
    """One play of the track, from its start at `at`, applied as the consumer applies it."""
    events = play_events(
        user_id, track_id, at, ms_played=ms_played, country=country, product=product, client_id=client_id
    )
    apply_events(session_factory, events)
    return Played(tuple(event.payload["event_id"] for event in events), ms_played >= STREAM_MS)


@pytest.fixture
def api(settings: Settings) -> Iterator[TestClient]:
    """The whole app on a SQLite file; each request says which token it sends."""
    from tonearm.app import create_app

    with TestClient(create_app(settings), base_url="http://testserver") as client:
        yield client
