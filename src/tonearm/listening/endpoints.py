"""Playback events in; the user's listening history and top items out, at Spotify's paths."""

from __future__ import annotations

from typing import Annotated

import orjson
from fastapi import APIRouter, Depends, Header, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from tonearm.catalog import ArtistsPage, TracksPage
from tonearm.errors import BadRequest, Forbidden
from tonearm.kit.access import UserAudience, UserMarket, bearer_token, caller_for_token, require
from tonearm.kit.caller import Caller
from tonearm.kit.db import unit_of_work
from tonearm.kit.limits import RateLimits
from tonearm.kit.pagination import MAX_LIMIT
from tonearm.kit.web import BaseUrl, DbSession, read_body
from tonearm.listening import schemas
from tonearm.listening.intake import MAX_BATCH, MAX_BODY_BYTES, PlaybackIntake
from tonearm.listening.service import MAX_CURSOR_MS
from tonearm.listening.service import listening as listening_service

__all__ = ["router"]

router = APIRouter(prefix="/v1", tags=["player"])

PLAYBACK_SCOPES = ("streaming", "user-modify-playback-state")
TimeRange = Annotated[str, Query(pattern="^(short_term|medium_term|long_term)$")]
Cursor = Annotated[int | None, Query(ge=0, le=MAX_CURSOR_MS, description="unix time in milliseconds")]


@router.get(
    "/me/player/recently-played",
    response_model=schemas.RecentlyPlayed,
    summary="The current user's recently played tracks",
)
def recently_played(
    session: DbSession,
    base: BaseUrl,
    market: UserMarket,
    audience: UserAudience,
    caller: Annotated[Caller, Depends(require("user-read-recently-played", user=True, limit="player"))],
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 20,
    after: Cursor = None,
    before: Cursor = None,
) -> schemas.RecentlyPlayed:
    assert caller.user_id is not None  # require(user=True) refused an app's own token
    return listening_service.recently_played(
        session,
        caller.user_id,
        base=base,
        limit=limit,
        before=before,
        after=after,
        market=market,
        audience=audience,
    )


def _events(document: object) -> list[object]:
    if not isinstance(document, dict) or not isinstance(document.get("events"), list):
        raise BadRequest('send {"events": [...]}: a JSON object with a list of events')
    events: list[object] = document["events"]
    if len(events) > MAX_BATCH:
        raise BadRequest(f"a batch holds at most {MAX_BATCH} events, got {len(events)}")
    return events


@router.post(
    "/me/player/events",
    summary="Report playback events (a batch of up to 500)",
    response_model=schemas.EventsReceived,
    responses={413: {"description": "the batch is over its byte limit"}},
)
async def post_events(request: Request, authorization: Annotated[str | None, Header()] = None) -> Response:
    """Each event is answered in order with `accepted`, `duplicate` or `rejected` (and why); a
    bad event never costs the rest of the batch. The token goes in the Authorization header, or,
    for `navigator.sendBeacon` (which cannot set headers), as `access_token` in the body, sent
    as text/plain. 503 with Retry-After when the event log cannot store the batch: nothing of
    it was accepted, send it again."""
    try:
        body = await read_body(request, most=MAX_BODY_BYTES, what="a batch of events")
        document: object = orjson.loads(body)
    except orjson.JSONDecodeError:
        document = None
    # Who is asking comes first: without a token the answer is 401, whatever the body holds.
    in_body = document.get("access_token") if isinstance(document, dict) else None
    if authorization is None and isinstance(in_body, str):
        authorization = f"Bearer {in_body}"
    token = bearer_token(authorization)
    caller = await run_in_threadpool(caller_for_token, request, token)
    if caller.user_id is None:
        raise Forbidden("this needs a user's access token; an app's own token acts for no user")
    if not any(scope in caller.scopes for scope in PLAYBACK_SCOPES):
        raise Forbidden("the access token lacks the scope 'streaming' (or 'user-modify-playback-state')")
    limits: RateLimits = request.app.state.rate_limits
    limits.check(caller, "player")
    if document is None:
        raise BadRequest("the body must be JSON")
    events = _events(document)
    intake: PlaybackIntake = request.app.state.playback_intake

    def receive() -> list[dict[str, object]]:
        with unit_of_work(request.app.state.session_factory) as session:
            return [answer.as_json() for answer in intake.receive(session, caller, events)]

    answers = await run_in_threadpool(receive)
    counts = {status: 0 for status in ("accepted", "duplicate", "rejected")}
    for answer in answers:
        counts[str(answer["status"])] += 1
    return Response(orjson.dumps({"events": answers, **counts}), media_type="application/json")


@router.get("/me/top/tracks", response_model=TracksPage, summary="The current user's top tracks")
def top_tracks(
    session: DbSession,
    base: BaseUrl,
    market: UserMarket,
    audience: UserAudience,
    caller: Annotated[Caller, Depends(require("user-top-read", user=True))],
    time_range: TimeRange = "medium_term",
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 20,
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
) -> TracksPage:
    assert caller.user_id is not None
    return listening_service.top_tracks(
        session,
        caller.user_id,
        base=base,
        time_range=time_range,
        limit=limit,
        offset=offset,
        market=market,
        audience=audience,
    )


@router.get("/me/top/artists", response_model=ArtistsPage, summary="The current user's top artists")
def top_artists(
    session: DbSession,
    base: BaseUrl,
    caller: Annotated[Caller, Depends(require("user-top-read", user=True))],
    time_range: TimeRange = "medium_term",
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 20,
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
) -> ArtistsPage:
    assert caller.user_id is not None
    return listening_service.top_artists(
        session, caller.user_id, base=base, time_range=time_range, limit=limit, offset=offset
    )
