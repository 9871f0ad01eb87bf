"""Share-link queries."""

from __future__ import annotations

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from tonearm.shares.models import ShareLink

__all__ = ["ShareRepository"]


class ShareRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, link: ShareLink) -> None:
        self.session.add(link)

    def get(self, share_id: str) -> ShareLink | None:
        return self.session.get(ShareLink, share_id)

    def of_user(self, user_id: str, *, limit: int, offset: int) -> list[ShareLink]:
        query = (
            select(ShareLink)
            .where(ShareLink.user_id == user_id)
            .order_by(ShareLink.created_at.desc(), ShareLink.id)
            .limit(limit)
            .offset(offset)
        )
        return list(self.session.scalars(query))

    def count_of(self, user_id: str) -> int:
        query = select(func.count()).select_from(ShareLink).where(ShareLink.user_id == user_id)
        return int(self.session.scalar(query) or 0)

    def delete(self, share_id: str) -> None:
        self.session.execute(delete(ShareLink).where(ShareLink.id == share_id))

    def erase(self, user_id: str) -> int:
        result = self.session.execute(delete(ShareLink).where(ShareLink.user_id == user_id))
        return int(result.rowcount or 0)  # type: ignore[attr-defined]
