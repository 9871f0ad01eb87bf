"""`tonearm recs train` and `tonearm recs build`, and the hourly schedule: a model is trained
once there are plays and again only when there are new ones a day later; lists are rebuilt
past their age; one listener's failing build keeps their last list and the others go on."""

from __future__ import annotations

from datetime import timedelta

import pytest
from typer.testing import CliRunner

from tests.recs.conftest import Recs
from tonearm.cli import build_cli
from tonearm.config import Settings
from tonearm.kit.db import unit_of_work
from tonearm.kit.time import utcnow
from tonearm.recs import ModelStore, RecsService
from tonearm.recs.repository import RecsRepository
from tonearm.recs.tasks import build_lists, train_if_due


def _env(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TONEARM_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("TONEARM_SIGNING_KEYS", settings.signing_keys)


def test_the_commands_train_with_progress_and_build_each_listeners_list(
    api: Recs, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    api.stream("alice", 0, 1, 2, times=2)
    api.stream("bob", 1, 2, 3, 9)
    _env(settings, monkeypatch)
    trained = CliRunner().invoke(build_cli(), ["recs", "train"])
    assert trained.exit_code == 0, trained.output
    assert "] factorising" in trained.output or "%]" in trained.output
    assert "2 listeners, 36 tracks" in trained.output.strip().splitlines()[-1]

    built = CliRunner().invoke(build_cli(), ["recs", "build", "--product", "discover-weekly"])
    assert built.exit_code == 0, built.output
    lines = built.output.strip().splitlines()
    assert lines[-1] == "built discover-weekly for 2 listeners"
    assert any(line.startswith(f"{api.user_id('alice')}: Discover Weekly: ") for line in lines)

    wrong = CliRunner().invoke(build_cli(), ["recs", "build", "--product", "weekly-wonders"])
    assert wrong.exit_code != 0 and "discover-weekly" in wrong.output


def test_a_model_is_trained_once_there_are_plays_and_again_a_day_later_only_for_new_ones(api: Recs) -> None:
    blobs = api.client.app.state.blobs  # type: ignore[attr-defined]
    assert not train_if_due(api.factory(), blobs)  # nothing played yet
    api.stream("alice", 0, 1)
    assert train_if_due(api.factory(), blobs)
    assert not train_if_due(api.factory(), blobs)  # trained just now
    assert not train_if_due(api.factory(), blobs, now=utcnow() + timedelta(days=2))  # nothing new since
    api.stream("alice", 5)
    assert train_if_due(api.factory(), blobs, now=utcnow() + timedelta(days=2))
    with unit_of_work(api.factory()) as session:
        latest = RecsRepository(session).latest_model()
    assert latest is not None and latest.users == 1


def test_lists_are_rebuilt_past_their_age_and_a_failing_one_keeps_the_last(
    api: Recs, monkeypatch: pytest.MonkeyPatch
) -> None:
    api.stream("alice", 0, 1, times=2)
    api.stream("bob", 2, 3, times=2)
    api.train()
    service = RecsService(ModelStore(api.client.app.state.blobs))  # type: ignore[attr-defined]
    assert build_lists(service, api.factory(), "discover-weekly") == 2
    assert build_lists(service, api.factory(), "discover-weekly", due_only=True) == 0
    before = api.made("bob", "discover-weekly")["tracks"]

    real = service.build

    def failing_for_bob(session, user_id, product, moment):  # type: ignore[no-untyped-def]
        if user_id == api.user_id("bob"):
            raise RuntimeError("the model broke")
        return real(session, user_id, product, moment)

    monkeypatch.setattr(service, "build", failing_for_bob)
    later = utcnow() + timedelta(days=8)
    assert build_lists(service, api.factory(), "discover-weekly", due_only=True, now=later) == 1
    monkeypatch.undo()
    with unit_of_work(api.factory()) as session:
        rows = {row.user_id: row for row in RecsRepository(session).lists(api.user_id("bob"))}
    assert rows and api.made("bob", "discover-weekly")["tracks"] == before
