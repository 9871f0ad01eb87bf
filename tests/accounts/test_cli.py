"""The operator's commands: users and apps, and a token that works against the API."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from tonearm.cli import app as cli
from tonearm.config import Settings


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("TONEARM_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("TONEARM_SIGNING_KEYS", "k1:secret")
    return CliRunner()


def test_users_create_list_set_product_and_a_token_that_works(runner: CliRunner, tmp_path: Path) -> None:
    created = runner.invoke(cli, ["users", "create", "cleo", "--password", "long enough", "--country", "de"])
    assert created.exit_code == 0, created.output
    assert "free, listener, DE" in created.output
    assert runner.invoke(cli, ["users", "set-product", "cleo", "premium"]).output.strip() == "cleo: premium"
    assert "cleo" in runner.invoke(cli, ["users", "list"]).output
    token = runner.invoke(cli, ["users", "token", "cleo", "--scope", "user-read-private"]).output.strip()
    from tonearm.app import create_app

    settings = Settings(data_dir=tmp_path / "var", signing_keys="k1:secret")
    with TestClient(create_app(settings)) as client:
        me = client.get("/v1/me", headers={"Authorization": f"Bearer {token}"}).json()
    assert me["display_name"] == "cleo" and me["product"] == "premium" and me["country"] == "DE"


def test_bad_input_exits_1_with_the_reason(runner: CliRunner) -> None:
    short = runner.invoke(cli, ["users", "create", "dan", "--password", "short", "--country", "SE"])
    assert short.exit_code == 1 and "at least 8" in short.output
    land = runner.invoke(cli, ["users", "create", "dan", "--password", "long enough", "--country", "XX"])
    assert land.exit_code == 1 and "not an ISO 3166-1" in land.output
    scope = runner.invoke(cli, ["users", "create", "dan", "--password", "long enough", "--country", "SE"])
    assert scope.exit_code == 0
    bad = runner.invoke(cli, ["users", "token", "dan", "--scope", "read-everything"])
    assert bad.exit_code == 1 and "unknown scope 'read-everything'" in bad.output


def test_apps_create_prints_its_credentials_once_as_json(runner: CliRunner) -> None:
    command = ["apps", "create", "Jukebox", "--redirect-uri", "http://127.0.0.1:9/cb", "--json"]
    made = runner.invoke(cli, command)
    assert made.exit_code == 0, made.output
    shown = json.loads(made.output)
    assert len(shown["client_id"]) == 32 and len(shown["client_secret"]) == 32
    assert shown["redirect_uris"] == ["http://127.0.0.1:9/cb"]
    public = json.loads(runner.invoke(cli, ["apps", "create", "Web", "--public", "--json"]).output)
    assert public["client_secret"] is None
