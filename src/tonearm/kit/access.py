"""Who is calling: the bearer token on a /v1 request, the scopes an endpoint needs, and the
caller's quota.

    caller: Annotated[Caller, Depends(require("user-read-private"))]
    caller: Annotated[Caller, Depends(require(limit="search"))]

401 for a missing, unknown, expired or revoked token (with WWW-Authenticate); 403 when the
token lacks a scope the endpoint needs, naming it; 429 with Retry-After over the quota.
Every /v1 route depends on `require`, so none is reachable without a token.

The guard sits below the domains: it asks `app.state.callers` (a `CallerSource`, which the
accounts domain provides and the app wires in) who a token acts for, so a domain's endpoints
need nothing from accounts but the `Caller` value in `kit.caller`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Protocol

from fastapi import Depends, Header, Request
from sqlalchemy.orm import Session
from starlette.requests import HTTPConnection

from tonearm.errors import Forbidden, Unauthorized
from tonearm.kit.caller import FIRST_PARTY_CLIENTS, Caller
from tonearm.kit.db import unit_of_work
from tonearm.kit.limits import Category, RateLimits
from tonearm.kit.rights import Audience
from tonearm.kit.web import Market

__all__ = [
    "CallerSource",
    "CurrentCaller",
    "UserAudience",
    "UserMarket",
    "audience_of",
    "bearer_token",
    "caller_for_token",
    "require",
    "user_market",
]


class CallerSource(Protocol):
    """Who a bearer token acts for (the accounts domain's service is one)."""

    def remembered_caller(self, access_token: str) -> Caller | None:
        """The caller, if the token was looked up moments ago: no database."""

    def caller(self, session: Session, access_token: str) -> Caller:
        """The caller; Unauthorized when the token is unknown, expired or revoked."""


def bearer_token(authorization: str | None) -> str:
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("send 'Authorization: Bearer <access token>'")
    return token.strip()


def caller_for_token(request: HTTPConnection, token: str) -> Caller:
    """Who the token acts for, on a request or a WebSocket; Unauthorized if no one."""
    source: CallerSource = request.app.state.callers
    caller = source.remembered_caller(token)
    if caller is None:
        # Its own short read, so routes without a database session can be guarded too.
        with unit_of_work(request.app.state.session_factory) as session:
            caller = source.caller(session, token)
    request.state.caller = caller
    return caller


async def _caller(request: Request, authorization: Annotated[str | None, Header()] = None) -> Caller:
    return caller_for_token(request, bearer_token(authorization))


def require(
    *scopes: str,
    limit: Category = "standard",
    user: bool = False,
    admin: bool = False,
    first_party: bool = False,
) -> Callable[..., Awaitable[Caller]]:
    """A dependency: the caller, if its token carries every one of `scopes` (and acts for a
    user, when `user`; for an admin, when `admin`; through the platform's own web player or CLI,
    when `first_party`), counted against its quota in the `limit` category."""

    async def check(request: Request, caller: Annotated[Caller, Depends(_caller)]) -> Caller:
        if user and caller.user_id is None:
            raise Forbidden("this needs a user's access token; an app's own token acts for no user")
        missing = [scope for scope in scopes if scope not in caller.scopes]
        if missing:
            raise Forbidden(f"the access token lacks the scope '{missing[0]}'")
        if admin and caller.role != "admin":
            raise Forbidden("only an admin account may do this")
        if first_party and caller.client_id not in FIRST_PARTY_CLIENTS:
            raise Forbidden("only Tonearm's own web player or CLI may do this, not a third-party app")
        limits: RateLimits = request.app.state.rate_limits
        limits.check(caller, limit)
        return caller

    return check


def user_market(caller: Caller, market: str | None) -> str | None:
    """The market a caller plays in: as Spotify's, a user's own country wins over ?market= (and
    is what market=from_token means)."""
    return caller.country or market


async def _user_market(caller: Annotated[Caller, Depends(_caller)], market: Market) -> str | None:
    return user_market(caller, market)


def audience_of(caller: Caller) -> Audience:
    """Whom objects are shaped for: the user's product and explicit setting (an app alone has
    no product)."""
    product = caller.product if caller.user_id is not None else None
    return Audience(product=product, explicit_content=caller.explicit_content)


async def _audience(caller: Annotated[Caller, Depends(_caller)]) -> Audience:
    return audience_of(caller)


CurrentCaller = Annotated[Caller, Depends(_caller)]
UserMarket = Annotated[str | None, Depends(_user_market)]
# The listener's product and explicit-content setting, which decide restrictions besides market.
UserAudience = Annotated[Audience, Depends(_audience)]
