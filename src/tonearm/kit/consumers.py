"""Event consumers: a named group reads one topic from its committed position and applies each
batch to the database in one unit of work, then commits its position on the log.

Delivery is at least once (a crash between the database commit and the log commit hands the
batch over again), so `apply` must be idempotent: keyed inserts, max() instead of +=, a flag
that guards a count. `forget` drops what a consumer derived from a point on, for a replay from there.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy.orm import Session, sessionmaker

from tonearm.backends.eventlog import EventLog, Message
from tonearm.events import Event, decode
from tonearm.kit import leases
from tonearm.kit.db import unit_of_work
from tonearm.kit.logs import get_logger
from tonearm.kit.time import utcnow
from tonearm.kit.worker import RENEW_SECONDS, LeasedLoop

__all__ = ["Consumer", "ConsumerRunner", "Delivered", "replay"]

BATCH = 1000
WAIT_SECONDS = 0.25
log = get_logger(__name__)


@dataclass(frozen=True, slots=True)
class Delivered:
    offset: int
    stored_at: datetime
    event: Event[Any]


class Consumer(Protocol):
    # The consumer group: its position on the log is kept under this name.
    name: str
    topic: str

    def apply(self, session: Session, batch: Sequence[Delivered]) -> None:
        """Apply the events' effect; applying the same events again changes nothing."""

    def forget(self, session: Session, since: datetime | None = None) -> None:
        """Drop the effects of events stored from `since` on (all of them when None), so a
        replay from there rebuilds them rather than skipping them as already applied."""


def _delivered(messages: Sequence[Message]) -> list[Delivered]:
    batch = []
    for message in messages:
        event = decode(message.payload)
        if event is None:
            log.warning("skipping an event this code does not know", type=message.type, offset=message.offset)
            continue
        batch.append(Delivered(message.offset, message.stored_at, event))
    return batch


class ConsumerRunner:
    """Runs one consumer in the background of every server process; a lease lets one of them
    work at a time."""

    def __init__(self, consumer: Consumer, log_: EventLog, session_factory: sessionmaker[Session]) -> None:
        self.consumer, self.log, self.session_factory = consumer, log_, session_factory
        self.loop = LeasedLoop(f"consumer-{consumer.name}", session_factory, self.step, idle_seconds=0.01)

    def start(self) -> None:
        self.loop.start()

    def stop(self) -> None:
        self.loop.stop()

    def step(self, limit: int = BATCH) -> bool:
        """Apply the next batch; True when there was one."""
        topic, group = self.consumer.topic, self.consumer.name
        position = self.log.position(group, topic)
        messages = self.log.read(topic, after=position, limit=limit)
        if not messages:
            self.log.wait(topic, after=position, timeout=WAIT_SECONDS)
            return False
        if messages[0].offset > position + 1:
            log.warning(
                "consumer fell behind retention; messages were lost to it",
                consumer=group,
                missed=messages[0].offset - position - 1,
            )
        batch = _delivered(messages)
        if batch:
            with unit_of_work(self.session_factory) as session:
                self.consumer.apply(session, batch)
        self.log.commit(group, topic, messages[-1].offset)
        return True

    def catch_up(self, *, timeout: float = 60.0) -> int:
        """Apply everything up to the topic's head now (CLI and tests); the new position."""
        deadline = time.monotonic() + timeout
        while self.step() and time.monotonic() < deadline:
            pass
        return self.log.position(self.consumer.name, self.consumer.topic)


def replay(
    consumer: Consumer,
    log_: EventLog,
    session_factory: sessionmaker[Session],
    *,
    after: int,
    owner: str = "replay",
) -> int:
    """Rebuild a consumer's effect from offset `after` on: take its lease from the server
    process running it, wait until that process has noticed, forget what was derived from
    there on, move the position back, and apply up to the head. Returns the position."""
    runner = ConsumerRunner(consumer, log_, session_factory)
    lease = runner.loop.lease_name
    held = leases.holder(session_factory, lease)
    leases.take(session_factory, lease, owner, ttl=RENEW_SECONDS * 10, force=True)
    # A running holder renews (and finds the lease gone) within RENEW_SECONDS; until then it may
    # still commit the batch in hand.
    if held is not None and held[0] != owner and held[1] > utcnow():
        time.sleep(RENEW_SECONDS + 0.5)
    try:
        since = None
        if after > 0:
            first = log_.read(consumer.topic, after=after, limit=1)
            since = first[0].stored_at if first else utcnow()
        with unit_of_work(session_factory) as session:
            consumer.forget(session, since)
        log_.seek(consumer.name, consumer.topic, max(0, after))
        return runner.catch_up(timeout=3600)
    finally:
        leases.release(session_factory, lease, owner)
