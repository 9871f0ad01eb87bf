"""Prometheus metrics, one registry per app so several apps (tests) can live in one process.

A server with several worker processes counts in all of them: `share_metrics_across_workers`,
called before the workers start, puts prometheus_client in multiprocess mode (each process
writes its values to files in one folder), and `/metrics` in any worker sums those files.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest, values
from prometheus_client.multiprocess import MultiProcessCollector

__all__ = ["MULTIPROCESS_ENV", "Metrics", "share_metrics_across_workers"]

# prometheus_client's own switch: set, every metric value lives in a file in this folder.
MULTIPROCESS_ENV = "PROMETHEUS_MULTIPROC_DIR"

_LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
_STAGE_BUCKETS = (0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300)


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.request_seconds = Histogram(
            "tonearm_http_request_duration_seconds",
            "HTTP request latency by route template.",
            ["method", "route", "status"],
            buckets=_LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.ingest_tracks = Counter(
            "tonearm_ingest_tracks",
            "Masters through ingest, by outcome (published, duplicate, rejected).",
            ["outcome"],
            registry=self.registry,
        )
        self.ingest_stage_seconds = Histogram(
            "tonearm_ingest_stage_duration_seconds",
            "Time spent in each ingest stage.",
            ["stage"],
            buckets=_STAGE_BUCKETS,
            registry=self.registry,
        )
        self._request_children: dict[tuple[str, str, int], Histogram] = {}
        self.bytes_served = Counter(
            "tonearm_media_bytes_served",
            "Audio bytes sent by the media route.",
            registry=self.registry,
        )

    def observe_request(self, method: str, route: str, status: int, seconds: float) -> None:
        # labels() takes a lock and builds a key on every call; the children are few, keep them.
        key = (method, route, status)
        child = self._request_children.get(key)
        if child is None:
            child = self._request_children[key] = self.request_seconds.labels(method, route, str(status))
        child.observe(seconds)

    def render(self) -> bytes:
        folder = os.environ.get(MULTIPROCESS_ENV)
        if not folder:
            return generate_latest(self.registry)
        # Every worker's files, this one's among them: the sum is what the server as a whole did.
        merged = CollectorRegistry()
        MultiProcessCollector(merged, path=folder)
        return generate_latest(merged)


def share_metrics_across_workers(workers: int) -> Path | None:
    """In the server's parent process, before it starts `workers` worker processes: a folder for
    their metric files (the operator's PROMETHEUS_MULTIPROC_DIR, or a new temporary one, removed
    when the server exits), emptied so no earlier run's counts are added in. One worker counts
    everything in its own memory, so it needs none of this (None)."""
    if workers <= 1:
        return None
    given = os.environ.get(MULTIPROCESS_ENV)
    folder = Path(given) if given else Path(tempfile.mkdtemp(prefix="tonearm-metrics-"))
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob("*.db"):
        stale.unlink()
    if not given:
        atexit.register(_remove, folder, os.getpid())
    os.environ[MULTIPROCESS_ENV] = str(folder)
    # prometheus_client chose its value class when it was first imported (here, before the
    # folder was known); workers forked from this process inherit that choice, so choose again.
    values.ValueClass = values.get_value_class()
    return folder


def _remove(folder: Path, owner: int) -> None:
    if os.getpid() == owner:  # not a forked worker that inherited the hook
        shutil.rmtree(folder, ignore_errors=True)
