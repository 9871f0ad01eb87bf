"""Rate limiter in Redis (redis:// URLs), shared by every API process.

`redis://host:port/db?namespace=name` keeps keys under `tonearm:rl:name:` so deployments (or test
runs) sharing one server stay apart; without it keys live under `tonearm:rl:`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from tonearm.backends.ratelimit import Decision, rate_limiters, window_micros
from tonearm.backends.redis_urls import split_namespace
from tonearm.errors import BackendError

if TYPE_CHECKING:
    import redis

__all__ = ["KEY_PREFIX", "RedisRateLimiter"]

KEY_PREFIX = "tonearm:rl:"

T = TypeVar("T")

# The whole check-then-record runs as one script so two API processes cannot both take the last
# slot. The key is a list of allowed-hit times in microseconds, oldest first. Time comes from the
# server, so API hosts with skewed clocks still agree; it is clamped to the newest hit because
# TIME is a wall clock and may step back. Lua numbers are doubles that print with 14 digits, so
# times are written with %d to keep all 16.
_HIT = """
local key = KEYS[1]
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
local newest = redis.call('LINDEX', key, -1)
if newest and tonumber(newest) > now then now = tonumber(newest) end
while true do
  local oldest = redis.call('LINDEX', key, 0)
  if not oldest or tonumber(oldest) > now - window then break end
  redis.call('LPOP', key)
end
local count = redis.call('LLEN', key)
if count < limit then
  redis.call('RPUSH', key, string.format('%d', now))
  redis.call('PEXPIRE', key, math.ceil(window / 1000))
  return {1, limit - count - 1, 0}
end
local blocker = tonumber(redis.call('LINDEX', key, count - limit))
return {0, 0, blocker + window - now}
"""


class RedisRateLimiter:
    def __init__(self, url: str, *, prefix: str = KEY_PREFIX) -> None:
        import redis
        from redis.backoff import NoBackoff
        from redis.retry import Retry

        # Limits sit on the request path: a dead Redis should fail the request within seconds
        # (as a 503), not hang it through the client's default timeouts and ten retries. One
        # immediate retry still covers a pooled connection that a restarted Redis has closed.
        self._client: redis.Redis = redis.Redis.from_url(
            url,
            socket_connect_timeout=2.0,
            socket_timeout=2.0,
            retry=Retry(NoBackoff(), 1),
        )
        self._errors = redis.RedisError
        self._prefix = prefix
        self._hit = self._client.register_script(_HIT)
        address = self._client.get_connection_kwargs()
        self._where = f"redis://{address.get('host')}:{address.get('port')}/{address.get('db')}"

    def hit(self, key: str, *, limit: int, window_seconds: float) -> Decision:
        window = window_micros(limit, window_seconds)
        allowed, remaining, retry = self._call(
            "hit", lambda: self._hit(keys=[self._prefix + key], args=[limit, window])
        )
        return Decision.of(allowed=allowed == 1, limit=limit, remaining=remaining, retry_micros=retry)

    def reset(self, key: str) -> None:
        self._call("reset", lambda: self._client.delete(self._prefix + key))

    def close(self) -> None:
        self._client.close()

    def _call(self, action: str, command: Callable[[], T]) -> T:
        try:
            return command()
        except self._errors as error:
            raise BackendError(f"rate limiter {action} failed on {self._where}: {error}") from error


def _split_namespace(url: str) -> tuple[str, str]:
    """The URL without `namespace` and the key prefix it asks for."""
    client_url, namespace = split_namespace(url)
    return client_url, f"{KEY_PREFIX}{namespace}:" if namespace else KEY_PREFIX


@rate_limiters.register("redis")
def _open(url: str) -> RedisRateLimiter:
    client_url, prefix = _split_namespace(url)
    return RedisRateLimiter(client_url, prefix=prefix)
