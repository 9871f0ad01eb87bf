"""What friends see of each other: each user's latest play, and whether they are in a private
session (then nothing of theirs is kept or shown)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from tonearm.kit.db import Base

__all__ = ["LatestPlay", "SocialSettings"]

ID = String(22)


class LatestPlay(Base):
    __tablename__ = "social_latest_plays"

    user_id: Mapped[str] = mapped_column(ID, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    track_id: Mapped[str] = mapped_column(ID, ForeignKey("tracks.id", ondelete="CASCADE"))
    context_uri: Mapped[str | None] = mapped_column(String(200))
    # When it happened, as the player said: a late or replayed event never replaces a newer one.
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # Playing after a start, resume, progress or seek; stopped after a pause, skip or end.
    playing: Mapped[bool] = mapped_column(Boolean)


class SocialSettings(Base):
    __tablename__ = "social_settings"

    user_id: Mapped[str] = mapped_column(ID, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    private_session: Mapped[bool] = mapped_column(Boolean, default=False)
