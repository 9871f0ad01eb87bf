"""The outbox relay: publishes committed outbox rows to the event log, oldest first, then
deletes them. Run by one process at a time (a lease); a crash after publishing and before
deleting publishes the same ids again, which the log answers as duplicates."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import groupby

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, sessionmaker

from tonearm.backends.eventlog import EventLog, Outgoing
from tonearm.kit.db import unit_of_work
from tonearm.kit.outbox import OutboxRow, committed
from tonearm.kit.worker import LeasedLoop

__all__ = ["OutboxRelay"]

BATCH = 500


class OutboxRelay:
    def __init__(self, session_factory: sessionmaker[Session], log: EventLog) -> None:
        self.session_factory, self.log = session_factory, log
        self.loop = LeasedLoop(
            "outbox-relay", session_factory, self.relay_once, idle_seconds=0.2, wake=committed
        )

    def start(self) -> None:
        self.loop.start()

    def stop(self) -> None:
        self.loop.stop()

    def relay_once(self, limit: int = BATCH) -> bool:
        """Publish and delete up to `limit` rows; True when there were any."""
        with unit_of_work(self.session_factory) as session:
            rows = session.scalars(select(OutboxRow).order_by(OutboxRow.seq).limit(limit)).all()
            if not rows:
                return False
            self._publish(rows)
            session.execute(delete(OutboxRow).where(OutboxRow.seq <= rows[-1].seq))
        return True

    def drain(self) -> int:
        """Relay everything pending now (the CLI, and tests); how many rows went."""
        total = 0
        while True:
            with self.session_factory() as session:
                pending = session.scalar(select(func.count()).select_from(OutboxRow)) or 0
            if not pending or not self.relay_once():
                return total
            total += min(pending, BATCH)

    def _publish(self, rows: Sequence[OutboxRow]) -> None:
        # Consecutive rows of one topic go in one append, so each topic keeps commit order.
        for topic, group in groupby(rows, key=lambda row: row.topic):
            self.log.append(topic, [Outgoing(row.event_id, row.type, row.body) for row in group])
