"""Rate limiter inside this process (memory:// URLs): for one API process, tests and development."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from tonearm.backends.ratelimit import MICROS, Decision, rate_limiters, window_micros

__all__ = ["MemoryRateLimiter"]


@dataclass
class _Log:
    """One key's allowed hits in microseconds, oldest first, and the window they were made under."""

    window: int
    hits: deque[int] = field(default_factory=deque)

    def forget_before(self, now: int) -> None:
        horizon = now - self.window
        while self.hits and self.hits[0] <= horizon:
            self.hits.popleft()


class MemoryRateLimiter:
    def __init__(self, *, clock: Callable[[], float] = time.monotonic, sweep_seconds: float = 60.0) -> None:
        self._clock = clock
        self._sweep_every = round(sweep_seconds * MICROS)
        self._logs: dict[str, _Log] = {}
        # Request threads share one limiter; the lock makes check-then-record one step.
        self._lock = threading.Lock()
        self._next_sweep = self._now()

    def __len__(self) -> int:
        """Keys currently remembered: stays bounded by the keys active within their window."""
        with self._lock:
            return len(self._logs)

    def hit(self, key: str, *, limit: int, window_seconds: float) -> Decision:
        window = window_micros(limit, window_seconds)
        with self._lock:
            now = self._now()
            self._sweep(now)
            log = self._logs.setdefault(key, _Log(window))
            log.window = window
            return self._decide(log, now, limit)

    def reset(self, key: str) -> None:
        with self._lock:
            self._logs.pop(key, None)

    def close(self) -> None:
        with self._lock:
            self._logs.clear()

    def _now(self) -> int:
        return round(self._clock() * MICROS)

    @staticmethod
    def _decide(log: _Log, now: int, limit: int) -> Decision:
        # Never record a hit earlier than the newest one, as the Redis script does for its clock.
        now = max(now, log.hits[-1]) if log.hits else now
        log.forget_before(now)
        count = len(log.hits)
        if count < limit:
            log.hits.append(now)
            return Decision.of(allowed=True, limit=limit, remaining=limit - count - 1, retry_micros=0)
        retry = log.hits[count - limit] + log.window - now
        return Decision.of(allowed=False, limit=limit, remaining=0, retry_micros=retry)

    def _sweep(self, now: int) -> None:
        # Pruning on access alone would keep every key that is never hit again, so once in a while
        # drop the keys whose newest hit has aged out.
        if now < self._next_sweep:
            return
        self._next_sweep = now + self._sweep_every
        stale = [key for key, log in self._logs.items() if not log.hits or log.hits[-1] <= now - log.window]
        for key in stale:
            del self._logs[key]


@rate_limiters.register("memory")
def _open(url: str) -> MemoryRateLimiter:
    return MemoryRateLimiter()
