"""Prometheus metrics, one registry per app so several apps (tests) can live in one process."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest

__all__ = ["Metrics"]

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
        return generate_latest(self.registry)
