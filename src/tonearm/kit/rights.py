"""Whether a track may play in a market now, from its territory windows."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, Protocol

from tonearm.kit.caller import Product, is_premium
from tonearm.kit.territories import COUNTRIES, WORLDWIDE
from tonearm.kit.time import as_utc

__all__ = [
    "EVERYONE",
    "Audience",
    "Availability",
    "RightWindow",
    "availability",
    "available_markets",
    "is_allowed",
    "restriction",
]


class RightWindow(Protocol):
    """A rights row: the ORM object, or a plain row read in bulk."""

    @property
    def territory(self) -> str: ...
    @property
    def allowed(self) -> bool: ...
    @property
    def valid_from(self) -> datetime | None: ...
    @property
    def valid_to(self) -> datetime | None: ...
    @property
    def premium_only(self) -> bool: ...


@dataclass(frozen=True, slots=True)
class Audience:
    """Whom objects are shaped for besides their market: a listener's product, and whether they
    hear explicit tracks. An app acting for no user has no product; premium windows count as
    open for it (it describes the catalog, it does not play)."""

    product: Product | None = None
    explicit_content: bool = True

    @property
    def premium(self) -> bool:
        return is_premium(self.product)


EVERYONE = Audience()


_ALL_MARKETS = tuple(sorted(COUNTRIES))


def _in_window(right: RightWindow, now: datetime) -> bool:
    starts = right.valid_from is None or as_utc(right.valid_from) <= now
    ends = right.valid_to is None or now < as_utc(right.valid_to)
    return starts and ends


def is_allowed(rights: Sequence[RightWindow], market: str, now: datetime, *, premium: bool = True) -> bool:
    """A denial for the market or worldwide (a takedown) wins; otherwise an allowance for the
    market or worldwide is needed (a premium-only one counts for premium listeners)."""
    active = [right for right in rights if _in_window(right, now)]
    if any(right.territory in (market, WORLDWIDE) and not right.allowed for right in active):
        return False
    return any(
        right.allowed and right.territory in (market, WORLDWIDE) and (premium or not right.premium_only)
        for right in active
    )


def restriction(
    rights: Sequence[RightWindow], market: str, now: datetime, audience: Audience
) -> Literal["market", "product"] | None:
    """Why this audience may not play a track in the market now, as Spotify words it."""
    if not is_allowed(rights, market, now):
        return "market"
    if not audience.premium and not is_allowed(rights, market, now, premium=False):
        return "product"
    return None


def available_markets(rights: Sequence[RightWindow], now: datetime) -> list[str]:
    return list(availability(rights, now).expanded())


@dataclass(frozen=True, slots=True)
class Availability:
    """Where something plays now: `markets` is ("WW",) for everywhere but `excluded`, or the
    list of markets (maybe empty)."""

    markets: tuple[str, ...]
    excluded: tuple[str, ...] = ()

    @property
    def worldwide(self) -> bool:
        return self.markets == (WORLDWIDE,)

    def expanded(self) -> tuple[str, ...]:
        if not self.worldwide:
            return self.markets
        return tuple(market for market in _ALL_MARKETS if market not in self.excluded)

    @classmethod
    def union(cls, parts: Sequence[Availability]) -> Availability:
        """Where at least one of them plays (an album: where any of its tracks does)."""
        listed = {market for part in parts if not part.worldwide for market in part.markets}
        exclusions = [set(part.excluded) for part in parts if part.worldwide]
        if not exclusions:
            return cls(tuple(sorted(listed)))
        return cls((WORLDWIDE,), tuple(sorted(set.intersection(*exclusions) - listed)))


def availability(rights: Sequence[RightWindow], now: datetime) -> Availability:
    """The same rule as is_allowed, for every market in one pass (a rebuild runs it per track)."""
    active = [(right.territory, right.allowed) for right in rights if _in_window(right, now)]
    denied = {territory for territory, allowed in active if not allowed}
    allowed = {territory for territory, allowed in active if allowed}
    if WORLDWIDE in denied:
        return Availability(())
    if WORLDWIDE in allowed:
        return Availability((WORLDWIDE,), tuple(sorted(denied)))
    return Availability(tuple(sorted(allowed - denied)))
