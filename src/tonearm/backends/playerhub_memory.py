"""Player hub inside this process (memory:// URLs): one API process, tests and development."""

from __future__ import annotations

import threading
import time

from tonearm.backends.playerhub import Deliver, Versioned, player_hubs

__all__ = ["MemoryPlayerHub"]


class MemoryPlayerHub:
    def __init__(self) -> None:
        # key -> (version, value, expires at on the monotonic clock or None)
        self._values: dict[str, tuple[int, bytes, float | None]] = {}
        self._listeners: list[Deliver] = []
        # Request threads and the event loop share the hub; the lock makes compare-and-set one step.
        self._lock = threading.Lock()

    def read(self, key: str) -> Versioned | None:
        with self._lock:
            found = self._live(key)
        return None if found is None else Versioned(found[0], found[1])

    def write(self, key: str, value: bytes, *, expected: int, ttl_seconds: float | None = None) -> bool:
        with self._lock:
            found = self._live(key)
            if (found[0] if found else 0) != expected:
                return False
            expires = None if ttl_seconds is None else time.monotonic() + ttl_seconds
            self._values[key] = (expected + 1, value, expires)
            return True

    def delete(self, key: str) -> None:
        with self._lock:
            self._values.pop(key, None)

    def publish(self, topic: str, message: bytes) -> None:
        for deliver in tuple(self._listeners):
            deliver(topic, message)

    def listen(self, deliver: Deliver) -> None:
        self._listeners.append(deliver)

    def stop_listening(self) -> None:
        self._listeners.clear()

    def close(self) -> None:
        self.stop_listening()
        with self._lock:
            self._values.clear()

    def _live(self, key: str) -> tuple[int, bytes, float | None] | None:
        found = self._values.get(key)
        if found is not None and found[2] is not None and found[2] <= time.monotonic():
            del self._values[key]
            return None
        return found


@player_hubs.register("memory")
def _open(url: str) -> MemoryPlayerHub:
    return MemoryPlayerHub()
