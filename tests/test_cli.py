"""The commands people type: `tonearm serve` answers over real HTTP, `tonearm run` prints the URL."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

TONEARM = str(Path(sys.executable).parent / "tonearm")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait(url: str, process: subprocess.Popen[str]) -> httpx.Response:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert process.poll() is None, process.stdout.read() if process.stdout else ""
        try:
            return httpx.get(url, timeout=1)
        except httpx.TransportError:
            time.sleep(0.2)
    raise AssertionError(f"{url} never answered")


@pytest.fixture
def running(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], str, dict[str, str]]]:
    port = _free_port()
    (tmp_path / "demo.done").write_text("ok\n")  # skip the demo catalog: this test is about the server
    env = {**os.environ, "TONEARM_DATA_DIR": str(tmp_path)}
    process = subprocess.Popen(
        [TONEARM, "run", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    yield process, f"http://127.0.0.1:{port}", env
    process.terminate()
    process.wait(timeout=20)


def test_run_prints_the_url_and_serves_the_api(
    running: tuple[subprocess.Popen[str], str, dict[str, str]], tmp_path: Path
) -> None:
    process, base, env = running
    assert _wait(f"{base}/healthz", process).json() == {"status": "ok"}
    assert httpx.get(f"{base}/v1/browse/artists").status_code == 401
    # The first run made an operator account; its password sits beside the data, for it alone.
    password_file = tmp_path / "admin.password"
    assert password_file.stat().st_mode & 0o077 == 0
    token = subprocess.run(
        [TONEARM, "users", "token", "admin"], env=env, capture_output=True, text=True, check=True
    ).stdout.strip()
    answer = httpx.get(f"{base}/v1/browse/artists", headers={"Authorization": f"Bearer {token}"})
    assert answer.json()["total"] == 0
    signed_in = httpx.post(
        f"{base}/login", data={"name": "admin", "password": password_file.read_text().strip(), "next": "/"}
    )
    assert signed_in.status_code == 303
    assert "tonearm_http_request_duration_seconds" in httpx.get(f"{base}/metrics").text
    process.terminate()
    output = process.communicate(timeout=20)[0]
    assert f"Open {base}/" in output
    assert "admin.password" in output
