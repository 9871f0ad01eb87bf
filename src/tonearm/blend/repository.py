"""Blend queries."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, delete, func, or_, select
from sqlalchemy.orm import Session

from tonearm.blend.models import Blend, BlendTrack

__all__ = ["OPEN", "BlendRepository"]

# A pair has at most one blend in these states.
OPEN = ("pending", "active")


class BlendRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, row: object) -> None:
        self.session.add(row)

    def get(self, blend_id: str) -> Blend | None:
        return self.session.get(Blend, blend_id)

    def lock(self, blend_id: str) -> Blend | None:
        """The blend, its row locked until the unit of work ends (PostgreSQL; SQLite has one
        writer at a time anyway): two answers to one invitation, or two refreshes, go in turn."""
        return self.session.scalars(select(Blend).where(Blend.id == blend_id).with_for_update()).first()

    def delete(self, row: Blend) -> None:
        self.session.execute(delete(BlendTrack).where(BlendTrack.blend_id == row.id))
        self.session.delete(row)

    def open_between(self, one: str, other: str) -> Blend | None:
        pair = or_(
            (Blend.inviter_id == one) & (Blend.invitee_id == other),
            (Blend.inviter_id == other) & (Blend.invitee_id == one),
        )
        return self.session.scalars(select(Blend).where(pair, Blend.status.in_(OPEN))).first()

    def open_of(self, user_id: str, *, limit: int, offset: int) -> tuple[list[Blend], int]:
        """The user's pending and active blends, newest first."""
        where = (_member(user_id), Blend.status.in_(OPEN))
        total = self.session.scalar(select(func.count()).select_from(Blend).where(*where)) or 0
        query = select(Blend).where(*where).order_by(Blend.created_at.desc(), Blend.id)
        return list(self.session.scalars(query.limit(limit).offset(offset))), total

    def all_of(self, user_id: str) -> list[Blend]:
        return list(self.session.scalars(select(Blend).where(_member(user_id)).order_by(Blend.created_at)))

    def active_ids(self, *, refreshed_before: datetime | None) -> list[str]:
        """Active blends never refreshed or last refreshed before the moment (None: every one)."""
        query = select(Blend.id).where(Blend.status == "active")
        if refreshed_before is not None:
            query = query.where(or_(Blend.refreshed_at.is_(None), Blend.refreshed_at < refreshed_before))
        return list(self.session.scalars(query.order_by(Blend.refreshed_at, Blend.id)))

    def tracks(self, blend_id: str) -> list[BlendTrack]:
        query = select(BlendTrack).where(BlendTrack.blend_id == blend_id).order_by(BlendTrack.position)
        return list(self.session.scalars(query))

    def replace_tracks(self, blend_id: str, tracks: Sequence[tuple[str, str]]) -> None:
        """Make the blend's tracks these (track id, reason), in order."""
        self.session.execute(delete(BlendTrack).where(BlendTrack.blend_id == blend_id))
        self.session.add_all(
            BlendTrack(blend_id=blend_id, position=number, track_id=track_id, reason=reason)
            for number, (track_id, reason) in enumerate(tracks)
        )

    def erase(self, user_id: str) -> int:
        ids = list(self.session.scalars(select(Blend.id).where(_member(user_id))))
        if not ids:
            return 0
        tracks = self.session.execute(delete(BlendTrack).where(BlendTrack.blend_id.in_(ids)))
        self.session.execute(delete(Blend).where(Blend.id.in_(ids)))
        return len(ids) + int(tracks.rowcount or 0)  # type: ignore[attr-defined]


def _member(user_id: str) -> ColumnElement[bool]:
    return or_(Blend.inviter_id == user_id, Blend.invitee_id == user_id)
