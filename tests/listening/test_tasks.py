"""Retention: plays older than the setting go, newer ones and every tally stay."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.orm import Session, sessionmaker

from tests.listening.conftest import make_tracks, make_user, play
from tonearm.kit.db import unit_of_work
from tonearm.kit.time import unix_day, utcnow
from tonearm.listening.repository import ListeningRepository
from tonearm.listening.service import listening
from tonearm.listening.tasks import RECEIPT_AGE, RetentionJob, enforce_retention, forget_receipts

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def played(session_factory: sessionmaker[Session], user_id: str) -> list[str]:
    with unit_of_work(session_factory) as session:
        return [record.played_at[:10] for record in listening.history(session, user_id)]


def total_tallied(session_factory: sessionmaker[Session]) -> int:
    with unit_of_work(session_factory) as session:
        return sum(tally.plays for tally in listening.tallies(session))


def test_retention_deletes_plays_older_than_the_setting_and_keeps_tallies(
    session_factory: sessionmaker[Session],
) -> None:
    [song] = make_tracks(session_factory, "Song")
    ada, bo = make_user(session_factory, "ada"), make_user(session_factory, "bo")
    for days_ago in (200, 91, 90 - 1 / 24, 10):
        play(session_factory, ada, song, NOW - timedelta(days=days_ago))
    play(session_factory, bo, song, NOW - timedelta(days=120))
    assert enforce_retention(session_factory, 90, now=NOW) == 3
    assert played(session_factory, ada) == ["2026-03-03", "2026-05-22"]
    assert played(session_factory, bo) == []
    assert total_tallied(session_factory) == 5
    assert enforce_retention(session_factory, 90, now=NOW) == 0


def test_retention_works_through_a_backlog_in_batches(session_factory: sessionmaker[Session]) -> None:
    [song] = make_tracks(session_factory, "Song")
    ada = make_user(session_factory, "ada")
    for minutes in range(7):
        play(session_factory, ada, song, NOW - timedelta(days=100, minutes=minutes))
    play(session_factory, ada, song, NOW)
    assert enforce_retention(session_factory, 30, now=NOW, batch=3) == 7
    assert played(session_factory, ada) == ["2026-06-01"]


def test_retention_needs_a_positive_number_of_days(session_factory: sessionmaker[Session]) -> None:
    with pytest.raises(ValueError, match="positive"):
        enforce_retention(session_factory, 0)


def test_the_retention_job_runs_on_its_thread_and_stops(session_factory: sessionmaker[Session]) -> None:
    [song] = make_tracks(session_factory, "Song")
    ada = make_user(session_factory, "ada")
    play(session_factory, ada, song, utcnow() - timedelta(days=8))
    play(session_factory, ada, song, utcnow())
    job = RetentionJob(session_factory, days=7, interval_seconds=0.05)
    job.start()
    deadline = time.monotonic() + 10
    while len(played(session_factory, ada)) > 1 and time.monotonic() < deadline:
        time.sleep(0.02)
    job.stop()
    assert len(played(session_factory, ada)) == 1
    assert "listening-retention" not in {thread.name for thread in threading.enumerate()}


def test_a_failing_retention_run_is_logged_and_contained(
    session_factory: sessionmaker[Session],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    def broken(*_args: object, **_kwargs: object) -> int:
        raise RuntimeError("database went away")

    monkeypatch.setattr(listening, "delete_played_before", broken)
    job = RetentionJob(session_factory, days=7)
    assert job.run_once() is None
    assert "listening-retention" in capsys.readouterr().out


def test_receipts_are_kept_while_a_resend_could_be_accepted_then_deleted(
    session_factory: sessionmaker[Session],
) -> None:
    ages = {"ada:fresh": timedelta(days=1), "ada:month": timedelta(days=30), "ada:stale": RECEIPT_AGE}
    with unit_of_work(session_factory) as session:
        for receipt, age in ages.items():
            ListeningRepository(session).add_receipts([(unix_day(NOW - age - timedelta(days=1)), receipt)])
    assert forget_receipts(session_factory, now=NOW, batch=1) == 1
    with unit_of_work(session_factory) as session:
        keys = [(unix_day(NOW - age - timedelta(days=1)), receipt) for receipt, age in ages.items()]
        assert ListeningRepository(session).receipts(keys) == {"ada:fresh", "ada:month"}
    assert forget_receipts(session_factory, now=NOW) == 0


def test_the_retention_job_also_forgets_old_receipts(session_factory: sessionmaker[Session]) -> None:
    with unit_of_work(session_factory) as session:
        old = unix_day(utcnow() - RECEIPT_AGE - timedelta(days=1))
        ListeningRepository(session).add_receipts([(old, "ada:old")])
    assert RetentionJob(session_factory, days=7).run_once() == 1
    with unit_of_work(session_factory) as session:
        assert ListeningRepository(session).receipts([(old, "ada:old")]) == set()
