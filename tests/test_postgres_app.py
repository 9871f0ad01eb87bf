"""The whole platform on PostgreSQL: migrations, accounts, an upload through ingest, reads and a
manifest."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.auth import user_token
from tests.ingest.conftest import write_tone
from tonearm.app import create_app
from tonearm.config import Settings

pytestmark = pytest.mark.postgres


def test_an_upload_plays_on_postgresql(postgres_url: str, tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "var", database_url=postgres_url, signing_keys="k1:s")
    master = write_tone(tmp_path / "pg.wav", seconds=1.0)
    app = create_app(settings)
    with TestClient(app) as client, master.open("rb") as handle:
        client.headers["Authorization"] = f"Bearer {user_token(app, 'boss', role='admin')}"
        response = client.post(
            "/v1/ingest",
            files={"file": ("pg.wav", handle)},
            data={"album": "On Postgres", "artists": "Elephant"},
        )
        assert response.status_code == 201, response.text
        track_id = response.json()["tracks"][0]["id"]
        track = client.get(f"/v1/tracks/{track_id}").json()
        assert track["album"]["name"] == "On Postgres"
        assert track["is_playable"] is True
        manifest = client.get(f"/v1/tracks/{track_id}/manifest").json()
        assert len(manifest["renditions"]) == 6
        assert client.get(manifest["renditions"][0]["url"]).status_code == 200
