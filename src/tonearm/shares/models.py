"""A share link: who made it, what it names, where it plays and until when."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from tonearm.kit.db import Base

__all__ = ["ShareLink"]

ID = String(22)


class ShareLink(Base):
    __tablename__ = "share_links"
    __table_args__ = (Index("ix_share_links_user_id_created_at", "user_id", "created_at"),)

    # 128 random bits: the link is the secret, so it is never derived from what it names.
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    user_id: Mapped[str] = mapped_column(ID, ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(10))  # playlist, album, track
    item_id: Mapped[str] = mapped_column(ID)
    # The sharer's country when they made it: a signed-out visitor has none, and the previews
    # follow the rights of the market the link was made in.
    market: Mapped[str | None] = mapped_column(String(2))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
