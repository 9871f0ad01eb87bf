"""Rate limiter: at most `limit` allowed hits per key in any `window_seconds` span.

The algorithm is a sliding-window log: each key keeps the times of its allowed hits inside the
window, oldest first. A hit is allowed while fewer than `limit` remain; a refused hit is not
recorded, so a client that keeps knocking while limited is let in as soon as its oldest hit ages
out. Unlike GCRA or a fixed window, the log never lets `limit + 1` hits into one window span.

Every adapter runs the same steps on whole microseconds (the window is rounded with
`window_micros`), so the in-process and Redis adapters give the same answers:

1. hits at or before `now - window` are forgotten;
2. with `count` hits left, the hit is allowed when `count < limit` and recorded at `now`;
3. otherwise it is refused until the hit at index `count - limit` ages out, so
   `retry_after = hits[count - limit] + window - now`.

A key should be used with one (limit, window) pair; changing it mid-stream is safe but the
old hits count under the new rules.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Protocol, runtime_checkable
from urllib.parse import urlsplit

from tonearm.backends.registry import SchemeRegistry

__all__ = [
    "ADAPTER_MODULES",
    "MICROS",
    "Decision",
    "RateLimiter",
    "open_rate_limiter",
    "rate_limiters",
    "window_micros",
]

MICROS = 1_000_000


@dataclass(frozen=True)
class Decision:
    allowed: bool
    limit: int
    remaining: int
    # Seconds until the next hit under this key would be allowed; 0 when this one was.
    retry_after: float

    @classmethod
    def of(cls, *, allowed: bool, limit: int, remaining: int, retry_micros: int) -> Decision:
        return cls(allowed=allowed, limit=limit, remaining=remaining, retry_after=retry_micros / MICROS)


def window_micros(limit: int, window_seconds: float) -> int:
    """The window in whole microseconds, after checking the quota makes sense."""
    if limit < 1:
        raise ValueError(f"rate limit must be at least 1, got {limit}")
    micros = round(window_seconds * MICROS)
    if micros < 1:
        raise ValueError(f"rate limit window must be positive, got {window_seconds}")
    return micros


@runtime_checkable
class RateLimiter(Protocol):
    def hit(self, key: str, *, limit: int, window_seconds: float) -> Decision:
        """Count one hit against key if the quota allows it; refused hits are not counted."""

    def reset(self, key: str) -> None:
        """Forget every hit under key; absent keys are not an error."""

    def close(self) -> None: ...


rate_limiters: SchemeRegistry[RateLimiter] = SchemeRegistry("rate limiter")


# The module that registers each scheme, imported only when that scheme is opened: no caller
# depends on a concrete adapter, and the Redis SDK loads only where Redis is used.
ADAPTER_MODULES = {
    "memory": "tonearm.backends.ratelimit_memory",
    "redis": "tonearm.backends.ratelimit_redis",
}


def open_rate_limiter(url: str) -> RateLimiter:
    scheme = urlsplit(url).scheme
    # The registry only knows adapters already imported, so for an unknown scheme import them all
    # first and the error lists every scheme that could have been opened (no SDK loads by this).
    modules = [ADAPTER_MODULES[scheme]] if scheme in ADAPTER_MODULES else ADAPTER_MODULES.values()
    for module in modules:
        importlib.import_module(module)
    return rate_limiters.open(url)
