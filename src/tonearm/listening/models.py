"""Listening tables: each user's plays (personal, kept for a while) and the anonymous daily
tallies royalties are paid from (kept for good, with no user in them)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from tonearm.kit.db import Base

__all__ = ["Play", "PlayTally"]

ID = String(22)


class Play(Base):
    """One start of a track by a user, through an app."""

    __tablename__ = "plays"
    __table_args__ = (Index("ix_plays_user_id_played_at", "user_id", "played_at"),)

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    # The privacy service deletes a user's plays with the user; SET NULL is the safety net for a
    # user row removed any other way: the play stays anonymous until retention removes it.
    user_id: Mapped[str | None] = mapped_column(ID, ForeignKey("users.id", ondelete="SET NULL"))
    track_id: Mapped[str] = mapped_column(ID, ForeignKey("tracks.id", ondelete="CASCADE"))
    # Whole milliseconds, so the recently-played cursors (unix ms) name a play exactly.
    played_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    ms_played: Mapped[int | None] = mapped_column(Integer)
    country: Mapped[str] = mapped_column(String(2))
    product: Mapped[str] = mapped_column(String(8))
    client_id: Mapped[str | None] = mapped_column(
        String(32), ForeignKey("oauth_clients.client_id", ondelete="SET NULL")
    )


class PlayTally(Base):
    """How often a track was started on one UTC day, in one country, on one product."""

    __tablename__ = "play_tallies"

    # No ON DELETE: a track that royalties are owed on cannot vanish with its counts.
    track_id: Mapped[str] = mapped_column(ID, ForeignKey("tracks.id"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    country: Mapped[str] = mapped_column(String(2), primary_key=True)
    product: Mapped[str] = mapped_column(String(8), primary_key=True)
    plays: Mapped[int] = mapped_column(Integer, default=0)
