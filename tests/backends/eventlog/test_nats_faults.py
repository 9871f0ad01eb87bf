"""The NATS event log when its server goes away: calls fail fast with BackendError, nothing is
acknowledged that was not stored, and once the server is back the log works again with every
earlier message in place. The test runs a nats-server of its own; the shared one is never touched."""

from __future__ import annotations

import shutil
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import pytest

from tonearm.backends.eventlog import EventLog, Outgoing, open_event_log
from tonearm.errors import BackendError

T = TypeVar("T")
NATS_SERVER = shutil.which("nats-server") or "/usr/sbin/nats-server"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class _Server:
    """A nats-server with JetStream on one port and store folder, which can stop and come back."""

    def __init__(self, port: int, store: Path) -> None:
        self.port, self.store = port, store
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        command = [NATS_SERVER, "-js", "-a", "127.0.0.1", "-p", str(self.port), "-sd", str(self.store)]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _eventually(lambda: socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close(), OSError)

    def stop(self) -> None:
        assert self.process is not None
        self.process.terminate()
        self.process.wait(timeout=10)

    def freeze(self, frozen: bool) -> None:
        """Stop or resume the process: it keeps its connections but answers nothing."""
        assert self.process is not None
        self.process.send_signal(signal.SIGSTOP if frozen else signal.SIGCONT)


def _eventually(action: Callable[[], T], errors: type[Exception], timeout: float = 10.0) -> T:
    deadline = time.monotonic() + timeout
    while True:
        try:
            return action()
        except errors:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[_Server]:
    if not Path(NATS_SERVER).exists():
        pytest.skip("nats-server is not installed")
    own = _Server(_free_port(), tmp_path / "jetstream")
    own.start()
    yield own
    if own.process is not None and own.process.poll() is None:
        own.freeze(False)
        own.stop()


@pytest.fixture
def log(server: _Server) -> Iterator[EventLog]:
    opened = open_event_log(f"nats://127.0.0.1:{server.port}?prefix=faults")
    yield opened
    opened.close()


def _batch(name: str, count: int = 5) -> list[Outgoing]:
    return [Outgoing(id=f"{name}-{n}", type="playback.progressed", payload=b"{}") for n in range(count)]


class _Appender(threading.Thread):
    """Appends batch after batch until stopped, keeping the ids of every acknowledged one and the
    type of every failure."""

    def __init__(self, log: EventLog) -> None:
        super().__init__()
        self.log = log
        self.acknowledged: dict[str, int] = {}
        self.failures: list[type[BaseException]] = []
        self.stopping = threading.Event()

    def run(self) -> None:
        number = 0
        while not self.stopping.is_set():
            batch, number = _batch(f"bg{number}"), number + 1
            try:
                answers = self.log.append("plays", batch)
            except Exception as error:
                self.failures.append(type(error))
                time.sleep(0.05)
                continue
            self.acknowledged.update((m.id, a.offset) for m, a in zip(batch, answers, strict=True))


def test_a_stopped_server_fails_appends_fast_and_a_restarted_one_has_every_acknowledged_message(
    server: _Server, log: EventLog
) -> None:
    log.ensure_topic("plays")
    earlier = log.append("plays", _batch("before"))
    appender = _Appender(log)
    appender.start()
    time.sleep(0.3)
    server.stop()

    started = time.monotonic()
    with pytest.raises(BackendError, match=r"127\.0\.0\.1"):
        log.append("plays", _batch("down"))
    assert time.monotonic() - started < 4
    with pytest.raises(BackendError):
        log.read("plays", after=0)

    server.start()
    _eventually(lambda: log.append("plays", _batch("after")), BackendError)
    appender.stopping.set()
    appender.join()

    assert appender.failures and set(appender.failures) == {BackendError}
    stored = {m.id: m.offset for m in log.read("plays", after=0, limit=100_000)}
    assert [stored[f"before-{n}"] for n in range(5)] == [a.offset for a in earlier]
    # Every acknowledged message is there at the offset it was answered with.
    assert appender.acknowledged.items() <= stored.items()
    assert {f"after-{n}" for n in range(5)} <= stored.keys()
    assert sorted(stored.values()) == list(range(1, len(stored) + 1))


def test_a_log_opened_while_the_server_is_down_connects_once_it_is_up(server: _Server) -> None:
    server.stop()
    log = open_event_log(f"nats://127.0.0.1:{server.port}?prefix=faults")
    try:
        started = time.monotonic()
        with pytest.raises(BackendError):
            log.append("plays", _batch("down"))
        assert time.monotonic() - started < 4
        server.start()
        answers = _eventually(lambda: log.append("plays", _batch("up")), BackendError)
        assert [a.offset for a in answers] == [1, 2, 3, 4, 5]
    finally:
        log.close()


def test_a_server_that_stops_answering_fails_appends_within_the_request_timeout(
    server: _Server, log: EventLog
) -> None:
    log.append("plays", _batch("before"))
    server.freeze(True)
    try:
        started = time.monotonic()
        with pytest.raises(BackendError, match="no answer"):
            log.append("plays", _batch("frozen"))
        assert time.monotonic() - started < 4
    finally:
        server.freeze(False)
    answers = _eventually(lambda: log.append("plays", _batch("after")), BackendError)
    stored = [m.id for m in log.read("plays", after=0)]
    # The batch sent to the frozen server may have been stored once it woke: it failed, so it
    # was never acknowledged, but a retry by the caller would find it there (at least once).
    assert len(stored) in (10, 15)
    assert stored[:5] == [f"before-{n}" for n in range(5)]
    assert stored[-5:] == [f"after-{n}" for n in range(5)]
    assert [a.offset for a in answers] == list(range(len(stored) - 4, len(stored) + 1))
