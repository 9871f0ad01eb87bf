"""The user's listening history, at Spotify's path."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from tonearm.kit.access import UserAudience, UserMarket, require
from tonearm.kit.caller import Caller
from tonearm.kit.pagination import MAX_LIMIT
from tonearm.kit.web import BaseUrl, DbSession
from tonearm.listening import schemas
from tonearm.listening.service import MAX_CURSOR_MS
from tonearm.listening.service import listening as listening_service

__all__ = ["router"]

router = APIRouter(prefix="/v1", tags=["player"])

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
