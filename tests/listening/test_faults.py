"""POST /v1/me/player/events when things break: a server killed mid-stream loses no event it
answered `accepted`, answers each of them `duplicate` when the player sends its batches again,
and counts every play once; an event log server that is down turns batches away with 503 and
Retry-After, accepting nothing, and once it is back the batches are taken and the plays show up.

Each test runs servers of its own (a `tonearm serve` process, a nats-server) on free ports; the
shared NATS server is never touched."""

from __future__ import annotations

import contextlib
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
from fastapi.testclient import TestClient

from tests.listening.conftest import bearer, factory, first_party_token, make_tracks, make_user
from tonearm.backends.eventlog import open_event_log
from tonearm.config import Settings
from tonearm.kit.metrics import MULTIPROCESS_ENV
from tonearm.kit.time import iso_ms, utcnow
from tonearm.listening.consumer import STREAM_MS, PlaybackConsumer
from tonearm.listening.intake import PLAYBACK_TOPIC
from tonearm.runtime import open_runtime

T = TypeVar("T")
EVENTS = "/v1/me/player/events"
RECENTLY_PLAYED = "/v1/me/player/recently-played"
SCOPE = "streaming user-read-recently-played user-read-private"
KEYS = "k1:fault-test-secret"
TONEARM = Path(sys.executable).parent / "tonearm"
NATS_SERVER = shutil.which("nats-server") or "/usr/sbin/nats-server"
# How much of each play was played: short of a stream, just short of one, just one, and more.
PLAYED_MS = (12_000, 29_999, 30_000, 45_000, 200_000, 240_000)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _eventually(check: Callable[[], T | None], what: str, timeout: float) -> T:
    """The first truthy answer of `check`, polled until `timeout` seconds have passed."""
    deadline = time.monotonic() + timeout
    while True:
        found = check()
        if found:
            return found
        assert time.monotonic() < deadline, f"{what}: not within {timeout} s"
        time.sleep(0.05)


def _port_open(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
    except OSError:
        return False
    return True


# ---- what a player sends ----------------------------------------------------------------------


@dataclass(frozen=True)
class _Play:
    track_id: str
    started: datetime
    ms_played: int
    events: tuple[dict[str, Any], ...]

    @property
    def counted(self) -> bool:
        return self.ms_played >= STREAM_MS


def _play(track_id: str, started: datetime, ms_played: int, device_id: str) -> _Play:
    """A play.start, two play.progress and the play.end, `ms_played` adding up along them. The
    events are stamped 50 ms apart: the test's clock runs faster than the music."""
    steps = [("play.start", 0), ("play.progress", ms_played // 3), ("play.progress", 2 * ms_played // 3)]
    events = tuple(
        {
            "type": kind,
            "event_id": uuid.uuid4().hex,
            "track_id": track_id,
            "context_uri": None,
            "device_id": device_id,
            "position_ms": played,
            "ms_played": played,
            "timestamp": iso_ms(started + timedelta(milliseconds=50 * step)),
            "offline": False,
        }
        for step, (kind, played) in enumerate([*steps, ("play.end", ms_played)])
    )
    return _Play(track_id, started, ms_played, events)


def _plays(tracks: list[str], count: int, *, within: timedelta, device_id: str) -> list[_Play]:
    """`count` plays one after another on one device, the last ending a few seconds ago: inside
    the log's de-duplication window, so a resend is found there rather than among receipts."""
    start = utcnow() - within
    gap = (within - timedelta(seconds=5)) / count
    return [
        _play(tracks[n % len(tracks)], start + n * gap, PLAYED_MS[n % len(PLAYED_MS)], device_id)
        for n in range(count)
    ]


def _batches(plays: list[_Play], seed: int) -> list[list[dict[str, Any]]]:
    """The plays' events in order, cut into batches of 50-200 (a play may span two)."""
    events = [event for play in plays for event in play.events]
    sizes, batches = random.Random(seed), []
    while events:
        size = sizes.randint(50, 200)
        batches.append(events[:size])
        events = events[size:]
    return batches


def _statuses(body: dict[str, Any]) -> dict[str, str]:
    return {answer["event_id"]: answer["status"] for answer in body["events"]}


def _history(client: httpx.Client | TestClient, token: str) -> list[tuple[str, str]]:
    """Every play in recently-played, newest first, walked page by page: (played_at, track)."""
    items: list[tuple[str, str]] = []
    url: str | None = f"{RECENTLY_PLAYED}?limit=50"
    while url is not None:
        page = client.get(url, headers=bearer(token)).json()
        items += [(item["played_at"], item["track"]["id"]) for item in page["items"]]
        url = page["next"]
    return items


def _expected_history(plays: list[_Play]) -> list[tuple[str, str]]:
    return [(iso_ms(play.started), play.track_id) for play in reversed(plays)]


# ---- a server killed mid-stream ---------------------------------------------------------------


class _Server:
    """`tonearm serve` in a process group of its own (granian's workers with it), on one data
    folder and port, which can be killed and started again."""

    def __init__(self, data_dir: Path, port: int, log: Path) -> None:
        self.data_dir, self.port, self.log = data_dir, port, log
        self.url = f"http://127.0.0.1:{port}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("TONEARM_") and k != MULTIPROCESS_ENV}
        env |= {
            "TONEARM_DATA_DIR": str(self.data_dir),
            "TONEARM_RATE_LIMIT_URL": "off",
            "TONEARM_SIGNING_KEYS": KEYS,
        }
        command = [str(TONEARM), "serve", "--host", "127.0.0.1", "--port", str(self.port)]
        with self.log.open("ab") as output:
            self.process = subprocess.Popen(
                command, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
            )
        _eventually(self._healthy, f"the server on {self.url} (log: {self.log})", timeout=30)

    def _healthy(self) -> bool:
        assert self.process is not None
        assert self.process.poll() is None, self.log.read_text()
        try:
            return httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200
        except httpx.TransportError:
            return False

    def kill(self) -> None:
        """SIGKILL to the whole process group: no shutdown, no flush, no goodbye."""
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)
        self.process = None
        # Nothing of the group may still hold the port (a worker outside the group would).
        _eventually(lambda: not _port_open(self.port), f"port {self.port} closed after the kill", timeout=5)


class _Player(threading.Thread):
    """Sends the batches one after another until one gets no answer; keeps every answer, and
    says when `enough` batches were answered."""

    def __init__(self, url: str, token: str, batches: list[list[dict[str, Any]]], *, enough: int) -> None:
        super().__init__(daemon=True)
        self.url, self.token, self.batches, self.enough = url, token, batches, enough
        self.answered: list[dict[str, str]] = []
        self.failures: list[str] = []
        self.started_enough = threading.Event()

    def run(self) -> None:
        with httpx.Client(base_url=self.url, timeout=10) as client:
            for batch in self.batches:
                try:
                    answer = client.post(EVENTS, json={"events": batch}, headers=bearer(self.token))
                except httpx.TransportError as error:
                    self.failures.append(repr(error))
                    return
                if answer.status_code != 200:
                    self.failures.append(f"{answer.status_code} {answer.text}")
                    return
                self.answered.append(_statuses(answer.json()))
                if len(self.answered) >= self.enough:
                    self.started_enough.set()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[_Server]:
    own = _Server(tmp_path / "var", _free_port(), tmp_path / "server.log")
    try:
        yield own
    finally:
        own.kill()


def _prepare(data_dir: Path) -> tuple[list[str], str, str]:
    """Two four-minute tracks and the listener ada, made before the server starts: the tracks,
    ada's id and a token of hers."""
    settings = Settings(data_dir=data_dir, signing_keys=KEYS, rate_limit_url="off")
    runtime = open_runtime(settings)
    try:
        sessions = runtime.session_factory
        tracks = make_tracks(sessions, "Tide", "Ebb")
        return tracks, make_user(sessions, "ada"), first_party_token(sessions, "ada", SCOPE)
    finally:
        runtime.close()


def _logged(data_dir: Path) -> list[str]:
    """The message ids on the playback topic, in offset order, read from the log's file."""
    log = open_event_log(Settings(data_dir=data_dir).resolved_event_log_url)
    try:
        messages = log.read(PLAYBACK_TOPIC, after=0, limit=100_000)
    finally:
        log.close()
    assert [m.offset for m in messages] == list(range(1, len(messages) + 1))
    return [m.id for m in messages]


def _caught_up(data_dir: Path) -> bool:
    log = open_event_log(Settings(data_dir=data_dir).resolved_event_log_url)
    try:
        [status] = [s for s in log.status() if s.topic == PLAYBACK_TOPIC]
        return log.position(PlaybackConsumer.name, PLAYBACK_TOPIC) == status.last_offset
    finally:
        log.close()


@pytest.mark.slow
def test_a_server_killed_mid_stream_keeps_every_accepted_event_and_counts_each_play_once(
    server: _Server,
) -> None:
    tracks, user_id, token = _prepare(server.data_dir)
    plays = _plays(tracks, 600, within=timedelta(seconds=150), device_id="ada-phone")
    batches = _batches(plays, seed=7)
    every_id = [event["event_id"] for batch in batches for event in batch]
    server.start()

    player = _Player(server.url, token, batches, enough=len(batches) // 3)
    player.start()
    assert player.started_enough.wait(timeout=20), player.failures
    # A moment later, so the kill lands somewhere inside the next batch's request, not always
    # just after an answer (one batch takes a few tens of milliseconds).
    time.sleep(random.uniform(0, 0.06))
    server.kill()
    player.join(timeout=15)
    assert not player.is_alive()
    # The kill cut the stream short, and only the kill did: no batch was turned away before it.
    assert len(batches) // 3 <= len(player.answered) < len(batches)
    assert len(player.failures) == 1 and "Error" in player.failures[0], player.failures
    answered = {event_id: s for answers in player.answered for event_id, s in answers.items()}
    assert set(answered.values()) == {"accepted"}
    accepted = set(answered)

    # Every event answered `accepted` is on the log, read while no server runs; beyond them only
    # the batch that was in flight at the kill may be there (stored, its answer never sent).
    logged = _logged(server.data_dir)
    assert len(set(logged)) == len(logged)
    logged_events = {message_id.removeprefix(f"{user_id}:") for message_id in logged}
    assert accepted <= logged_events
    in_flight = {event["event_id"] for event in batches[len(player.answered)]}
    assert logged_events - accepted <= in_flight

    # The player sends every batch again to the restarted server: what was accepted is a
    # duplicate, never accepted twice, and the rest is taken.
    server.start()
    resent: dict[str, str] = {}
    with httpx.Client(base_url=server.url, timeout=10) as client:
        for batch in batches:
            answer = client.post(EVENTS, json={"events": batch}, headers=bearer(token))
            assert answer.status_code == 200, answer.text
            resent |= _statuses(answer.json())
    assert {resent[event_id] for event_id in accepted} == {"duplicate"}
    for event_id in set(every_id) - accepted:
        expected = {"accepted", "duplicate"} if event_id in in_flight else {"accepted"}
        assert resent[event_id] in expected, (event_id, resent[event_id])
    assert sorted(_logged(server.data_dir)) == sorted(f"{user_id}:{e}" for e in every_id)

    # Once the restarted server's consumer has taken over (the killed one's lease runs out) and
    # reached the head, every play is in recently-played once, and every stream counted once.
    _eventually(lambda: _caught_up(server.data_dir), "the consumer reaching the log's head", timeout=25)
    with httpx.Client(base_url=server.url, timeout=10) as client:
        assert _history(client, token) == _expected_history(plays)
        export = client.get("/v1/me/export", headers=bearer(token)).json()
    assert [record["ms_played"] for record in export["listening_history"]] == [p.ms_played for p in plays]
    streams = {track: 0 for track in tracks}
    for count in export["stream_counts"]:
        streams[count["track_id"]] += count["streams"]
    assert streams == {track: sum(p.counted for p in plays if p.track_id == track) for track in tracks}


# ---- the event log's server down --------------------------------------------------------------


class _Nats:
    """A nats-server with JetStream on one port and store folder, which can stop and come back."""

    def __init__(self, port: int, store: Path) -> None:
        self.port, self.store = port, store
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        command = [NATS_SERVER, "-js", "-a", "127.0.0.1", "-p", str(self.port), "-sd", str(self.store)]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _eventually(lambda: _port_open(self.port), f"nats-server on port {self.port}", timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None


@pytest.fixture
def nats(tmp_path: Path) -> Iterator[_Nats]:
    if not Path(NATS_SERVER).exists():
        pytest.skip("nats-server is not installed")
    own = _Nats(_free_port(), tmp_path / "jetstream")
    own.start()
    try:
        yield own
    finally:
        own.stop()


def _post(api: TestClient, token: str, plays: list[_Play]) -> tuple[Any, float]:
    """The plays' events in one batch: the answer, and how long it took."""
    events = [event for play in plays for event in play.events]
    started = time.monotonic()
    answer = api.post(EVENTS, json={"events": events}, headers=bearer(token))
    return answer, time.monotonic() - started


def _taken(api: TestClient, token: str, plays: list[_Play]) -> Any:
    """The answer to the batch if it was taken (200), else None."""
    answer, _ = _post(api, token, plays)
    return answer if answer.status_code == 200 else None


@pytest.mark.slow
def test_with_the_nats_server_down_batches_get_503_and_once_it_is_back_they_are_taken(
    nats: _Nats, tmp_path: Path
) -> None:
    from tonearm.app import create_app

    settings = Settings(
        data_dir=tmp_path / "var",
        signing_keys=KEYS,
        rate_limit_url="off",
        event_log_url=f"nats://127.0.0.1:{nats.port}?prefix=faults",
    )
    with TestClient(create_app(settings), base_url="http://testserver") as api:
        sessions = factory(api)
        tracks = make_tracks(sessions, "Tide", "Ebb")
        make_user(sessions, "ada")
        token = first_party_token(sessions, "ada", SCOPE)
        plays = _plays(tracks, 6, within=timedelta(seconds=60), device_id="ada-laptop")
        before, during = plays[:3], plays[3:]

        answer, _ = _post(api, token, before)
        assert answer.status_code == 200 and answer.json()["accepted"] == 12
        _eventually(lambda: _history(api, token) == _expected_history(before), "the first plays", timeout=5)

        nats.stop()
        # Right after the drop, and again once the client has given up reconnecting: each time a
        # quick 503 saying when to retry, with nothing in it accepted.
        for attempt in range(3):
            answer, took = _post(api, token, during)
            assert answer.status_code == 503, answer.text
            assert int(answer.headers["Retry-After"]) >= 1
            assert "accepted" not in answer.json() and took < 5, (attempt, took)
            time.sleep(0.75)
        # The history the listener had is still there to read.
        assert _history(api, token) == _expected_history(before)

        nats.start()
        # The player retries until the log takes the batch (sooner than Retry-After, to be quick).
        answer = _eventually(
            lambda: _taken(api, token, during), "a batch taken after the server came back", timeout=10
        )
        assert set(_statuses(answer.json()).values()) == {"accepted"}
        again, _ = _post(api, token, before)
        assert set(_statuses(again.json()).values()) == {"duplicate"}

        _eventually(lambda: _history(api, token) == _expected_history(plays), "every play", timeout=10)
        log = api.app.state.event_log  # type: ignore[attr-defined]
        [status] = [s for s in log.status() if s.topic == PLAYBACK_TOPIC]
        assert status.messages == 24
