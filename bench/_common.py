"""What the benchmarks share: free ports, a Tonearm server in a subprocess, result rows."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
TONEARM = str(Path(sys.executable).parent / "tonearm")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for(url: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(url, timeout=1).status_code < 500:
                return
        time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer within {timeout} s")


@contextlib.contextmanager
def tonearm_server(data_dir: Path, *, workers: int = 1, env: dict[str, str] | None = None) -> Iterator[str]:
    port = free_port()
    environment = {**os.environ, "TONEARM_DATA_DIR": str(data_dir), **(env or {})}
    command = [TONEARM, "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)]
    process = subprocess.Popen(command, env=environment, stdout=subprocess.DEVNULL)
    try:
        wait_for(f"http://127.0.0.1:{port}/healthz")
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=20)


def record(name: str, figures: dict[str, object]) -> None:
    """Print the figures and keep them as JSON beside the other runs."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    row = {"benchmark": name, "date": date.today().isoformat(), "cpus": os.cpu_count(), **figures}
    (RESULTS / f"{name}.json").write_text(json.dumps(row, indent=2) + "\n")
    print(json.dumps(row, indent=2))
