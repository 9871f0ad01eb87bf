"""Player hub in Redis (redis:// URLs): every API process and node sees one state per user, and
hears every change through one pattern subscription.

`redis://host:port/db?namespace=name` keeps keys and channels under `tonearm:player:name:`, so
deployments (or test runs) sharing one server stay apart; without it they live under
`tonearm:player:`. Each process subscribes to the whole namespace and keeps what its own sockets
need: one subscription per process, never one per user.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from tonearm.backends.playerhub import Deliver, Versioned, player_hubs
from tonearm.backends.redis_urls import split_namespace
from tonearm.errors import BackendError
from tonearm.kit.logs import get_logger

if TYPE_CHECKING:
    import redis

__all__ = ["KEY_PREFIX", "RedisPlayerHub"]

KEY_PREFIX = "tonearm:player:"
log = get_logger(__name__)
T = TypeVar("T")

# A hash of v (the version) and d (the value): compare-and-set in one script, so two processes
# changing one user's state cannot both win.
_WRITE = """
local current = tonumber(redis.call('HGET', KEYS[1], 'v') or '0')
if current ~= tonumber(ARGV[1]) then return 0 end
redis.call('HSET', KEYS[1], 'v', current + 1, 'd', ARGV[2])
local ttl = tonumber(ARGV[3])
if ttl > 0 then redis.call('PEXPIRE', KEYS[1], ttl) else redis.call('PERSIST', KEYS[1]) end
return 1
"""


class RedisPlayerHub:
    def __init__(self, url: str, *, prefix: str = KEY_PREFIX) -> None:
        import redis
        from redis.backoff import NoBackoff
        from redis.retry import Retry

        # On the path of every command: a dead Redis fails the request within seconds (a 503).
        self._client: redis.Redis = redis.Redis.from_url(
            url, socket_connect_timeout=2.0, socket_timeout=2.0, retry=Retry(NoBackoff(), 1)
        )
        self._url = url
        self._errors = redis.RedisError
        self._prefix = prefix
        self._write = self._client.register_script(_WRITE)
        self._listener: _Listener | None = None

    def read(self, key: str) -> Versioned | None:
        version, value = self._call("read", lambda: self._client.hmget(self._prefix + key, ["v", "d"]))
        return (
            None
            if version is None or value is None
            else Versioned(int(version), value if isinstance(value, bytes) else value.encode())
        )

    def write(self, key: str, value: bytes, *, expected: int, ttl_seconds: float | None = None) -> bool:
        ttl = 0 if ttl_seconds is None else max(1, round(ttl_seconds * 1000))
        done = self._call(
            "write", lambda: self._write(keys=[self._prefix + key], args=[expected, value, ttl])
        )
        return bool(done)

    def delete(self, key: str) -> None:
        self._call("delete", lambda: self._client.delete(self._prefix + key))

    def publish(self, topic: str, message: bytes) -> None:
        self._call("publish", lambda: self._client.publish(f"{self._prefix}topic:{topic}", message))

    def listen(self, deliver: Deliver) -> None:
        self.stop_listening()
        self._listener = _Listener(self._url, f"{self._prefix}topic:", deliver)

    def stop_listening(self) -> None:
        if self._listener is not None:
            self._listener.stop()
            self._listener = None

    def close(self) -> None:
        self.stop_listening()
        self._client.close()

    def _call(self, action: str, command: Callable[[], T]) -> T:
        try:
            return command()
        except self._errors as error:
            raise BackendError(f"player hub {action} failed: {error}") from error


class _Listener:
    """A thread on its own connection, subscribed to every topic under the prefix."""

    def __init__(self, url: str, channel_prefix: str, deliver: Deliver) -> None:
        import redis

        self._client: Any = redis.Redis.from_url(url, socket_connect_timeout=2.0)
        self._pubsub: Any = self._client.pubsub(ignore_subscribe_messages=True)
        self._pubsub.psubscribe(channel_prefix + "*")
        self._skip = len(channel_prefix)
        self._deliver = deliver
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="player-hub-listener", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                message = self._pubsub.get_message(timeout=0.25)
            except Exception:
                log.exception("player hub subscription failed; resubscribing")
                self._stopping.wait(1.0)
                continue
            if message is not None and message["type"] == "pmessage":
                self._hand_over(message)

    def _hand_over(self, message: dict[str, Any]) -> None:
        try:
            self._deliver(message["channel"].decode()[self._skip :], message["data"])
        except Exception:  # a broken socket must not stop the others' messages
            log.exception("player hub delivery failed")

    def stop(self) -> None:
        self._stopping.set()
        self._thread.join(timeout=5)
        self._pubsub.close()
        self._client.close()


@player_hubs.register("redis")
def _open(url: str) -> RedisPlayerHub:
    client_url, namespace = split_namespace(url)
    return RedisPlayerHub(client_url, prefix=f"{KEY_PREFIX}{namespace}:" if namespace else KEY_PREFIX)
