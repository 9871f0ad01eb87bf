"""Royalty shapes: a run's summary, a rightsholder's statement, an artist's own statements and
stats. Money is always in the currency's minor units (öre, cents) as a whole number."""

from __future__ import annotations

from tonearm.schemas import Frozen

__all__ = [
    "ArtistStatement",
    "ArtistStatements",
    "ArtistStats",
    "DayStreams",
    "FraudRow",
    "MarketStreams",
    "MonthEntry",
    "Months",
    "PoolRow",
    "RunEntry",
    "RunSummary",
    "Statement",
    "StatementLine",
    "StatementTotal",
    "TopTrack",
]


class RunEntry(Frozen):
    run: int
    computed_at: str
    provisional: bool
    engine: str
    # The final run this one corrects, when it changed what an earlier final run paid.
    corrects: int | None = None


class MonthEntry(Frozen):
    month: str
    latest: int
    runs: list[RunEntry]


class Months(Frozen):
    items: list[MonthEntry]


class PoolRow(Frozen):
    market: str
    product: str
    currency: str
    pool_minor: int
    paid_minor: int
    user_centric_paid_minor: int
    streams: int
    filtered_streams: int


class FraudRow(Frozen):
    market: str
    product: str
    reason: str
    streams: int
    accounts: int
    would_have_moved_minor: int


class RunSummary(Frozen):
    month: str
    run: int
    provisional: bool
    computed_at: str
    engine: str
    pools: list[PoolRow]
    filtered_streams: int
    unpooled_streams: int
    fraud: list[FraudRow]
    correction: dict[str, int | str] | None = None
    paths: dict[str, str]


class StatementLine(Frozen):
    track_id: str
    market: str
    product: str
    currency: str
    streams: int
    amount_minor: int


class StatementTotal(Frozen):
    currency: str
    streams: int
    amount_minor: int


class PartyTotal(Frozen):
    party: str
    role: str
    currency: str
    amount_minor: int


class Holder(Frozen):
    id: str
    name: str


class Statement(Frozen):
    month: str
    run: int
    provisional: bool
    model: str
    rightsholder: Holder
    totals: list[StatementTotal]
    parties: list[PartyTotal] = []
    lines: list[StatementLine]
    correction: dict[str, object] | None = None


class ArtistStatement(Frozen):
    month: str
    run: int
    provisional: bool
    rightsholder: Holder
    currency: str
    streams: int
    amount_minor: int


class ArtistStatements(Frozen):
    items: list[ArtistStatement]


class DayStreams(Frozen):
    day: str
    streams: int
    listeners: int


class MarketStreams(Frozen):
    market: str
    streams: int
    listeners: int


class TopTrack(Frozen):
    track_id: str
    name: str
    streams: int
    listeners: int


class ArtistStats(Frozen):
    since: str
    until: str
    streams: int
    listeners: int
    days: list[DayStreams]
    markets: list[MarketStreams]
    top_tracks: list[TopTrack]
