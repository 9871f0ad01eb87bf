"""Event log: append-only topics of messages, read by consumer groups from their own offsets.

Every adapter keeps the same rules, which the contract suite checks:

- A topic is a sequence of messages numbered by `offset`, 1, 2, 3 ... in append order; offsets
  are never reused. `append` returns only once the messages are durable (on disk, or
  acknowledged by the server), and answers, per message, its offset and whether it was a
  duplicate: a message whose `id` the topic already holds is not appended again, and its
  earlier offset is returned.
- `read(topic, after=n)` returns messages with offsets greater than n, oldest first. Retention
  may have removed the oldest: `first_offset` says where the topic now starts, and a reader
  whose next offset is below it has missed messages (the first it reads is that many past
  `after + 1`).
- A consumer group's position is the last offset it has finished with. Delivery is at least
  once: a consumer that stops before `commit` is handed the same messages again, so every
  consumer's effect must be idempotent.
- An engine that is down raises `BackendError` (503 over HTTP): nothing is acknowledged that
  was not stored.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, runtime_checkable
from urllib.parse import urlsplit

from tonearm.backends.registry import SchemeRegistry

__all__ = [
    "ADAPTER_MODULES",
    "Appended",
    "ConsumerPosition",
    "EventLog",
    "Message",
    "Outgoing",
    "Retention",
    "TopicStatus",
    "check_name",
    "event_logs",
    "open_event_log",
]

# Topic and group names: what both SQLite and a JetStream stream or durable name accept.
_NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-_")


def check_name(name: str, what: str = "topic") -> str:
    if not name or len(name) > 64 or not set(name) <= _NAME_CHARS:
        raise ValueError(f"{what} name '{name[:80]}' must be 1-64 of a-z, 0-9, '-' and '_'")
    return name


@dataclass(frozen=True, slots=True)
class Retention:
    """How long a topic keeps messages: the oldest go once older than `max_age_seconds`, or once
    the topic holds more than `max_bytes` of payload. None keeps them."""

    max_age_seconds: float | None = None
    max_bytes: int | None = None


@dataclass(frozen=True, slots=True)
class Outgoing:
    """A message to append: `id` de-duplicates (the same id twice is one message), `type` is
    the event name, `payload` its JSON bytes."""

    id: str
    type: str
    payload: bytes


@dataclass(frozen=True, slots=True)
class Message:
    topic: str
    offset: int
    id: str
    type: str
    payload: bytes
    # When the log stored it (UTC).
    stored_at: datetime


@dataclass(frozen=True, slots=True)
class Appended:
    offset: int
    duplicate: bool


@dataclass(frozen=True, slots=True)
class TopicStatus:
    topic: str
    # Offsets of the oldest retained and the newest message; first > last when it is empty.
    first_offset: int
    last_offset: int
    messages: int
    bytes: int
    retention: Retention


@dataclass(frozen=True, slots=True)
class ConsumerPosition:
    group: str
    topic: str
    # The last offset the group has finished with (0: none yet).
    position: int
    # How many retained messages are after it.
    lag: int


@runtime_checkable
class EventLog(Protocol):
    def ensure_topic(self, topic: str, retention: Retention = Retention()) -> None:
        """Create the topic if it is new; set its retention either way."""

    def append(self, topic: str, messages: Sequence[Outgoing]) -> list[Appended]:
        """Store the messages durably, in order; one answer per message."""

    def read(self, topic: str, *, after: int, limit: int = 1000) -> list[Message]:
        """Up to `limit` messages with offsets above `after`, oldest first."""

    def wait(self, topic: str, *, after: int, timeout: float) -> bool:
        """Block until the topic has a message above `after` (True) or the timeout passes."""

    def offset_at(self, topic: str, moment: datetime) -> int:
        """The offset just before the first message stored at or after `moment`: reading after it
        replays from that time."""

    def position(self, group: str, topic: str) -> int:
        """The group's committed position on the topic (0 when it has none)."""

    def commit(self, group: str, topic: str, offset: int) -> None:
        """The group has finished with every message up to `offset`."""

    def seek(self, group: str, topic: str, offset: int) -> None:
        """Move the group's position, backwards too (a replay)."""

    def enforce_retention(self, topic: str) -> int:
        """Drop what retention no longer keeps; how many messages went (engines that trim by
        themselves may answer 0)."""

    def status(self) -> list[TopicStatus]: ...

    def consumers(self) -> list[ConsumerPosition]: ...

    def close(self) -> None: ...


event_logs: SchemeRegistry[EventLog] = SchemeRegistry("event log")

# The module that registers each scheme, imported only when that scheme is opened: no caller
# depends on a concrete adapter, and the NATS client loads only where NATS is used.
ADAPTER_MODULES = {
    "sqlite": "tonearm.backends.eventlog_sqlite",
    "nats": "tonearm.backends.eventlog_nats",
}


def open_event_log(url: str) -> EventLog:
    scheme = urlsplit(url).scheme
    modules = [ADAPTER_MODULES[scheme]] if scheme in ADAPTER_MODULES else ADAPTER_MODULES.values()
    for module in modules:
        importlib.import_module(module)
    return event_logs.open(url)
