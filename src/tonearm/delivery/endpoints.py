"""The manifest route."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request

from tonearm.delivery import schemas
from tonearm.delivery.service import Listener
from tonearm.delivery.service import delivery as delivery_service
from tonearm.kit.ids import parse_id
from tonearm.kit.web import BaseUrl, DbSession, Market

__all__ = ["router"]

router = APIRouter(prefix="/v1", tags=["delivery"])

# Until accounts exist every listener is anonymous; the tier is chosen per request.
ANONYMOUS = "anonymous"


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
    market: Market,
    product: Annotated[Literal["free", "premium"], Query()] = "premium",
) -> schemas.Manifest:
    settings = request.app.state.settings
    return delivery_service.manifest(
        session,
        parse_id(track_id, "track"),
        listener=Listener(user_id=ANONYMOUS, tier=product),
        market=market,
        base=base,
        keys=request.app.state.keys,
        ttl_seconds=settings.media_url_ttl_seconds,
        target_lufs=settings.loudness_target_lufs,
    )
