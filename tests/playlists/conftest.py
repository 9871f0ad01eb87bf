"""An app with a few published tracks and users, and a client that sends the token each call names."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.auth import bearer, user_token
from tests.catalog_factory import make_track, publish
from tonearm.config import Settings
from tonearm.kit.db import unit_of_work


@dataclass
class Api:
    client: TestClient
    tracks: list[str]

    def token(self, name: str, **fields: Any) -> str:
        return user_token(self.client.app, name, **fields)

    def user_id(self, name: str) -> str:
        return str(self.call(name, "GET", "/v1/me").json()["id"])

    def call(self, name: str, method: str, path: str, **kwargs: Any) -> Any:
        headers = {**bearer(self.token(name)), **kwargs.pop("headers", {})}
        return self.client.request(method, path, headers=headers, **kwargs)

    def uris(self, *numbers: int) -> list[str]:
        return [f"spotify:track:{self.tracks[n]}" for n in numbers]

    def create(self, user: str, **body: Any) -> dict[str, Any]:
        answer = self.call(user, "POST", "/v1/me/playlists", json={"name": "Mix", **body})
        assert answer.status_code == 201, answer.text
        return dict(answer.json())

    def track_ids(self, name: str, playlist_id: str) -> list[str]:
        answer = self.call(name, "GET", f"/v1/playlists/{playlist_id}/tracks?limit=100")
        assert answer.status_code == 200, answer.text
        return [item["track"]["id"] for item in answer.json()["items"]]


def _api(settings: Settings) -> Iterator[Api]:
    from tonearm.app import create_app

    app = create_app(settings)
    with TestClient(app, base_url="http://testserver") as client:
        tracks = [make_track(f"Song {n}", track_number=n + 1) for n in range(12)]
        with unit_of_work(app.state.session_factory) as session:
            ids = publish(session, *tracks)
        yield Api(client, ids)


@pytest.fixture
def api(settings: Settings) -> Iterator[Api]:
    yield from _api(settings)


@pytest.fixture(scope="module")
def shared_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    """One app for a module whose tests each make their own playlists (the bad-input cases)."""
    folder = tmp_path_factory.mktemp("playlists")
    yield from _api(Settings(data_dir=folder / "var", rate_limit_url="off", signing_keys="k1:secret"))
