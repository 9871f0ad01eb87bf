"""Share links: made and listed by their maker (`/v1/shares`, `/v1/me/shares`), opened by anyone
holding one, signed in or not: as JSON (`/v1/shares/{id}`), as a page (`/s/{id}`) and as
30-second previews."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import FileResponse, HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from tonearm.errors import TonearmError
from tonearm.kit.access import require
from tonearm.kit.caller import Caller
from tonearm.kit.ids import parse_id, uri
from tonearm.kit.pagination import MAX_LIMIT, MAX_OFFSET, paging
from tonearm.kit.time import iso_ms
from tonearm.kit.web import BaseUrl, DbSession, base_url
from tonearm.shares.models import ShareLink
from tonearm.shares.previews import preview_key
from tonearm.shares.schemas import NewShare, Share, SharedItem, SharesPage
from tonearm.shares.service import shares
from tonearm.shares.view import shared_item

__all__ = ["page_router", "router"]

router = APIRouter(prefix="/v1", tags=["shares"])
page_router = APIRouter(tags=["shares"])
Maker = Annotated[Caller, Depends(require(user=True))]
_templates = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"), autoescape=select_autoescape()
)


def _share(link: ShareLink, base: str) -> Share:
    return Share(
        id=link.id,
        uri=uri(link.kind, link.item_id),
        url=f"{base}/s/{link.id}",
        created_at=iso_ms(link.created_at),
        expires_at=iso_ms(link.expires_at) if link.expires_at else None,
    )


@router.post("/shares", status_code=201, response_model=Share, summary="Make a share link")
def create_share(body: NewShare, session: DbSession, base: BaseUrl, caller: Maker) -> Share:
    """A link to a playlist, album or track the caller can see, optionally expiring after
    `expires_in_s` seconds; anyone holding it sees exactly that, signed in or not."""
    assert caller.user_id is not None  # require(user=True)
    link = shares.create(
        session, caller.user_id, body.uri, market=caller.country, expires_in_s=body.expires_in_s
    )
    return _share(link, base)


@router.get("/me/shares", response_model=SharesPage, summary="My share links")
def my_shares(
    session: DbSession,
    base: BaseUrl,
    caller: Maker,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 20,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> SharesPage:
    assert caller.user_id is not None
    links, total = shares.mine(session, caller.user_id, limit=limit, offset=offset)
    items = [_share(link, base) for link in links]
    return SharesPage(**paging(f"{base}/v1/me/shares", items, limit=limit, offset=offset, total=total))


@router.delete("/shares/{share_id}", status_code=204, summary="Revoke a share link")
def revoke_share(share_id: str, session: DbSession, caller: Maker) -> Response:
    assert caller.user_id is not None
    shares.revoke(session, parse_id(share_id, "share"), caller.user_id)
    return Response(status_code=204)


@router.get("/shares/{share_id}", response_model=SharedItem, summary="What a share link opens")
def open_share(share_id: str, session: DbSession, base: BaseUrl) -> SharedItem:
    """No token needed: the link is the permission. 404 for an unknown or revoked link, 410 for
    an expired one."""
    return shared_item(session, shares.open(session, parse_id(share_id, "share")), base)


@router.get(
    "/shares/{share_id}/previews/{track_id}.ogg",
    response_class=Response,
    responses={200: {"content": {"audio/ogg": {}}}},
    summary="A 30-second preview",
)
def share_preview(share_id: str, track_id: str, request: Request, session: DbSession) -> Response:
    link = shares.open(session, parse_id(share_id, "share"))
    blobs = request.app.state.blobs
    key = preview_key(session, link, parse_id(track_id, "track"), base=base_url(request), blobs=blobs)
    # Private: a takedown or the link's expiry must not be outlived by a shared cache's copy.
    headers = {"Cache-Control": "private, max-age=300"}
    local = blobs.local_path(key)
    if local is not None:
        # Ranged: a browser reads an Ogg file's last page to learn its length; without ranges
        # it guesses from the nominal bitrate (10 s for this 30 s preview).
        return FileResponse(local, media_type="audio/ogg", headers=headers)
    return Response(blobs.read_range(key, 0, blobs.size(key)), media_type="audio/ogg", headers=headers)


@page_router.get("/s/{share_id}", response_class=HTMLResponse, include_in_schema=False)
def share_page(share_id: str, request: Request, session: DbSession) -> HTMLResponse:
    """The page a share link opens for a visitor who is not signed in."""
    template = _templates.get_template("share.html")
    try:
        item = shared_item(session, shares.open(session, parse_id(share_id, "share")), base_url(request))
    except TonearmError as error:
        title = "This link has expired" if error.status == 410 else "This link does not work"
        html = template.render(item=None, title=title, message=error.message)
        return HTMLResponse(html, status_code=error.status if error.status in (404, 410) else 400)
    return HTMLResponse(template.render(item=item), headers={"Cache-Control": "no-store"})
