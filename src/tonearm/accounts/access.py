"""Who is calling: the bearer token on a /v1 request, and the scopes an endpoint needs.

    caller: Caller = Depends(require("user-read-private"))

401 for a missing, unknown, expired or revoked token (with WWW-Authenticate); 403 when the
token lacks a scope the endpoint needs, naming it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Header, Request

from tonearm.accounts.service import Caller, account
from tonearm.errors import Forbidden, Unauthorized
from tonearm.kit.db import unit_of_work

__all__ = ["CurrentCaller", "bearer_token", "require"]


def bearer_token(authorization: str | None) -> str:
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("send 'Authorization: Bearer <access token>'")
    return token.strip()


async def _caller(request: Request, authorization: Annotated[str | None, Header()] = None) -> Caller:
    token = bearer_token(authorization)
    # Its own short read, so routes without a database session can be guarded too.
    with unit_of_work(request.app.state.session_factory) as session:
        caller = account.caller(session, token)
    request.state.caller = caller
    return caller


def require(*scopes: str) -> Callable[..., Awaitable[Caller]]:
    """A dependency: the caller, if its token carries every one of `scopes`."""

    async def check(caller: Annotated[Caller, Depends(_caller)]) -> Caller:
        missing = [scope for scope in scopes if scope not in caller.scopes]
        if missing:
            raise Forbidden(f"the access token lacks the scope '{missing[0]}'")
        return caller

    return check


CurrentCaller = Annotated[Caller, Depends(_caller)]
