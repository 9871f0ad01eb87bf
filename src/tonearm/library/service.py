"""The library: saving tracks and albums, following artists and users, and asking about both."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

from sqlalchemy.orm import Session

from tonearm.accounts import account
from tonearm.catalog import catalog
from tonearm.errors import BadRequest
from tonearm.kit.time import iso_ms, utcnow
from tonearm.library.models import SavedItem
from tonearm.library.repository import LibraryRepository

__all__ = ["KINDS", "Kind", "LibraryService", "library"]

Kind = Literal["track", "album", "artist", "user"]
KINDS: tuple[Kind, ...] = ("track", "album", "artist", "user")
MAX_IDS = 50


class LibraryService:
    def save(self, session: Session, user_id: str, kind: Kind, ids: Sequence[str]) -> None:
        """Save (tracks, albums) or follow (artists, users); each must exist. Saving again keeps
        the first date."""
        _check_count(ids)
        unknown = [item_id for item_id in ids if item_id not in self._known(session, kind, ids)]
        if unknown:
            raise BadRequest(f"{kind} '{unknown[0]}' does not exist")
        if kind == "user" and user_id in ids:
            raise BadRequest("a user cannot follow themselves")
        LibraryRepository(session).add(user_id, kind, ids, utcnow())

    def remove(self, session: Session, user_id: str, kind: Kind, ids: Sequence[str]) -> None:
        _check_count(ids)
        LibraryRepository(session).remove(user_id, kind, ids)

    def contains(self, session: Session, user_id: str, kind: Kind, ids: Sequence[str]) -> list[bool]:
        _check_count(ids)
        found = LibraryRepository(session).saved_among(user_id, kind, ids)
        return [item_id in found for item_id in ids]

    def page(
        self, session: Session, user_id: str, kind: Kind, *, limit: int, offset: int
    ) -> tuple[list[SavedItem], int]:
        return LibraryRepository(session).page(user_id, kind, limit=limit, offset=offset)

    def following(
        self, session: Session, user_id: str, kind: Kind, *, after: str | None, limit: int
    ) -> tuple[list[SavedItem], int]:
        return LibraryRepository(session).after(user_id, kind, after=after, limit=limit)

    def followers(self, session: Session, kind: Kind, item_id: str) -> list[str]:
        """Who follows an artist or a user (what friends' activity is built from)."""
        return LibraryRepository(session).followers_of(kind, item_id)

    def export_user(self, session: Session, user_id: str) -> dict[str, Any]:
        saved: dict[str, list[dict[str, str]]] = {kind: [] for kind in KINDS}
        for row in LibraryRepository(session).all_of(user_id):
            saved[row.kind].append({"id": row.item_id, "added_at": iso_ms(row.added_at)})
        return {
            "saved_tracks": saved["track"],
            "saved_albums": saved["album"],
            "followed_artists": saved["artist"],
            "followed_users": saved["user"],
        }

    def erase_user(self, session: Session, user_id: str) -> int:
        return LibraryRepository(session).erase(user_id)

    def _known(self, session: Session, kind: Kind, ids: Sequence[str]) -> set[str]:
        if kind == "track":
            return set(catalog.restrictions(session, ids, market=None))
        if kind == "album":
            albums = catalog.get_albums(session, ids, base="")
            return {album.id for album in albums if album is not None}
        if kind == "artist":
            artists = catalog.get_artists(session, ids, base="")
            return {artist.id for artist in artists if artist is not None}
        return set(account.display_names(session, ids))


def _check_count(ids: Sequence[str]) -> None:
    if not ids:
        raise BadRequest("name at least one id")
    if len(ids) > MAX_IDS:
        raise BadRequest(f"at most {MAX_IDS} ids in one request, got {len(ids)}")


library = LibraryService()
