"""The offline domain's part of a user's personal data: their devices, licences and the tracks
on each device (never a key)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from tonearm.offline.service import offline

__all__ = ["OfflineData"]


class OfflineData:
    name = "offline"
    sections = ("offline_devices", "offline_licences", "offline_tracks")

    def export(self, session: Session, user_id: str) -> dict[str, Any]:
        return offline.export_user(session, user_id)

    def erase(self, session: Session, user_id: str) -> int:
        return offline.erase_user(session, user_id)
