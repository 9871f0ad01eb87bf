"""One suite over every rate limiter adapter (in-process and Redis), so they cannot drift apart."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest

from tests.conftest import REDIS_URL
from tonearm.backends.ratelimit import Decision, RateLimiter, open_rate_limiter
from tonearm.backends.ratelimit_memory import MemoryRateLimiter
from tonearm.errors import BackendError


@pytest.fixture(params=["memory", "redis"])
def limiter(request: pytest.FixtureRequest) -> Iterator[RateLimiter]:
    url = "memory://" if request.param == "memory" else request.getfixturevalue("redis_url")
    opened = open_rate_limiter(url)
    yield opened
    opened.close()


def _hits(limiter: RateLimiter, key: str, count: int, *, limit: int, window: float) -> list[Decision]:
    return [limiter.hit(key, limit=limit, window_seconds=window) for _ in range(count)]


def _allowed_under_contention(limiters: list[RateLimiter], *, threads: int, hits_each: int) -> int:
    """Hits allowed when `threads` threads, spread over `limiters`, all hit one key at once."""
    start = threading.Barrier(threads)
    allowed: list[int] = []

    def hammer(limiter: RateLimiter) -> None:
        start.wait()
        decisions = _hits(limiter, "contended", hits_each, limit=100, window=60)
        allowed.append(sum(decision.allowed for decision in decisions))

    workers = [threading.Thread(target=hammer, args=(limiters[i % len(limiters)],)) for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return sum(allowed)


def test_the_limiter_implements_the_protocol(limiter: RateLimiter) -> None:
    assert isinstance(limiter, RateLimiter)


def test_remaining_counts_down_to_zero_while_hits_are_allowed(limiter: RateLimiter) -> None:
    decisions = _hits(limiter, "user:1", 3, limit=3, window=10)
    assert [d.allowed for d in decisions] == [True, True, True]
    assert [d.remaining for d in decisions] == [2, 1, 0]
    assert all(d.limit == 3 and d.retry_after == 0 for d in decisions)


def test_a_hit_past_the_limit_is_refused_with_a_retry_after_within_the_window(limiter: RateLimiter) -> None:
    _hits(limiter, "user:1", 3, limit=3, window=10)
    refused = limiter.hit("user:1", limit=3, window_seconds=10)
    assert not refused.allowed
    assert refused.remaining == 0
    assert 0 < refused.retry_after <= 10


def test_separate_keys_have_separate_budgets(limiter: RateLimiter) -> None:
    _hits(limiter, "user:1", 2, limit=2, window=10)
    assert not limiter.hit("user:1", limit=2, window_seconds=10).allowed
    other = limiter.hit("user:2", limit=2, window_seconds=10)
    assert other.allowed and other.remaining == 1


def test_the_window_slides_so_only_the_oldest_hit_has_to_age_out(limiter: RateLimiter) -> None:
    limiter.hit("user:1", limit=2, window_seconds=0.6)
    time.sleep(0.3)
    assert limiter.hit("user:1", limit=2, window_seconds=0.6).allowed
    refused = limiter.hit("user:1", limit=2, window_seconds=0.6)
    # The first hit is at least 0.3 s old, so it frees its slot in at most 0.3 s, not a whole window.
    assert not refused.allowed
    assert 0 < refused.retry_after <= 0.3


def test_after_waiting_retry_after_the_next_hit_is_allowed(limiter: RateLimiter) -> None:
    _hits(limiter, "user:1", 2, limit=2, window=0.4)
    refused = limiter.hit("user:1", limit=2, window_seconds=0.4)
    assert not refused.allowed
    time.sleep(refused.retry_after)
    assert limiter.hit("user:1", limit=2, window_seconds=0.4).allowed


def test_refused_hits_do_not_extend_the_lock_out(limiter: RateLimiter) -> None:
    _hits(limiter, "user:1", 2, limit=2, window=0.8)
    first = limiter.hit("user:1", limit=2, window_seconds=0.8)
    free_at = time.monotonic() + first.retry_after
    previous, knocks = first.retry_after, 0
    while time.monotonic() < free_at - 0.2:
        again = limiter.hit("user:1", limit=2, window_seconds=0.8)
        assert not again.allowed and again.retry_after < previous
        previous, knocks = again.retry_after, knocks + 1
        time.sleep(0.02)
    assert knocks >= 5
    time.sleep(max(0.0, free_at - time.monotonic()))
    assert limiter.hit("user:1", limit=2, window_seconds=0.8).allowed


def test_reset_clears_a_key(limiter: RateLimiter) -> None:
    _hits(limiter, "user:1", 2, limit=2, window=10)
    limiter.reset("user:1")
    limiter.reset("never-seen")
    decision = limiter.hit("user:1", limit=2, window_seconds=10)
    assert decision.allowed and decision.remaining == 1


@pytest.mark.parametrize(("limit", "window"), [(0, 10), (-1, 10), (3, 0), (3, -1)])
def test_a_quota_that_cannot_be_met_is_an_error(limiter: RateLimiter, limit: int, window: float) -> None:
    with pytest.raises(ValueError, match="rate limit"):
        limiter.hit("user:1", limit=limit, window_seconds=window)


def test_concurrent_hits_take_exactly_the_limit(limiter: RateLimiter) -> None:
    assert _allowed_under_contention([limiter], threads=8, hits_each=50) == 100


def test_two_redis_clients_share_one_budget(redis_url: str) -> None:
    # Two client objects stand in for two API processes; neither may take a slot the other took.
    first, second = open_rate_limiter(redis_url), open_rate_limiter(redis_url)
    try:
        _hits(first, "user:1", 2, limit=3, window=10)
        assert second.hit("user:1", limit=3, window_seconds=10).remaining == 0
        assert not first.hit("user:1", limit=3, window_seconds=10).allowed
        assert _allowed_under_contention([first, second], threads=8, hits_each=50) == 100
    finally:
        first.close()
        second.close()


def test_redis_keys_are_prefixed_and_expire_with_their_window(redis_url: str) -> None:
    import redis

    limiter = open_rate_limiter(redis_url)
    limiter.hit("user:1", limit=3, window_seconds=2)
    limiter.close()
    client = redis.Redis.from_url(REDIS_URL)
    namespace = redis_url.rsplit("namespace=", 1)[1]
    key = f"tonearm:rl:{namespace}:user:1"
    try:
        assert 0 < client.pttl(key) <= 2000
    finally:
        client.close()


def test_an_unreachable_redis_raises_backend_error() -> None:
    limiter = open_rate_limiter("redis://127.0.0.1:1/0")
    with pytest.raises(BackendError, match=r"redis://127\.0\.0\.1:1/0"):
        limiter.hit("user:1", limit=3, window_seconds=10)
    limiter.close()


def test_the_memory_limiter_forgets_keys_whose_window_has_passed() -> None:
    now = [1000.0]
    limiter = MemoryRateLimiter(clock=lambda: now[0], sweep_seconds=5)
    for user in range(50):
        limiter.hit(f"user:{user}", limit=3, window_seconds=1)
    assert len(limiter) == 50
    now[0] += 6
    limiter.hit("user:new", limit=3, window_seconds=1)
    assert len(limiter) == 1


def test_the_memory_limiter_allows_a_hit_exactly_retry_after_later() -> None:
    now = [1000.0]
    limiter = MemoryRateLimiter(clock=lambda: now[0])
    limiter.hit("user:1", limit=1, window_seconds=1)
    now[0] += 0.25
    refused = limiter.hit("user:1", limit=1, window_seconds=1)
    assert refused.retry_after == 0.75
    now[0] += 0.749999
    assert not limiter.hit("user:1", limit=1, window_seconds=1).allowed
    now[0] += 0.000001
    assert limiter.hit("user:1", limit=1, window_seconds=1).allowed


def test_an_unknown_scheme_names_the_known_ones() -> None:
    with pytest.raises(ValueError, match="known: memory, redis"):
        open_rate_limiter("gopher://x")
