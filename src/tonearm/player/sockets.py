"""The device sockets this process holds, and the hand-over of the hub's messages to them.

The hub delivers every message of every user (from any thread: the Redis listener has its
own); the loop that serves the sockets picks out the ones of users it has sockets for and
queues each for every such socket, whose sender writes them out in order.
"""

from __future__ import annotations

import asyncio
from contextlib import suppress
from dataclasses import dataclass, field

__all__ = ["DeviceSocket", "Sockets"]


@dataclass(eq=False)
class DeviceSocket:
    user_id: str
    device_id: str
    outbox: asyncio.Queue[str] = field(default_factory=asyncio.Queue)


class Sockets:
    def __init__(self) -> None:
        self._by_user: dict[str, set[DeviceSocket]] = {}
        self._loop: asyncio.AbstractEventLoop | None = None

    def __len__(self) -> int:
        return sum(len(sockets) for sockets in self._by_user.values())

    def add(self, socket: DeviceSocket) -> None:
        self._loop = asyncio.get_running_loop()
        self._by_user.setdefault(socket.user_id, set()).add(socket)

    def remove(self, socket: DeviceSocket) -> None:
        sockets = self._by_user.get(socket.user_id, set())
        sockets.discard(socket)
        if not sockets:
            self._by_user.pop(socket.user_id, None)

    def holds(self, user_id: str, device_id: str) -> bool:
        return any(s.device_id == device_id for s in self._by_user.get(user_id, ()))

    def deliver(self, topic: str, message: bytes) -> None:
        """The hub's callback; safe from any thread."""
        loop = self._loop
        if loop is None or topic not in self._by_user or loop.is_closed():
            return
        with suppress(RuntimeError):  # the loop closed meanwhile: its sockets are gone with it
            loop.call_soon_threadsafe(self._fan_out, topic, message.decode())

    def _fan_out(self, topic: str, text: str) -> None:
        for socket in self._by_user.get(topic, ()):
            socket.outbox.put_nowait(text)
