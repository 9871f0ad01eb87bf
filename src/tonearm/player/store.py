"""JSON values in the player hub, changed by compare-and-set: read, change, write if no one
wrote in between, else again."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import orjson

from tonearm.backends.playerhub import PlayerHub
from tonearm.player.errors import PlayerBusy

__all__ = ["Store", "now_ms"]

ATTEMPTS = 20


def now_ms() -> int:
    """Wall-clock Unix milliseconds: positions are compared across processes and nodes."""
    return time.time_ns() // 1_000_000


class Store:
    def __init__(self, hub: PlayerHub) -> None:
        self.hub = hub

    def get(self, key: str) -> Any | None:
        found = self.hub.read(key)
        return None if found is None else orjson.loads(found.value)

    def update(self, key: str, change: Callable[[Any | None], Any | None]) -> tuple[Any | None, Any | None]:
        """(old, new): `change` may run more than once, and may raise to leave the value as it is;
        when it answers what it was given, nothing is written."""
        for _ in range(ATTEMPTS):
            found = self.hub.read(key)
            old = None if found is None else orjson.loads(found.value)
            new = change(old)
            if new == old:
                return old, new
            if new is None:
                self.hub.delete(key)
                return old, new
            if self.hub.write(key, orjson.dumps(new), expected=0 if found is None else found.version):
                return old, new
        raise PlayerBusy(f"player state '{key}' kept changing; try again")

    def put(self, key: str, value: Any | None) -> None:
        self.update(key, lambda _old: value)

    def publish(self, topic: str, message: dict[str, Any]) -> None:
        self.hub.publish(topic, orjson.dumps(message))
