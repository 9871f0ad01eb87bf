"""The recommendations domain's part of a user's personal data: their made-for-you lists with
the reasons, onboarding picks and radio stations."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from tonearm.recs.repository import RecsRepository

__all__ = ["RecsData"]


class RecsData:
    name = "recs"
    sections = ("made_for_you", "onboarding_artists", "radio_stations")

    def export(self, session: Session, user_id: str) -> dict[str, Any]:
        from tonearm.recs.service import export_user

        return export_user(session, user_id)

    def erase(self, session: Session, user_id: str) -> int:
        return RecsRepository(session).erase_user(user_id)
