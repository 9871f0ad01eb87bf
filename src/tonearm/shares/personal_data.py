"""The shares domain's part of a user's personal data: the links they made."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from tonearm.shares.service import shares

__all__ = ["ShareData"]


class ShareData:
    name = "shares"
    sections = ("share_links",)

    def export(self, session: Session, user_id: str) -> dict[str, Any]:
        return shares.export_user(session, user_id)

    def erase(self, session: Session, user_id: str) -> int:
        return shares.erase_user(session, user_id)
