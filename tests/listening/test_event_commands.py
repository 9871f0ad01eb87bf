"""`tonearm events status` shows the playback topic's head and the listening consumer caught up
with it; `tonearm events replay` rebuilds the consumer's effect (history and counted streams)
from an offset or a time, without counting anything twice."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from typer.testing import CliRunner

from tests.listening.conftest import factory, first_party_token, make_tracks, make_user
from tests.listening.test_events import a_play, eventually, recently_played, send
from tonearm.cli import build_cli
from tonearm.config import Settings
from tonearm.kit.db import unit_of_work
from tonearm.listening import listening

CONSUMER = "listening-history"
runner = CliRunner()
cli = build_cli()


@pytest.fixture(autouse=True)
def same_data(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI opens the data folder the test's server runs on."""
    monkeypatch.setenv("TONEARM_DATA_DIR", str(settings.data_dir))


def _status() -> dict[str, Any]:
    result = runner.invoke(cli, ["events", "status", "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)  # type: ignore[no-any-return]


def _consumer(status: dict[str, Any]) -> dict[str, Any]:
    return next(c for c in status["consumers"] if c["consumer"] == CONSUMER)


def _streams(api: TestClient, user_id: str) -> int:
    with unit_of_work(factory(api)) as session:
        return sum(int(str(day["streams"])) for day in listening.stream_days(session, user_id))


@pytest.fixture
def played(api: TestClient) -> dict[str, Any]:
    """Two counted plays by ada, applied by the server's consumer."""
    sessions = factory(api)
    tracks = make_tracks(sessions, "First", "Second")
    user_id = make_user(sessions, "ada")
    token = first_party_token(sessions, "ada", "streaming user-read-recently-played")
    send(api, token, a_play(tracks[0], 40_000))
    send(api, token, a_play(tracks[1], 50_000))
    eventually(lambda: len(recently_played(api, token)) == 2)
    eventually(lambda: _consumer(_status())["lag"] == 0)
    return {"token": token, "user_id": user_id, "tracks": tracks}


def test_status_shows_each_topic_head_and_the_consumer_caught_up(
    api: TestClient, played: dict[str, Any]
) -> None:
    status = _status()
    playback = next(t for t in status["topics"] if t["topic"] == "playback")
    assert playback["head"] == 4 and playback["messages"] == 4
    assert playback["retention"]["max_age_seconds"] > 0
    assert {t["topic"] for t in status["topics"]} >= {"catalog", "accounts", "playback"}
    consumer = _consumer(status)
    assert consumer == {**consumer, "topic": "playback", "position": 4, "lag": 0, "registered": True}

    table = runner.invoke(cli, ["events", "status"]).output
    line = next(row for row in table.splitlines() if row.startswith(CONSUMER))
    assert "caught up" in line and "playback" in line
    assert "outbox:" in table


def test_replay_from_the_start_rebuilds_history_and_streams_without_counting_twice(
    api: TestClient, played: dict[str, Any]
) -> None:
    assert _streams(api, played["user_id"]) == 2
    before = recently_played(api, played["token"])
    # What the consumer derived went wrong (a bug, fixed since): the plays lost their lengths.
    with unit_of_work(factory(api)) as session:
        session.execute(text("UPDATE plays SET ms_played = 1"))

    result = runner.invoke(cli, ["events", "replay", CONSUMER, "--from", "0"])
    assert result.exit_code == 0, result.output
    assert "from offset 1: now at 4" in result.output
    assert recently_played(api, played["token"]) == before
    with unit_of_work(factory(api)) as session:
        lengths = session.execute(text("SELECT ms_played FROM plays ORDER BY ms_played")).scalars().all()
    assert lengths == [40_000, 50_000]
    assert _streams(api, played["user_id"]) == 2
    assert _consumer(_status())["lag"] == 0


def test_replay_from_a_time_replays_only_what_was_stored_since(
    api: TestClient, played: dict[str, Any]
) -> None:
    log = api.app.state.event_log  # type: ignore[attr-defined]
    second_play = log.read("playback", after=2, limit=1)[0].stored_at
    result = runner.invoke(cli, ["events", "replay", CONSUMER, "--from", second_play.isoformat()])
    assert result.exit_code == 0, result.output
    assert "from offset 3: now at 4" in result.output
    assert len(recently_played(api, played["token"])) == 2
    assert _streams(api, played["user_id"]) == 2


def test_replay_names_the_consumers_there_are_and_refuses_a_bad_start(api: TestClient) -> None:
    unknown = runner.invoke(cli, ["events", "replay", "no-such", "--from", "0"])
    assert unknown.exit_code == 1 and CONSUMER in unknown.output
    bad = runner.invoke(cli, ["events", "replay", CONSUMER, "--from", "yesterday"], env={"COLUMNS": "200"})
    assert bad.exit_code == 2 and "neither an offset nor an ISO 8601 time" in bad.output
