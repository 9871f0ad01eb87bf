"""Request quotas per user per app, in the categories Spotify's seeds use.

Every /v1 route names its category (`require(..., limit="search")`); a caller over its quota in
that category gets 429 with Retry-After. The counting itself is a backend (in process, or Redis
so that every server process shares one budget).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from tonearm.backends.ratelimit import RateLimiter
from tonearm.errors import BackendError, TooManyRequests
from tonearm.kit.caller import Caller
from tonearm.kit.logs import get_logger

__all__ = ["LIMITS", "Category", "Quota", "RateLimits"]

log = get_logger(__name__)
Category = Literal["standard", "search", "player", "playlist"]


@dataclass(frozen=True)
class Quota:
    requests: int
    window_seconds: float


LIMITS: dict[Category, Quota] = {
    "standard": Quota(100, 30),
    "search": Quota(30, 30),
    "player": Quota(50, 30),
    # Changes to playlists (adds, removes, reorders), not reads.
    "playlist": Quota(25, 30),
}


class RateLimits:
    """Counts each caller's requests; `limiter=None` turns limits off (benchmarks, load tests)."""

    def __init__(self, limiter: RateLimiter | None, limits: dict[Category, Quota] | None = None) -> None:
        self.limiter = limiter
        self.limits = limits or LIMITS

    def check(self, caller: Caller, category: Category) -> None:
        if self.limiter is None:
            return
        quota = self.limits[category]
        # An app acting for itself (client credentials) has a budget of its own.
        key = f"{category}:{caller.user_id or '-'}:{caller.client_id or '-'}"
        try:
            decision = self.limiter.hit(key, limit=quota.requests, window_seconds=quota.window_seconds)
        except BackendError as error:
            # Limits protect the service; a limiter outage must not take the service down with it.
            log.warning("rate limiter unavailable; request let through", error=str(error))
            return
        if not decision.allowed:
            raise TooManyRequests(
                f"rate limit: at most {quota.requests} {category} requests per "
                f"{quota.window_seconds:g} s; retry later",
                retry_after=decision.retry_after,
            )

    def close(self) -> None:
        if self.limiter is not None:
            self.limiter.close()
