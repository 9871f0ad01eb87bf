"""Blend tables: a blend of two users (who invited whom, where it stands, its playlist) and the
tracks of its latest mix, each with whose taste it came from."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from tonearm.kit.db import Base
from tonearm.kit.time import utcnow

__all__ = ["Blend", "BlendTrack"]

ID = String(22)


class Blend(Base):
    __tablename__ = "blends"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'active', 'declined', 'ended')", name="status"),
        CheckConstraint("inviter_id <> invitee_id", name="two_people"),
        Index("ix_blends_status_refreshed_at", "status", "refreshed_at"),
    )

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    # The inviter owns the playlist; the invitee edits it as a collaborator.
    inviter_id: Mapped[str] = mapped_column(ID, ForeignKey("users.id", ondelete="CASCADE"), index=True)
    invitee_id: Mapped[str] = mapped_column(ID, ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # pending (invited), active (accepted, refreshed daily), declined, ended (a member left).
    status: Mapped[str] = mapped_column(String(8))
    playlist_id: Mapped[str | None] = mapped_column(ID, ForeignKey("playlists.id", ondelete="SET NULL"))
    # Who left an ended blend: it is no longer theirs to see.
    left_by: Mapped[str | None] = mapped_column(ID)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    accepted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    refreshed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class BlendTrack(Base):
    __tablename__ = "blend_tracks"

    blend_id: Mapped[str] = mapped_column(ID, ForeignKey("blends.id", ondelete="CASCADE"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    track_id: Mapped[str] = mapped_column(ID, ForeignKey("tracks.id", ondelete="CASCADE"))
    # both, inviter or invitee: whose taste brought the track in.
    reason: Mapped[str] = mapped_column(String(8))
