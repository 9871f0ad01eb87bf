"""The manifest route."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request

from tonearm.delivery import schemas
from tonearm.delivery.service import Listener
from tonearm.delivery.service import delivery as delivery_service
from tonearm.kit.access import UserMarket, require
from tonearm.kit.caller import Caller
from tonearm.kit.ids import parse_id
from tonearm.kit.web import BaseUrl, DbSession

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
def get_manifest(
    track_id: str,
    request: Request,
    session: DbSession,
    base: BaseUrl,
    market: UserMarket,
    caller: Annotated[Caller, Depends(require("streaming", user=True))],
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
    settings = request.app.state.settings
    assert caller.user_id is not None  # require(user=True)
    track = parse_id(track_id, "track")
    manifest = delivery_service.manifest(
        session,
        track,
        listener=Listener(
            user_id=caller.user_id, tier=caller.product, explicit_content=caller.explicit_content
        ),
        market=market,
        base=base,
        keys=request.app.state.keys,
        ttl_seconds=settings.media_url_ttl_seconds,
        target_lufs=settings.loudness_target_lufs,
    )
    return manifest
