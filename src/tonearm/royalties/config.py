"""The royalty run's inputs that do not come from streams: each market and product's revenue for
the month, the share of it owed to rightsholders, and the fraud filter's thresholds.

A TOML file; `royalties.example.toml` beside this module is the documented example and the
default. Everything is checked before any stream is read, so a bad file writes nothing.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from tonearm.errors import BadRequest
from tonearm.kit.caller import PRODUCTS
from tonearm.kit.territories import COUNTRIES

__all__ = ["DEFAULT_CONFIG", "FraudRules", "Pool", "RoyaltyConfig", "load_config"]

DEFAULT_CONFIG = Path(__file__).with_name("royalties.example.toml")
BASIS = 10_000


@dataclass(frozen=True)
class Pool:
    """One market and product's money for the month: `revenue_minor` in the currency's minor
    units (öre, cents), of which `share_bp` basis points are the rightsholders' pool."""

    market: str
    product: str
    currency: str
    revenue_minor: int
    share_bp: int

    @property
    def pool_minor(self) -> int:
        # Rounded down: the platform keeps the fraction of a minor unit, never a rightsholder.
        return self.revenue_minor * self.share_bp // BASIS


@dataclass(frozen=True)
class FraudRules:
    """Where listening stops being a person's (see `royalties.sql` for how each is found)."""

    # One account, one track, one UTC day: more streams than this is a loop.
    loop_streams_per_day: int = 100
    # One account's streams on one day adding up to more than the day holds.
    max_ms_per_day: int = 86_400_000
    # A day of at least this many streams whose gaps vary by less than `regular_max_jitter_ms`.
    regular_min_streams: int = 50
    regular_max_jitter_ms: int = 100
    # One device streaming for more accounts than this in the month.
    device_max_accounts: int = 10


@dataclass(frozen=True)
class RoyaltyConfig:
    pools: tuple[Pool, ...]
    fraud: FraudRules = field(default_factory=FraudRules)
    source: str = ""

    def pool(self, market: str, product: str) -> Pool | None:
        return next((p for p in self.pools if (p.market, p.product) == (market, product)), None)


def load_config(path: Path | None = None) -> RoyaltyConfig:
    path = path or DEFAULT_CONFIG
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as missing:
        raise BadRequest(f"royalty configuration {path} does not exist") from missing
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as broken:
        raise BadRequest(f"royalty configuration {path} is not valid TOML: {broken}") from broken
    return parse_config(raw, source=str(path))


def parse_config(raw: dict[str, Any], *, source: str = "") -> RoyaltyConfig:
    unknown = set(raw) - {"pool", "fraud"}
    if unknown:
        raise BadRequest(f"unknown section(s) in the royalty configuration: {', '.join(sorted(unknown))}")
    entries = raw.get("pool")
    if not isinstance(entries, list) or not entries:
        raise BadRequest("the royalty configuration lists no [[pool]]")
    pools = tuple(_pool(entry, n) for n, entry in enumerate(entries, start=1))
    seen: set[tuple[str, str]] = set()
    for pool in pools:
        key = (pool.market, pool.product)
        if key in seen:
            raise BadRequest(f"pool {pool.market}/{pool.product} is listed twice")
        seen.add(key)
    return RoyaltyConfig(pools, _fraud(raw.get("fraud", {})), source)


def _pool(entry: object, n: int) -> Pool:
    if not isinstance(entry, dict):
        raise BadRequest(f"pool {n} must be a table")
    where = f"pool {n}"
    unknown = set(entry) - {"market", "product", "currency", "revenue_minor", "rightsholder_share"}
    if unknown:
        raise BadRequest(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
    market = _text(entry, "market", where).upper()
    if market not in COUNTRIES:
        raise BadRequest(f"{where}: {market!r} is not a market (an ISO 3166-1 alpha-2 country code)")
    product = _text(entry, "product", where)
    if product not in PRODUCTS:
        raise BadRequest(f"{where}: product must be one of {', '.join(PRODUCTS)}, not {product!r}")
    where = f"pool {market}/{product}"
    currency = _text(entry, "currency", where).upper()
    if len(currency) != 3 or not currency.isalpha():
        raise BadRequest(f"{where}: currency must be an ISO 4217 code such as SEK, not {currency!r}")
    revenue = entry.get("revenue_minor")
    if isinstance(revenue, bool) or not isinstance(revenue, int):
        raise BadRequest(f"{where}: revenue_minor must be a whole number of minor units (cents, öre)")
    if revenue < 0:
        raise BadRequest(f"{where}: revenue_minor is negative ({revenue})")
    if "rightsholder_share" not in entry:
        raise BadRequest(f"{where}: rightsholder_share is missing (the share of revenue owed, 0-1)")
    return Pool(market, product, currency, revenue, _share_bp(entry["rightsholder_share"], where))


def _text(entry: dict[str, Any], key: str, where: str) -> str:
    value = entry.get(key)
    if not isinstance(value, str) or not value.strip():
        raise BadRequest(f"{where}: {key} is missing")
    return value.strip()


def _share_bp(value: object, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise BadRequest(f"{where}: rightsholder_share must be a number between 0 and 1")
    try:
        share = Decimal(str(value))
    except InvalidOperation as bad:
        raise BadRequest(f"{where}: rightsholder_share must be a number between 0 and 1") from bad
    if not Decimal(0) <= share <= Decimal(1):
        raise BadRequest(f"{where}: rightsholder_share must be between 0 and 1, not {value}")
    basis = share * BASIS
    if basis != basis.to_integral_value():
        raise BadRequest(f"{where}: rightsholder_share has more than 4 decimals ({value})")
    return int(basis)


def _fraud(raw: object) -> FraudRules:
    if not isinstance(raw, dict):
        raise BadRequest("[fraud] must be a table")
    defaults = FraudRules()
    known = set(defaults.__dataclass_fields__)
    unknown = set(raw) - known
    if unknown:
        raise BadRequest(f"[fraud]: unknown key(s) {', '.join(sorted(unknown))}")
    for key, value in raw.items():
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            raise BadRequest(f"[fraud]: {key} must be a positive whole number")
    return FraudRules(**raw)
