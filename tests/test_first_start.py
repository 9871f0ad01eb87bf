"""Two first starts at once on one data folder, as two `make run` begun together: both servers
come up without a traceback, and the platform ends with one admin account, whose password is
the one kept beside the data. The demo catalog is marked made (it only transcodes audio), so
the migrations, the signing key and the admin bootstrap are what the two race for."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tonearm import cli as cli_module
from tonearm.accounts.service import account
from tonearm.config import Settings
from tonearm.ingest.commands import DEMO_DONE
from tonearm.kit.db import unit_of_work
from tonearm.runtime import open_runtime

TONEARM = str(Path(sys.executable).parent / "tonearm")
STARTUP_SECONDS = 30


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass(frozen=True)
class Server:
    process: subprocess.Popen[bytes]
    url: str
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")


@contextmanager
def started(data_dir: Path, log: Path) -> Iterator[Server]:
    """`tonearm run` on a free port, its stdout and stderr in `log`; stopped when the block ends
    (in a session of its own, so its granian worker goes with it if SIGTERM is not enough)."""
    port = _free_port()
    env = {key: value for key, value in os.environ.items() if not key.startswith("TONEARM_")}
    env |= {"TONEARM_DATA_DIR": str(data_dir), "TONEARM_RATE_LIMIT_URL": "off"}
    with log.open("wb") as out:
        process = subprocess.Popen(
            [TONEARM, "run", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        yield Server(process, f"http://127.0.0.1:{port}", log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def healthy(server: Server, deadline: float) -> bool:
    """Whether the server answers its health route before `deadline` (and has not exited)."""
    while time.monotonic() < deadline and server.process.poll() is None:
        try:
            if httpx.get(f"{server.url}/healthz", timeout=1).status_code == 200:
                return True
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    return False


def test_two_first_starts_at_once_on_one_data_folder_both_come_up_with_one_admin(tmp_path: Path) -> None:
    data_dir = tmp_path / "var"
    data_dir.mkdir()
    (data_dir / DEMO_DONE).write_text("ok\n")
    with ExitStack() as stack:
        servers = [stack.enter_context(started(data_dir, tmp_path / f"server-{n}.log")) for n in (1, 2)]
        deadline = time.monotonic() + STARTUP_SECONDS
        up = [healthy(server, deadline) for server in servers]
    outputs = [server.output() for server in servers]
    assert up == [True, True], outputs
    assert not any("Traceback" in output for output in outputs), outputs
    assert all("admin.password" in output for output in outputs), outputs
    runtime = open_runtime(Settings(data_dir=data_dir))
    try:
        with unit_of_work(runtime.session_factory) as session:
            admins = [user for user in account.list_users(session) if user.role == "admin"]
            password = (data_dir / "admin.password").read_text().strip()
            assert len(admins) == 1 and account.check_password(admins[0], password)
    finally:
        runtime.close()


def test_a_first_start_on_a_second_machine_sharing_the_database_finds_the_admin_made(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    first, second = tmp_path / "node-a", tmp_path / "node-b"
    database = f"sqlite:///{first / 'tonearm.db'}"
    for node in (first, second):
        monkeypatch.setenv("TONEARM_DATA_DIR", str(node))
        monkeypatch.setenv("TONEARM_DATABASE_URL", database)
        settings = Settings()
        open_runtime(settings).close()
        cli_module._first_admin(settings)
    assert "exists already (made by another node)" in capsys.readouterr().err
    assert not (second / "admin.password").exists()
    runtime = open_runtime(Settings(data_dir=first, database_url=database))
    try:
        with unit_of_work(runtime.session_factory) as session:
            admin = account.get_by_name(session, "admin")
            assert account.check_password(admin, (first / "admin.password").read_text().strip())
    finally:
        runtime.close()
