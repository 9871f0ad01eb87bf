"""Listening jobs: listening history is kept `listening_history_days`, then deleted, and the
receipts that catch late resends are kept as long as a resend can be accepted, then deleted.

    deleted = enforce_retention(runtime.session_factory, settings.listening_history_days)

or, in a long-running process, every hour in one process at a time:

    job = RetentionJob(runtime.session_factory, settings.listening_history_days)
    job.start()   # at startup
    job.stop()    # at shutdown

Only the personal plays go; the anonymous play tallies stay, since royalties are paid from them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from tonearm.kit.db import unit_of_work
from tonearm.kit.time import utcnow
from tonearm.kit.worker import PeriodicJob
from tonearm.listening.intake import FUTURE_SLACK, MAX_AGE
from tonearm.listening.service import RETENTION_BATCH
from tonearm.listening.service import listening as listening_service

__all__ = ["RECEIPT_AGE", "RetentionJob", "enforce_retention", "forget_receipts"]

# An event is accepted up to MAX_AGE after its timestamp, and its receipt is keyed by the day of
# that timestamp, so the receipts of days wholly before this long ago can only match events
# that would be refused anyway.
RECEIPT_AGE = MAX_AGE + FUTURE_SLACK + timedelta(days=1)


def enforce_retention(
    session_factory: sessionmaker[Session],
    days: int,
    now: datetime | None = None,
    *,
    batch: int = RETENTION_BATCH,
) -> int:
    """Delete every play older than `days` days; returns how many. Each batch is its own unit of
    work, so a large backlog never holds a long lock, and a failure keeps what was done."""
    if days <= 0:
        raise ValueError(f"days must be positive, got {days}")
    cutoff = (now or utcnow()) - timedelta(days=days)
    return _in_batches(
        session_factory,
        lambda session: listening_service.delete_played_before(session, cutoff, limit=batch),
        batch,
    )


def forget_receipts(
    session_factory: sessionmaker[Session], now: datetime | None = None, *, batch: int = RETENTION_BATCH
) -> int:
    """Delete the receipts of days wholly before RECEIPT_AGE ago, in batches; how many."""
    cutoff = (now or utcnow()) - RECEIPT_AGE
    return _in_batches(
        session_factory,
        lambda session: listening_service.delete_receipts_before(session, cutoff, limit=batch),
        batch,
    )


def _in_batches(session_factory: sessionmaker[Session], delete: Callable[[Session], int], batch: int) -> int:
    total = 0
    while True:
        with unit_of_work(session_factory) as session:
            deleted = delete(session)
        total += deleted
        if deleted < batch:
            return total


class RetentionJob(PeriodicJob):
    """Plays past the history setting and receipts past RECEIPT_AGE go, every `interval_seconds`."""

    def __init__(
        self, session_factory: sessionmaker[Session], days: int, interval_seconds: float = 3600.0
    ) -> None:
        if days <= 0:
            raise ValueError(f"days must be positive, got {days}")
        self.days = days
        super().__init__(
            "listening-retention",
            session_factory,
            lambda: enforce_retention(session_factory, days) + forget_receipts(session_factory),
            interval_seconds,
        )
