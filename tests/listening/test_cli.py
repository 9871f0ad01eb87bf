"""`tonearm listening retention`: the operator's way to apply the retention setting now."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.listening.conftest import make_tracks, make_user, play
from tonearm.cli import build_cli
from tonearm.config import Settings
from tonearm.kit.db import unit_of_work
from tonearm.kit.time import utcnow
from tonearm.listening.service import listening
from tonearm.runtime import open_runtime

cli = build_cli()


def test_retention_deletes_history_older_than_the_setting_and_says_how_much(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TONEARM_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("TONEARM_SIGNING_KEYS", "k1:secret")
    monkeypatch.setenv("TONEARM_LISTENING_HISTORY_DAYS", "30")
    runtime = open_runtime(Settings())
    [song] = make_tracks(runtime.session_factory, "Song")
    ada = make_user(runtime.session_factory, "ada")
    for days_ago in (45, 31, 2):
        play(runtime.session_factory, ada, song, utcnow() - timedelta(days=days_ago))

    done = CliRunner().invoke(cli, ["listening", "retention"])

    assert done.exit_code == 0, done.output
    assert done.output.strip() == "deleted 2 plays older than 30 days"
    with unit_of_work(runtime.session_factory) as session:
        assert len(listening.history(session, ada)) == 1
        assert sum(tally.plays for tally in listening.tallies(session)) == 3
    runtime.close()
