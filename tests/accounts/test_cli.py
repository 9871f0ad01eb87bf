"""The operator's commands: users and apps, a token that works against the API, and an
erasure that is immediate and goes through every domain's provider."""

from __future__ import annotations

import json
from pathlib import Path

import orjson
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from tests.accounts.conftest import RecordingProvider
from tonearm import cli as cli_module
from tonearm.cli import build_cli
from tonearm.config import Settings
from tonearm.kit.db import make_engine
from tonearm.kit.outbox import OutboxRow

cli = build_cli()


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


def test_users_erase_is_immediate_and_goes_through_every_registered_provider(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    providers = (RecordingProvider("listening", ("listening_history",)), RecordingProvider("charts", ()))
    monkeypatch.setattr(cli_module.commands, "personal_data", lambda: providers)
    runner.invoke(cli, ["users", "create", "cleo", "--password", "long enough", "--country", "SE"])
    runner.invoke(cli, ["users", "token", "cleo"])
    cleo = runner.invoke(cli, ["users", "list"]).output.split("\t")[1]
    providers[0].rows[cleo] = 2

    erased = runner.invoke(cli, ["users", "erase", "cleo", "--yes"])

    assert erased.exit_code == 0, erased.output
    assert (
        erased.output.strip()
        == "erased cleo: 1 tokens, 0 artist links, 0 apps released; listening 2, charts 0"
    )
    assert providers[0].calls == providers[1].calls == [("erase", cleo)]
    assert "cleo" not in runner.invoke(cli, ["users", "list"]).output
    engine = make_engine(Settings(data_dir=tmp_path / "var").resolved_database_url)
    with Session(engine) as session:
        [row] = session.scalars(select(OutboxRow).where(OutboxRow.type == "user.erased"))
    engine.dispose()
    assert orjson.loads(row.body)["data"] == {
        "user_id": cleo,
        "providers": ["listening", "charts", "accounts"],
    }


def test_users_erase_asks_first_and_keeps_the_user_on_no(runner: CliRunner) -> None:
    runner.invoke(cli, ["users", "create", "dan", "--password", "long enough", "--country", "SE"])
    kept = runner.invoke(cli, ["users", "erase", "dan"], input="n\n")
    assert kept.exit_code == 1 and "for good?" in kept.output
    assert "dan" in runner.invoke(cli, ["users", "list"]).output
    unknown = runner.invoke(cli, ["users", "erase", "nobody", "--yes"])
    assert unknown.exit_code == 1 and "no user named 'nobody'" in unknown.output


def test_users_erase_builds_its_providers_from_the_domain_registry() -> None:
    from tonearm.domains import plugins

    offered = [plugin.personal_data for plugin in plugins() if plugin.personal_data]
    assert [type(provider) for provider in cli_module._personal_data()] == [
        type(build()) for build in offered
    ]
