"""A Tonearm app with a small published catalog, listeners' tokens, and devices: WebSocket
clients registered the way the web player registers itself."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.auth import EVERY_SCOPE, bearer, user_token
from tests.catalog_factory import make_track, publish
from tonearm.config import Settings
from tonearm.kit.db import unit_of_work

TRACK_MS = 200_000
ALBUM_TRACKS = 5


@dataclass(frozen=True)
class Catalog:
    album: str
    tracks: tuple[str, ...]  # the album's, in order
    single: str  # a track of another album


@pytest.fixture
def app(settings: Settings) -> FastAPI:
    from tonearm.app import create_app

    return create_app(settings)


@pytest.fixture
def api(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, base_url="http://testserver") as client:
        yield client


def publish_catalog(session_factory: Any) -> Catalog:
    album = [
        make_track(f"Night Drive {n}", album_name="Night Drive", track_number=n, duration_ms=TRACK_MS)
        for n in range(1, ALBUM_TRACKS + 1)
    ]
    single = make_track("Lone Single", album_name="Lone Single", album_type="single", duration_ms=TRACK_MS)
    with unit_of_work(session_factory) as session:
        ids = publish(session, *album, single)
    from tonearm.catalog import catalog

    with unit_of_work(session_factory) as session:
        album_id = catalog.get_track(session, ids[0], base="").album.id
    return Catalog(album=album_id, tracks=tuple(ids[:-1]), single=ids[-1])


@pytest.fixture
def tracks(app: FastAPI) -> Catalog:
    return publish_catalog(app.state.session_factory)


@pytest.fixture
def listener(app: FastAPI) -> str:
    """A premium listener's token, with every scope."""
    return user_token(app, f"listener-{secrets.token_hex(3)}")


@pytest.fixture
def as_listener(listener: str) -> dict[str, str]:
    return bearer(listener)


def app_user_token(app: FastAPI, name: str, *, product: str) -> str:
    """A token a third-party app holds for the user `name` (created with this product)."""
    from tonearm.accounts import account

    user_token(app, name, product=product)
    with unit_of_work(app.state.session_factory) as session:
        user = account.get_by_name(session, name)
        client, _secret = account.create_client(session, "Party Remote", redirect_uris=[])
        issued = account.issue_token(
            session, client_id=client.client_id, user_id=user.id, scope=EVERY_SCOPE, refresh=False
        )
        return issued.access_token


def hello(device_id: str, name: str = "Laptop", kind: str = "Computer", **extra: Any) -> dict[str, Any]:
    device = {"id": device_id, "name": name, "type": kind, "volume_percent": 50, **extra}
    return {"type": "hello", "device": device}


class Device:
    """A registered device's socket: what it received, read on demand."""

    def __init__(self, socket: Any, welcome: dict[str, Any]) -> None:
        self.socket, self.welcome = socket, welcome

    def next(self, kind: str, *, most: int = 50) -> dict[str, Any]:
        for _ in range(most):
            message: dict[str, Any] = self.socket.receive_json()
            if message["type"] == kind:
                return message
        raise AssertionError(f"no {kind} message in {most}")

    def command(self, device_id: str, action: str, *, most: int = 50) -> dict[str, Any]:
        """The next state message carrying `action` for `device_id`."""
        for _ in range(most):
            message = self.next("state")
            if any(c["device_id"] == device_id and c["action"] == action for c in message["commands"]):
                return message
        raise AssertionError(f"no {action} for {device_id}")

    def send(self, message: dict[str, Any]) -> None:
        self.socket.send_json(message)


@pytest.fixture
def connect(api: TestClient) -> Iterator[Callable[..., Any]]:
    """connect(token, device_id, ...) -> a context manager of a registered Device."""

    @contextmanager
    def open_device(token: str, device_id: str, **fields: Any) -> Iterator[Device]:
        with api.websocket_connect(f"/v1/me/player/connect?access_token={token}") as socket:
            socket.send_json(hello(device_id, **fields))
            welcome = socket.receive_json()
            assert welcome["type"] == "hello", welcome
            yield Device(socket, welcome)

    yield open_device
