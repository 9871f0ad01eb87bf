"""Share links: made by a signed-in user for something they can see, opened by anyone holding
the link until it expires or its maker revokes it; each exposes exactly what it names."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from tonearm.catalog import catalog
from tonearm.errors import BadRequest, NotFound, TonearmError
from tonearm.kit.ids import new_id, parse_uri_of, uri
from tonearm.kit.time import as_utc, iso_ms, utcnow
from tonearm.playlists import playlists
from tonearm.shares.models import ShareLink
from tonearm.shares.repository import ShareRepository

__all__ = ["MAX_EXPIRY_SECONDS", "MIN_EXPIRY_SECONDS", "SHARED_KINDS", "ShareService", "shares"]

SHARED_KINDS = ("playlist", "album", "track")
MIN_EXPIRY_SECONDS = 60
MAX_EXPIRY_SECONDS = 366 * 24 * 3600
# Far more than anyone shares by hand; a bound on what one account can make a table hold.
MAX_LINKS_PER_USER = 10_000


class Expired(TonearmError):
    """A link past its expiry: 410, so a visitor learns it existed and is over."""

    status = 410


class ShareService:
    def create(
        self,
        session: Session,
        user_id: str,
        item_uri: str,
        *,
        market: str | None,
        expires_in_s: int | None,
        now: datetime | None = None,
    ) -> ShareLink:
        """A new link to what `item_uri` names, which the user must be able to see (a private
        playlist only its owner or followers can share)."""
        kind, item_id = parse_uri_of(item_uri, SHARED_KINDS)
        if expires_in_s is not None and not MIN_EXPIRY_SECONDS <= expires_in_s <= MAX_EXPIRY_SECONDS:
            raise BadRequest(
                f"expires_in_s must be between {MIN_EXPIRY_SECONDS} and {MAX_EXPIRY_SECONDS} seconds "
                f"(or null for a link that never expires), got {expires_in_s}"
            )
        self._check_visible(session, kind, item_id, user_id)
        repo = ShareRepository(session)
        if repo.count_of(user_id) >= MAX_LINKS_PER_USER:
            raise BadRequest(f"at most {MAX_LINKS_PER_USER} share links per account: revoke some first")
        at = now or utcnow()
        link = ShareLink(
            id=new_id(),
            user_id=user_id,
            kind=kind,
            item_id=item_id,
            market=market,
            created_at=at,
            expires_at=at + timedelta(seconds=expires_in_s) if expires_in_s is not None else None,
        )
        repo.add(link)
        return link

    def open(self, session: Session, share_id: str, *, now: datetime | None = None) -> ShareLink:
        """The link, while it is valid: 404 for one that never existed or was revoked, 410 once
        it has expired."""
        link = ShareRepository(session).get(share_id)
        if link is None:
            raise NotFound("no such share link (it may have been revoked)")
        if link.expires_at is not None and as_utc(link.expires_at) <= (now or utcnow()):
            raise Expired(f"this share link expired at {iso_ms(link.expires_at)}")
        return link

    def mine(self, session: Session, user_id: str, *, limit: int, offset: int) -> tuple[list[ShareLink], int]:
        repo = ShareRepository(session)
        return repo.of_user(user_id, limit=limit, offset=offset), repo.count_of(user_id)

    def revoke(self, session: Session, share_id: str, user_id: str) -> None:
        """Only its maker revokes a link; to anyone else it is not there (404)."""
        repo = ShareRepository(session)
        link = repo.get(share_id)
        if link is None or link.user_id != user_id:
            raise NotFound("no such share link of yours")
        repo.delete(share_id)

    def export_user(self, session: Session, user_id: str) -> dict[str, Any]:
        links = ShareRepository(session).of_user(user_id, limit=MAX_LINKS_PER_USER, offset=0)
        return {"share_links": [describe(link) for link in links]}

    def erase_user(self, session: Session, user_id: str) -> int:
        return ShareRepository(session).erase(user_id)

    def _check_visible(self, session: Session, kind: str, item_id: str, user_id: str) -> None:
        if kind == "playlist":
            playlists.get(session, item_id, user_id)  # 404 unless the user may see it
        elif kind == "album":
            if catalog.get_albums(session, [item_id], base="")[0] is None:
                raise NotFound(f"album '{item_id}' not found")
        elif not catalog.restrictions(session, [item_id], market=None):
            raise NotFound(f"track '{item_id}' not found")


def describe(link: ShareLink) -> dict[str, Any]:
    """A link as its maker sees it listed (without the URL, which needs the request's base)."""
    return {
        "id": link.id,
        "uri": uri(link.kind, link.item_id),
        "created_at": iso_ms(link.created_at),
        "expires_at": iso_ms(link.expires_at) if link.expires_at else None,
    }


shares = ShareService()
