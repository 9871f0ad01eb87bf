"""Metrics count in every worker: with two server processes, /metrics reports every request
whichever worker answers it; a one-process server keeps its counts in memory."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from prometheus_client import values
from prometheus_client.multiprocess import MultiProcessCollector

from tonearm.kit.metrics import MULTIPROCESS_ENV, Metrics, share_metrics_across_workers

REQUESTS = 40
WORKERS = 2
# `tonearm serve --workers N` as cli's _serve runs it: share_metrics_across_workers(N) before
# granian forks the workers, after prometheus_client was imported (the folder, argv[1], is named
# only then, so the workers prove that the late switch to multiprocess mode holds).
SERVE = (
    "import os, sys\n"
    "from tonearm.cli import main\n"
    "from tonearm.kit.metrics import MULTIPROCESS_ENV, share_metrics_across_workers\n"
    "os.environ[MULTIPROCESS_ENV] = sys.argv[1]\n"
    "share_metrics_across_workers(int(sys.argv[-1]))\n"
    "sys.argv = ['tonearm', *sys.argv[2:]]\n"
    "main()\n"
)
COUNT = re.compile(
    r'^tonearm_http_request_duration_seconds_count\{method="GET",route="/v1/me",status="401"\} (\S+)$',
    re.MULTILINE,
)


@pytest.fixture
def untouched_prometheus(monkeypatch: pytest.MonkeyPatch) -> None:
    """Whatever a test switches on in prometheus_client is switched off again after it."""
    monkeypatch.setattr(values, "ValueClass", values.ValueClass)
    # Set first, so that monkeypatch records (and restores) the variable even when it was unset.
    monkeypatch.setenv(MULTIPROCESS_ENV, "")
    monkeypatch.delenv(MULTIPROCESS_ENV)


def test_one_worker_keeps_its_counts_in_memory(untouched_prometheus: None) -> None:
    assert share_metrics_across_workers(1) is None
    assert MULTIPROCESS_ENV not in os.environ
    metrics = Metrics()
    metrics.observe_request("GET", "/v1/me", 401, 0.001)
    assert COUNT.search(metrics.render().decode())[1] == "1.0"  # type: ignore[index]


def test_the_workers_folder_starts_empty(untouched_prometheus: None, tmp_path: Path) -> None:
    stale = tmp_path / "histogram_12345.db"
    stale.write_bytes(b"an earlier run's counts")
    os.environ[MULTIPROCESS_ENV] = str(tmp_path)
    assert share_metrics_across_workers(2) == tmp_path
    assert not stale.exists()
    assert os.environ[MULTIPROCESS_ENV] == str(tmp_path)


def test_without_a_folder_given_the_workers_get_a_new_one(untouched_prometheus: None) -> None:
    folder = share_metrics_across_workers(2)
    assert folder is not None and folder.is_dir() and not any(folder.iterdir())
    assert os.environ[MULTIPROCESS_ENV] == str(folder)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, log.read_text()
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.2)
    raise AssertionError(f"{url} never answered: {log.read_text()}")


@pytest.fixture
def two_workers(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """`tonearm serve --workers 2` on a free port; its base URL, and its metrics folder."""
    port, folder, log = _free_port(), tmp_path / "metrics", tmp_path / "server.log"
    env = {key: value for key, value in os.environ.items() if key != MULTIPROCESS_ENV}
    env["TONEARM_DATA_DIR"] = str(tmp_path / "data")
    serve = ["serve", "--port", str(port), "--workers", str(WORKERS)]
    command = [sys.executable, "-c", SERVE, str(folder), *serve]
    with log.open("wb") as output:
        process = subprocess.Popen(command, env=env, stdout=output, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait(f"{base}/healthz", process, log)
        yield base, folder
    finally:
        process.terminate()
        process.wait(timeout=30)


def _counts_per_worker(folder: Path) -> dict[str, float]:
    """The /v1/me requests each worker process counted, from its own file."""
    counts = {}
    for path in folder.glob("histogram_*.db"):
        for metric in MultiProcessCollector.merge([str(path)]):
            for sample in metric.samples:
                if sample.name.endswith("_count") and sample.labels.get("route") == "/v1/me":
                    counts[path.stem] = sample.value
    return counts


@pytest.mark.slow
def test_metrics_count_the_requests_of_every_worker(two_workers: tuple[str, Path]) -> None:
    base, folder = two_workers
    for _ in range(REQUESTS):
        # A new connection each time, so the kernel hands requests to either worker.
        assert httpx.get(f"{base}/v1/me", headers={"Connection": "close"}).status_code == 401
    per_worker = _counts_per_worker(folder)
    assert len(per_worker) == WORKERS, f"not every worker answered, so this proves nothing: {per_worker}"
    for _ in range(2 * WORKERS):
        answer = httpx.get(f"{base}/metrics", headers={"Connection": "close"}).text
        match = COUNT.search(answer)
        assert match is not None, answer
        assert float(match[1]) == REQUESTS
