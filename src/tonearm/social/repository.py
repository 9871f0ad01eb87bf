"""Social queries."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from tonearm.social.models import LatestPlay, SocialSettings

__all__ = ["SocialRepository"]


class SocialRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def latest(self, user_ids: Sequence[str]) -> list[LatestPlay]:
        query = select(LatestPlay).where(LatestPlay.user_id.in_(user_ids)).order_by(LatestPlay.at.desc())
        return list(self.session.scalars(query))

    def latest_of(self, user_id: str) -> LatestPlay | None:
        return self.session.get(LatestPlay, user_id)

    def add(self, row: object) -> None:
        self.session.add(row)

    def settings(self, user_id: str) -> SocialSettings | None:
        return self.session.get(SocialSettings, user_id)

    def private(self, user_ids: Sequence[str]) -> set[str]:
        query = select(SocialSettings.user_id).where(
            SocialSettings.user_id.in_(user_ids), SocialSettings.private_session.is_(True)
        )
        return set(self.session.scalars(query))

    def forget_plays(self, user_id: str | None = None) -> int:
        query = delete(LatestPlay)
        if user_id is not None:
            query = query.where(LatestPlay.user_id == user_id)
        return int(self.session.execute(query).rowcount or 0)  # type: ignore[attr-defined]

    def erase(self, user_id: str) -> int:
        settings = self.session.execute(delete(SocialSettings).where(SocialSettings.user_id == user_id))
        return self.forget_plays(user_id) + int(settings.rowcount or 0)  # type: ignore[attr-defined]
