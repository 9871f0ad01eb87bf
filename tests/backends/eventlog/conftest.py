"""The event log under test: an SQLite file in the test's folder, or the shared NATS server under
a prefix of the test's own whose topics are deleted afterwards."""

from __future__ import annotations

import os
import secrets
import socket
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tonearm.backends.eventlog import EventLog, open_event_log
from tonearm.backends.eventlog_nats import NatsEventLog

NATS_URL = os.environ.get("TONEARM_TEST_NATS_URL", "nats://127.0.0.1:4222")

OpenLog = Callable[[], EventLog]


def _nats_reachable() -> bool:
    parts = urlsplit(NATS_URL)
    try:
        socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 4222), timeout=2).close()
    except OSError:
        return False
    return True


@pytest.fixture(scope="session")
def nats_available() -> bool:
    return _nats_reachable()


@pytest.fixture
def nats_url(nats_available: bool) -> Iterator[str]:
    """The NATS server under a prefix of this test's own; only its topics are deleted afterwards."""
    if not nats_available:
        if os.environ.get("CI"):
            pytest.fail(f"NATS is not reachable at {NATS_URL} in CI")
        pytest.skip(f"NATS is not reachable at {NATS_URL}")
    url = f"{NATS_URL}?prefix=t{secrets.token_hex(6)}"
    yield url
    log = open_event_log(url)
    assert isinstance(log, NatsEventLog)
    try:
        for topic in log.status():
            log.delete_topic(topic.topic)
    finally:
        log.close()


@pytest.fixture(params=["sqlite", "nats"])
def event_log_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'events.db'}"
    url: str = request.getfixturevalue("nats_url")
    return url


@pytest.fixture
def open_log(event_log_url: str) -> Iterator[OpenLog]:
    """Opens logs on the test's URL (several stand in for several processes); all closed after."""
    opened: list[EventLog] = []

    def open_() -> EventLog:
        opened.append(open_event_log(event_log_url))
        return opened[-1]

    yield open_
    for log in opened:
        log.close()


@pytest.fixture
def log(open_log: OpenLog) -> EventLog:
    return open_log()
