"""How fast an event log takes appends: N playback events (~250-byte JSON each) in batches of 500,
straight to the adapter, each batch acknowledged (durable) before the next is sent.

    .venv/bin/python bench/eventlog_publish.py [--url sqlite:////tmp/events.db] [--events 200000]
    .venv/bin/python bench/eventlog_publish.py --url 'nats://127.0.0.1:4222?prefix=bench'

Without --url the log is a fresh SQLite file in a temporary folder. The events are made before the
clock starts, so only the appends are timed; they go to a topic of the run's own, dropped
afterwards. Prints one JSON line: backend, events, seconds, events_per_second.
"""

from __future__ import annotations

import argparse
import json
import random
import secrets
import string
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from urllib.parse import urlsplit

from tonearm.backends.eventlog import EventLog, Outgoing, open_event_log
from tonearm.backends.eventlog_nats import NatsEventLog
from tonearm.backends.eventlog_sqlite import SqliteEventLog
from tonearm.errors import BackendError

BATCH = 500
_BASE62 = string.digits + string.ascii_letters


def _id(rng: random.Random) -> str:
    return "".join(rng.choices(_BASE62, k=22))


def playback_events(count: int, seed: int = 7) -> list[Outgoing]:
    """Progress events as the web player sends them: who, what, where in the track, on what."""
    rng = random.Random(seed)
    users, tracks = [_id(rng) for _ in range(1000)], [_id(rng) for _ in range(5000)]
    events = []
    for number in range(count):
        payload = {
            "user_id": rng.choice(users),
            "track_id": rng.choice(tracks),
            "session_id": _id(rng),
            "position_ms": rng.randrange(0, 300_000),
            "duration_ms": 30_000,
            "market": rng.choice(["SE", "DE", "US", "GB", "BR"]),
            "product": rng.choice(["free", "premium"]),
            "device": rng.choice(["web", "ios", "android"]),
            "rendition": "aac-256",
            "at": f"2026-12-01T12:{number // 60000 % 60:02d}:{number // 1000 % 60:02d}.{number % 1000:03d}Z",
        }
        body = json.dumps(payload, separators=(",", ":")).encode()
        events.append(Outgoing(id=f"{_id(rng)}-{number}", type="playback.progressed", payload=body))
    return events


def _drop(log: EventLog, topic: str) -> None:
    if isinstance(log, SqliteEventLog | NatsEventLog):
        log.delete_topic(topic)


def publish_rate(url: str, events: int) -> float:
    """Events per second appended to the log at `url` in batches of 500."""
    made = playback_events(events)
    batches = [made[start : start + BATCH] for start in range(0, events, BATCH)]
    topic = f"bench-{secrets.token_hex(4)}"
    log = open_event_log(url)
    try:
        log.ensure_topic(topic)
        started = time.perf_counter()
        for batch in batches:
            log.append(topic, batch)
        seconds = time.perf_counter() - started
    finally:
        # Also after a failed run, so no half-filled topic stays on a shared server; a drop that
        # fails too must not hide why the run failed.
        with suppress(BackendError):
            _drop(log, topic)
        log.close()
    return events / seconds


@contextmanager
def _default_url(url: str | None) -> Iterator[str]:
    if url is not None:
        yield url
        return
    with tempfile.TemporaryDirectory(prefix="eventlog-bench-") as folder:
        yield f"sqlite:///{Path(folder) / 'events.db'}"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--url", help="event log URL (default: a temporary SQLite file)")
    parser.add_argument("--events", type=int, default=200_000)
    arguments = parser.parse_args()
    with _default_url(arguments.url) as url:
        rate = publish_rate(url, arguments.events)
    row = {
        "backend": urlsplit(url).scheme,
        "events": arguments.events,
        "seconds": round(arguments.events / rate, 3),
        "events_per_second": round(rate),
    }
    print(json.dumps(row))


if __name__ == "__main__":
    main()
