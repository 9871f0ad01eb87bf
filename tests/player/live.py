"""A device on a live server: a real WebSocket client (the `websockets` library) in a thread of
its own, keeping every message it receives with the time it arrived."""

from __future__ import annotations

import json
import threading
import time
from contextlib import ExitStack
from typing import Any

from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from tests.player.conftest import hello


class LiveDevice:
    def __init__(self, base_url: str, token: str, device_id: str, **fields: Any) -> None:
        self.device_id = device_id
        ws_url = base_url.replace("http://", "ws://") + f"/v1/me/player/connect?access_token={token}"
        self._opened = ExitStack()
        self._socket: ClientConnection = self._opened.enter_context(connect(ws_url, open_timeout=10))
        self._socket.send(json.dumps(hello(device_id, **fields)))
        self.welcome = json.loads(self._socket.recv(timeout=10))
        self.received: list[tuple[float, dict[str, Any]]] = []
        self._arrived = threading.Condition()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        try:
            for text in self._socket:
                with self._arrived:
                    self.received.append((time.perf_counter(), json.loads(text)))
                    self._arrived.notify_all()
        except ConnectionClosed:
            pass

    def command(
        self, action: str, *, after: float = 0.0, timeout: float = 5.0
    ) -> tuple[float, dict[str, Any]]:
        """(arrival time, message) of the first state message since `after` (a perf_counter
        time) with `action` for this device."""
        deadline = time.monotonic() + timeout
        with self._arrived:
            while True:
                for at, message in self.received:
                    if at >= after and message["type"] == "state" and self._names(message, action):
                        return at, message
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"{self.device_id} got no {action} within {timeout} s")
                self._arrived.wait(left)

    def _names(self, message: dict[str, Any], action: str) -> bool:
        return any(c["device_id"] == self.device_id and c["action"] == action for c in message["commands"])

    def close(self) -> None:
        self._opened.close()
        self._reader.join(timeout=5)

    def __enter__(self) -> LiveDevice:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()
