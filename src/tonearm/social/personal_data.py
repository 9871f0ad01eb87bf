"""The social domain's part of a user's personal data: what friends are shown of them."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from tonearm.social.service import social

__all__ = ["SocialData"]


class SocialData:
    name = "social"
    sections = ("private_session", "shown_to_friends")

    def export(self, session: Session, user_id: str) -> dict[str, Any]:
        return social.export_user(session, user_id)

    def erase(self, session: Session, user_id: str) -> int:
        return social.erase_user(session, user_id)
