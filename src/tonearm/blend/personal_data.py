"""The blend domain's part of a user's personal data: the blends they are in."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from tonearm.blend.service import blend

__all__ = ["BlendData"]


class BlendData:
    name = "blend"
    sections = ("blends",)

    def export(self, session: Session, user_id: str) -> dict[str, Any]:
        return blend.export_user(session, user_id)

    def erase(self, session: Session, user_id: str) -> int:
        return blend.erase_user(session, user_id)
