"""The transactional outbox: a domain's events are written in the same transaction as its
change, and relayed to the event log after commit.

`emit(session, event)` adds the event to the `outbox` table inside the caller's unit of work: if
the change rolls back, so does the event, and if it commits, so does the event. The relay
(`kit.relay`) publishes committed rows in order and deletes them; a crash between publishing
and deleting publishes them again under the same ids, which the log de-duplicates.
"""

from __future__ import annotations

import threading
from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, Integer, LargeBinary, String, event
from sqlalchemy.orm import Mapped, Session, mapped_column

from tonearm.events import Event, encode
from tonearm.kit.db import Base
from tonearm.kit.time import utcnow

__all__ = ["OutboxRow", "committed", "emit"]

# Set after a commit that wrote outbox rows in this process, so the relay wakes at once
# instead of on its next poll.
committed = threading.Event()


class OutboxRow(Base):
    __tablename__ = "outbox"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    event_id: Mapped[str] = mapped_column(String(64), unique=True)
    topic: Mapped[str] = mapped_column(String(64))
    type: Mapped[str] = mapped_column(String(64))
    body: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


def emit(session: Session, *events: Event[Any]) -> None:
    """Queue events in the session's transaction; they reach the log only if it commits."""
    now = utcnow()
    for item in events:
        session.add(
            OutboxRow(event_id=item.id, topic=item.topic, type=item.name, body=encode(item), created_at=now)
        )
    session.info["outbox"] = True


@event.listens_for(Session, "after_commit")
def _wake_relay(session: Session) -> None:
    if session.info.pop("outbox", False):
        committed.set()


@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop("outbox", None)
