"""Whether a track may play in a market now, from its territory windows."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from tonearm.catalog.models import Right
from tonearm.kit.territories import COUNTRIES, WORLDWIDE
from tonearm.kit.time import as_utc

__all__ = ["available_markets", "is_allowed", "playable_markets"]

_ALL_MARKETS = tuple(sorted(COUNTRIES))


def _in_window(right: Right, now: datetime) -> bool:
    starts = right.valid_from is None or as_utc(right.valid_from) <= now
    ends = right.valid_to is None or now < as_utc(right.valid_to)
    return starts and ends


def is_allowed(rights: Sequence[Right], market: str, now: datetime) -> bool:
    """A denial for the market or worldwide (a takedown) wins; otherwise an allowance for the
    market or worldwide is needed."""
    active = [right for right in rights if _in_window(right, now)]
    if any(right.territory in (market, WORLDWIDE) and not right.allowed for right in active):
        return False
    return any(right.allowed and right.territory in (market, WORLDWIDE) for right in active)


def available_markets(rights: Sequence[Right], now: datetime) -> list[str]:
    markets = playable_markets(rights, now)
    return list(_ALL_MARKETS) if markets == (WORLDWIDE,) else list(markets)


def playable_markets(rights: Sequence[Right], now: datetime) -> tuple[str, ...]:
    """("WW",) when playable everywhere, else the markets where it plays (maybe none); the same
    rule as is_allowed, in one pass (a catalog rebuild calls this for every track)."""
    active = [(right.territory, right.allowed) for right in rights if _in_window(right, now)]
    denied = {territory for territory, allowed in active if not allowed}
    allowed = {territory for territory, allowed in active if allowed}
    if WORLDWIDE in denied:
        return ()
    if WORLDWIDE in allowed:
        return (WORLDWIDE,) if not denied else tuple(c for c in _ALL_MARKETS if c not in denied)
    return tuple(sorted(allowed - denied))
