"""The manifest route."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request

from tonearm.delivery import schemas
from tonearm.delivery.service import Listener
from tonearm.delivery.service import delivery as delivery_service
from tonearm.kit.access import require, user_market
from tonearm.kit.caller import Caller
from tonearm.kit.db import unit_of_work
from tonearm.kit.ids import parse_id
from tonearm.kit.web import MarketQuery, asked_market, base_url

__all__ = ["router"]

router = APIRouter(prefix="/v1", tags=["delivery"])


@router.get(
    "/tracks/{track_id}/manifest",
    response_model=schemas.Manifest,
    responses={
        403: {"description": "not playable in this market"},
        404: {"description": "unknown track"},
    },
)
async def get_manifest(
    track_id: str,
    request: Request,
    caller: Annotated[Caller, Depends(require("streaming", user=True))],
    market: MarketQuery = None,
    prefetch: Annotated[
        bool,
        Query(
            description="asked ahead of playback (a gapless join); kept for older clients, it changes nothing"
        ),
    ] = False,
) -> schemas.Manifest:
    """The renditions this user may play (a free account gets no 320 kbps or lossless ones),
    as URLs signed for them; 403 with `reason` market, product or explicit when they may not
    play it. A pure read: plays are what the player reports to /v1/me/player/events."""
    # Every player asks this before each track, so it is kept lean: async, with its reads done
    # in the event loop (a few hundred microseconds of SQLite) instead of a worker thread, and
    # one dependency instead of a tree of them; the thread hop and the dependency solving were
    # most of its latency.
    settings = request.app.state.settings
    assert caller.user_id is not None  # require(user=True)
    track = parse_id(track_id, "track")
    with unit_of_work(request.app.state.session_factory) as session:
        return delivery_service.manifest(
            session,
            track,
            listener=Listener(
                user_id=caller.user_id, tier=caller.product, explicit_content=caller.explicit_content
            ),
            market=user_market(caller, asked_market(market)),
            base=base_url(request),
            keys=request.app.state.keys,
            ttl_seconds=settings.media_url_ttl_seconds,
            target_lufs=settings.loudness_target_lufs,
        )
