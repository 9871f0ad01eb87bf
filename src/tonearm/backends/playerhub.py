"""Player hub: where each user's player state lives and how its changes reach every process
holding one of the user's device sockets.

Two halves in one backend, because they must be shared (or not) together: a versioned
key-value store (each write names the version it read, so two processes changing one user's
state cannot lose each other's change) and a broadcast (every process listening hears every
message published under the hub, and picks out its own users'). In process by default
(`memory://`); `redis://host:6379/0` shares both between processes and nodes.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol, runtime_checkable
from urllib.parse import urlsplit

from tonearm.backends.registry import SchemeRegistry

__all__ = ["ADAPTER_MODULES", "Deliver", "PlayerHub", "Versioned", "open_player_hub", "player_hubs"]

# Called with (topic, message) for each published message, from any thread.
Deliver = Callable[[str, bytes], None]


@dataclass(frozen=True)
class Versioned:
    version: int
    value: bytes


@runtime_checkable
class PlayerHub(Protocol):
    def read(self, key: str) -> Versioned | None:
        """The value under key and its version (1 for the first write), None when absent."""

    def write(self, key: str, value: bytes, *, expected: int, ttl_seconds: float | None = None) -> bool:
        """Store value as version `expected + 1` if the key is still at version `expected` (0:
        absent); False, and nothing written, otherwise. With ttl_seconds the key then expires."""

    def delete(self, key: str) -> None:
        """Forget key; an absent key is not an error."""

    def publish(self, topic: str, message: bytes) -> None:
        """Send message to every listener of this hub (in every process sharing it)."""

    def listen(self, deliver: Deliver) -> None:
        """Start calling deliver for each message published from now on (until stop_listening)."""

    def stop_listening(self) -> None: ...

    def close(self) -> None: ...


player_hubs: SchemeRegistry[PlayerHub] = SchemeRegistry("player hub")

ADAPTER_MODULES = {
    "memory": "tonearm.backends.playerhub_memory",
    "redis": "tonearm.backends.playerhub_redis",
}


def open_player_hub(url: str) -> PlayerHub:
    scheme = urlsplit(url).scheme
    modules = [ADAPTER_MODULES[scheme]] if scheme in ADAPTER_MODULES else ADAPTER_MODULES.values()
    for module in modules:
        importlib.import_module(module)
    return player_hubs.open(url)
