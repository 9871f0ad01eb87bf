"""Blend routes: invite (POST /v1/me/blends), mine (GET /v1/me/blends), one with its tracks
(GET /v1/blends/{id}), accept, decline and leave (DELETE /v1/blends/{id})."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response
from sqlalchemy.orm import Session

from tonearm.accounts import account
from tonearm.blend import schemas
from tonearm.blend.models import Blend
from tonearm.blend.service import blend, members
from tonearm.catalog import catalog
from tonearm.kit.access import UserAudience, UserMarket, require
from tonearm.kit.caller import Caller
from tonearm.kit.ids import parse_id, uri
from tonearm.kit.pagination import MAX_LIMIT, MAX_OFFSET, paging
from tonearm.kit.time import iso_ms
from tonearm.kit.web import BaseUrl, DbSession

__all__ = ["router"]

router = APIRouter(prefix="/v1", tags=["blend"])

Reader = Annotated[Caller, Depends(require("playlist-read-private", user=True))]
Editor = Annotated[Caller, Depends(require("playlist-modify-private", user=True))]
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT)]
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET)]


def _user(caller: Caller) -> str:
    assert caller.user_id is not None  # require(user=True)
    return caller.user_id


def _simple(session: Session, base: str, found: Blend, viewer: str) -> schemas.BlendSimple:
    names = account.display_names(session, members(found))
    snapshot_id = blend.playlist_snapshot(session, found, viewer)
    playlist = None
    if found.playlist_id is not None and snapshot_id is not None:
        playlist = schemas.BlendPlaylist(
            id=found.playlist_id, uri=uri("playlist", found.playlist_id), snapshot_id=snapshot_id
        )
    return schemas.BlendSimple(
        id=found.id,
        href=f"{base}/v1/blends/{found.id}",
        status=found.status,  # type: ignore[arg-type]
        members=[
            schemas.Member(id=member, display_name=names.get(member), uri=uri("user", member), role=role)
            for member, role in zip(members(found), schemas.ROLES, strict=True)
        ],
        playlist=playlist,
        created_at=iso_ms(found.created_at),
        refreshed_at=None if found.refreshed_at is None else iso_ms(found.refreshed_at),
    )


@router.post("/me/blends", status_code=201, response_model=schemas.BlendSimple, summary="Invite to a blend")
def invite(body: schemas.NewBlend, session: DbSession, base: BaseUrl, caller: Editor) -> schemas.BlendSimple:
    """A pending blend with the user, until they accept or decline it."""
    found = blend.invite(session, _user(caller), parse_id(body.user_id, "user"))
    return _simple(session, base, found, _user(caller))


@router.get("/me/blends", response_model=schemas.BlendsPage, summary="My pending and active blends")
def my_blends(
    session: DbSession, base: BaseUrl, caller: Reader, limit: Limit = 20, offset: Offset = 0
) -> schemas.BlendsPage:
    found, total = blend.of_user(session, _user(caller), limit=limit, offset=offset)
    items = [_simple(session, base, row, _user(caller)) for row in found]
    return schemas.BlendsPage(
        **paging(f"{base}/v1/me/blends", items, limit=limit, offset=offset, total=total)
    )


@router.get("/blends/{blend_id}", response_model=schemas.BlendFull, summary="A blend and its tracks")
def get_blend(
    blend_id: str,
    session: DbSession,
    base: BaseUrl,
    market: UserMarket,
    audience: UserAudience,
    caller: Reader,
) -> schemas.BlendFull:
    found = blend.get_or_raise(session, parse_id(blend_id, "blend"), _user(caller))
    rows = blend.tracks(session, found)
    tracks = catalog.get_tracks(
        session, [row.track_id for row in rows], base=base, market=market, audience=audience
    )
    return schemas.BlendFull(
        **_simple(session, base, found, _user(caller)).model_dump(),
        tracks=[
            schemas.BlendTrack(track=track, reason=row.reason)  # type: ignore[arg-type]
            for row, track in zip(rows, tracks, strict=True)
        ],
    )


@router.post("/blends/{blend_id}/accept", response_model=schemas.BlendSimple, summary="Accept a blend")
def accept(blend_id: str, session: DbSession, base: BaseUrl, caller: Editor) -> schemas.BlendSimple:
    """The invited user joins: the blend's playlist is made for both and filled at once."""
    found = blend.accept(session, parse_id(blend_id, "blend"), _user(caller))
    return _simple(session, base, found, _user(caller))


@router.post("/blends/{blend_id}/decline", response_model=schemas.BlendSimple, summary="Decline a blend")
def decline(blend_id: str, session: DbSession, base: BaseUrl, caller: Editor) -> schemas.BlendSimple:
    found = blend.decline(session, parse_id(blend_id, "blend"), _user(caller))
    return _simple(session, base, found, _user(caller))


@router.delete("/blends/{blend_id}", status_code=204, summary="Leave a blend (or call off an invitation)")
def leave(blend_id: str, session: DbSession, caller: Editor) -> Response:
    """The blend stops refreshing; its playlist leaves my library and stays with the other member."""
    blend.leave(session, parse_id(blend_id, "blend"), _user(caller))
    return Response(status_code=204)
