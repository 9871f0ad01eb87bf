"""GET /v1/search (Spotify's shape) and GET /v1/search/suggest (type-ahead)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from tonearm.kit.access import UserAudience, UserMarket, require
from tonearm.kit.caller import Caller
from tonearm.kit.web import BaseUrl, DbSession
from tonearm.search import schemas
from tonearm.search.service import SearchService, parse_types

__all__ = ["router"]

router = APIRouter(prefix="/v1", tags=["search"])

# Spotify caps offset at 1000 and limit at 50 for search.
MAX_SEARCH_OFFSET = 1000
MAX_SUGGESTIONS = 20


def _service(request: Request) -> SearchService:
    return request.app.state.search  # type: ignore[no-any-return]


@router.get(
    "/search",
    response_model=schemas.SearchResponse,
    summary="Search tracks, artists and albums",
)
async def search(
    request: Request,
    session: DbSession,
    base: BaseUrl,
    market: UserMarket,
    audience: UserAudience,
    _caller: Annotated[Caller, Depends(require(limit="search"))],
    q: Annotated[str, Query(description='words, "phrases", artist: album: track: year: isrc: tag:')],
    type: Annotated[str, Query(description="comma-separated: track, artist, album, playlist, …")],
    limit: Annotated[int, Query(ge=1, le=50)] = 20,
    offset: Annotated[int, Query(ge=0, le=MAX_SEARCH_OFFSET)] = 0,
    include_unplayable: Annotated[
        bool, Query(description="keep tracks the market cannot play, flagged is_playable=false")
    ] = False,
) -> schemas.SearchResponse:
    return _service(request).search(
        session,
        q,
        types=parse_types(type),
        market=market,
        limit=limit,
        offset=offset,
        include_unplayable=include_unplayable,
        base=base,
        audience=audience,
    )


@router.get("/search/suggest", response_model=schemas.Suggestions, summary="Type-ahead suggestions")
async def suggest(
    request: Request,
    market: UserMarket,
    # Type-ahead asks once per keystroke, so it counts as a standard request, not a search.
    _caller: Annotated[Caller, Depends(require())],
    q: Annotated[str, Query(description="what has been typed so far")],
    limit: Annotated[int, Query(ge=1, le=MAX_SUGGESTIONS)] = 10,
) -> Response:
    # Answered from the index's stored cards as ready JSON: no database, no model validation.
    body = _service(request).suggest(q, market=market, limit=limit)
    return Response(body, media_type="application/json")
