"""The listening domain's part of a user's personal data: their plays and stream counts."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from tonearm.listening.service import listening

__all__ = ["ListeningData"]


class ListeningData:
    name = "listening"
    sections = ("listening_history", "stream_counts")

    def export(self, session: Session, user_id: str) -> dict[str, Any]:
        return {
            "listening_history": [record.model_dump() for record in listening.history(session, user_id)],
            "stream_counts": listening.stream_days(session, user_id),
        }

    def erase(self, session: Session, user_id: str) -> int:
        return listening.erase_user(session, user_id)
