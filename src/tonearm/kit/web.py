"""FastAPI plumbing shared by every router: the request's unit of work and its base URL."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Query, Request, Response
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from tonearm.errors import BadRequest, PayloadTooLarge
from tonearm.kit.db import has_written
from tonearm.kit.ids import parse_id
from tonearm.kit.territories import parse_market

__all__ = [
    "BaseUrl",
    "DbSession",
    "Market",
    "MarketQuery",
    "asked_market",
    "base_url",
    "image_response",
    "parse_ids",
    "read_body",
]


# These dependencies are async on purpose: FastAPI runs a sync dependency in a worker thread,
# and the hops, not the work, were most of a manifest's latency. None of them waits on I/O
# except the closing commit, which for the read requests these serve is immediate. A commit
# that writes goes to a worker thread: it may wait for SQLite's write lock, and the event loop
# must never wait for that lock, since the transaction holding it may need the loop to finish
# (another request's commit, here); that was a ten-second deadlock.
async def _session(request: Request) -> AsyncIterator[Session]:
    session = request.app.state.session_factory()
    try:
        yield session
        if has_written(session):
            await run_in_threadpool(session.commit)
        else:
            session.commit()
    except BaseException:
        session.rollback()  # never waits: it releases what the transaction holds
        raise
    finally:
        session.close()


def base_url(request: Request) -> str:
    """The URL this service is reached at, for the links it hands out."""
    configured: str = request.app.state.settings.public_url
    return (configured or str(request.base_url)).rstrip("/")


async def _base_url(request: Request) -> str:
    return base_url(request)


def asked_market(market: str | None) -> str | None:
    """The ?market= a request names; "from_token" (Spotify's) means the user's own country,
    which the accounts guard supplies."""
    return parse_market(market) if market and market != "from_token" else None


MarketQuery = Annotated[str | None, Query(pattern="^([A-Za-z]{2}|from_token)$")]


async def _market(market: MarketQuery = None) -> str | None:
    return asked_market(market)


def parse_ids(ids: str, kind: str, *, most: int) -> list[str]:
    values = [value for value in ids.split(",") if value]
    if not values:
        raise BadRequest("ids must list at least one id")
    if len(values) > most:
        raise BadRequest(f"ids may list at most {most} {kind} ids, got {len(values)}")
    return [parse_id(value, kind) for value in values]


async def read_body(request: Request, *, most: int, what: str) -> bytes:
    """The request's body, refused with 413 as soon as it passes `most` bytes (by its declared
    length, or while it streams in): an oversize body is never held whole."""
    too_large = PayloadTooLarge(f"{what} is at most {most} bytes")
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > most:
        raise too_large
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > most:
            raise too_large
    return bytes(body)


def image_response(request: Request, jpeg: bytes, *, immutable: bool) -> Response:
    """A JPEG with headers a browser and a CDN cache it by: for good when its URL names its
    content, else for a day and revalidated by its ETag (a 304 sends no body)."""
    etag = f'"{hashlib.blake2b(jpeg, digest_size=12).hexdigest()}"'
    cache = "public, max-age=31536000, immutable" if immutable else "public, max-age=86400"
    headers = {"Cache-Control": cache, "ETag": etag}
    if etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    return Response(content=jpeg, media_type="image/jpeg", headers=headers)


# Committed when the route returns, before the answer is sent: a client that is told its write
# happened reads it back in its next request (its commit goes to a worker thread, so the event
# loop may serve that next request meanwhile).
DbSession = Annotated[Session, Depends(_session, scope="function")]
BaseUrl = Annotated[str, Depends(_base_url)]
Market = Annotated[str | None, Depends(_market)]
