"""Who a request acts for, and the products and roles every domain reasons about.

Defined once, below the domains: the accounts domain issues callers, every other domain only
reads them (through the guard in `kit.access`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

__all__ = [
    "CLI_CLIENT_ID",
    "FIRST_PARTY_CLIENTS",
    "FREE",
    "PREMIUM",
    "PRODUCTS",
    "ROLES",
    "WEB_CLIENT_ID",
    "Caller",
    "Product",
    "Role",
    "is_premium",
]

# The products a user may have: defined here alone; everything else names them by these.
FREE: Final = "free"
PREMIUM: Final = "premium"
Product = Literal["free", "premium"]
PRODUCTS: tuple[Product, ...] = (FREE, PREMIUM)
Role = Literal["listener", "artist", "admin"]
ROLES: tuple[Role, ...] = ("listener", "artist", "admin")
# The app `tonearm users token` issues tokens as; registered on first use.
CLI_CLIENT_ID = "tonearm-cli"
# The web player: a public app whose redirect URI is its own origin ("{origin}/"), wherever the
# platform is served from; as our own app it is not shown a consent page.
WEB_CLIENT_ID = "tonearm-web"
FIRST_PARTY_CLIENTS = frozenset({CLI_CLIENT_ID, WEB_CLIENT_ID})


def is_premium(product: Product | None) -> bool:
    """The premium rule: premium rungs and premium-only windows are open to a premium listener,
    and to an app acting for no user (it describes the catalog; it does not play)."""
    return product != FREE


@dataclass(frozen=True)
class Caller:
    """Who a request acts for: a user through an app, or an app alone (client credentials)."""

    user_id: str | None
    client_id: str | None
    scopes: frozenset[str]
    role: Role = "listener"
    product: Product = FREE
    country: str | None = None
    explicit_content: bool = True
