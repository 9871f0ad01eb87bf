"""What a user keeps: saved tracks and albums, and the artists and users they follow. One table,
one row per (user, kind, item), because every kind is saved, listed and checked the same way."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from tonearm.kit.db import Base

__all__ = ["SavedItem"]

ID = String(22)


class SavedItem(Base):
    __tablename__ = "library_items"
    __table_args__ = (Index("ix_library_items_user_id_kind_added_at", "user_id", "kind", "added_at"),)

    user_id: Mapped[str] = mapped_column(ID, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    # track, album (saved); artist, user (followed).
    kind: Mapped[str] = mapped_column(String(8), primary_key=True)
    item_id: Mapped[str] = mapped_column(ID, primary_key=True)
    added_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
