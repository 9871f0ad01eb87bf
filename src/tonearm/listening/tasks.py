"""Listening jobs: listening history is kept `listening_history_days`, then deleted.

    deleted = enforce_retention(runtime.session_factory, settings.listening_history_days)

or, in a long-running process, every hour on a daemon thread:

    job = RetentionJob(runtime.session_factory, settings.listening_history_days)
    job.start()   # at startup
    job.stop()    # at shutdown

Only the personal plays go; the anonymous play tallies stay, since royalties are paid from them.
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from tonearm.kit.db import unit_of_work
from tonearm.kit.logs import get_logger
from tonearm.kit.time import utcnow
from tonearm.listening.service import RETENTION_BATCH
from tonearm.listening.service import listening as listening_service

__all__ = ["RetentionJob", "enforce_retention"]

log = get_logger(__name__)


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
    total = 0
    while True:
        with unit_of_work(session_factory) as session:
            deleted = listening_service.delete_played_before(session, cutoff, limit=batch)
        total += deleted
        if deleted < batch:
            return total


class RetentionJob:
    """Runs enforce_retention at start and then every `interval_seconds` on a daemon thread. A
    failed run is logged and the next one tries again; it never takes the process down."""

    def __init__(
        self, session_factory: sessionmaker[Session], days: int, interval_seconds: float = 3600.0
    ) -> None:
        if days <= 0 or interval_seconds <= 0:
            raise ValueError("days and interval_seconds must be positive")
        self.session_factory, self.days, self.interval_seconds = session_factory, days, interval_seconds
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def run_once(self) -> int | None:
        """One pass: how many plays it deleted, or None when it failed (and logged why)."""
        try:
            deleted = enforce_retention(self.session_factory, self.days)
        except Exception:
            log.exception("listening retention failed", days=self.days)
            return None
        if deleted:
            log.info("listening retention", deleted=deleted, days=self.days)
        return deleted

    def start(self) -> None:
        if self._thread is not None:
            return
        self._stopping.clear()
        self._thread = threading.Thread(target=self._loop, name="listening-retention", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _loop(self) -> None:
        while not self._stopping.is_set():
            self.run_once()
            self._stopping.wait(self.interval_seconds)
