"""Library queries."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from tonearm.library.models import SavedItem

__all__ = ["LibraryRepository"]


class LibraryRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def saved_among(self, user_id: str, kind: str, item_ids: Sequence[str]) -> set[str]:
        query = select(SavedItem.item_id).where(
            SavedItem.user_id == user_id, SavedItem.kind == kind, SavedItem.item_id.in_(item_ids)
        )
        return set(self.session.scalars(query))

    def add(self, user_id: str, kind: str, item_ids: Sequence[str], at: datetime) -> None:
        known = self.saved_among(user_id, kind, item_ids)
        for item_id in dict.fromkeys(item_ids):
            if item_id not in known:
                self.session.add(SavedItem(user_id=user_id, kind=kind, item_id=item_id, added_at=at))

    def remove(self, user_id: str, kind: str, item_ids: Sequence[str]) -> None:
        self.session.execute(
            delete(SavedItem).where(
                SavedItem.user_id == user_id, SavedItem.kind == kind, SavedItem.item_id.in_(item_ids)
            )
        )

    def page(self, user_id: str, kind: str, *, limit: int, offset: int) -> tuple[list[SavedItem], int]:
        where = (SavedItem.user_id == user_id, SavedItem.kind == kind)
        total = self.session.scalar(select(func.count()).where(*where)) or 0
        query = (
            select(SavedItem)
            .where(*where)
            .order_by(SavedItem.added_at.desc(), SavedItem.item_id)
            .limit(limit)
            .offset(offset)
        )
        return list(self.session.scalars(query)), total

    def after(self, user_id: str, kind: str, *, after: str | None, limit: int) -> tuple[list[SavedItem], int]:
        """Spotify's cursor paging of follows: ordered by id, from after `after`."""
        where = [SavedItem.user_id == user_id, SavedItem.kind == kind]
        total = self.session.scalar(select(func.count()).where(*where)) or 0
        if after is not None:
            where.append(SavedItem.item_id > after)
        query = select(SavedItem).where(*where).order_by(SavedItem.item_id).limit(limit)
        return list(self.session.scalars(query)), total

    def all_of(self, user_id: str) -> list[SavedItem]:
        query = (
            select(SavedItem).where(SavedItem.user_id == user_id).order_by(SavedItem.kind, SavedItem.added_at)
        )
        return list(self.session.scalars(query))

    def followers_of(self, kind: str, item_id: str) -> list[str]:
        query = select(SavedItem.user_id).where(SavedItem.kind == kind, SavedItem.item_id == item_id)
        return list(self.session.scalars(query))

    def erase(self, user_id: str) -> int:
        mine = self.session.execute(delete(SavedItem).where(SavedItem.user_id == user_id))
        # Others stop following an erased user too.
        theirs = self.session.execute(
            delete(SavedItem).where(SavedItem.kind == "user", SavedItem.item_id == user_id)
        )
        return int(mine.rowcount or 0) + int(theirs.rowcount or 0)  # type: ignore[attr-defined]
