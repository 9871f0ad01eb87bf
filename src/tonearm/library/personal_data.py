"""The library domain's part of a user's personal data: what they saved and whom they follow."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from tonearm.library.service import library

__all__ = ["LibraryData"]


class LibraryData:
    name = "library"
    sections = ("saved_tracks", "saved_albums", "followed_artists", "followed_users")

    def export(self, session: Session, user_id: str) -> dict[str, Any]:
        return library.export_user(session, user_id)

    def erase(self, session: Session, user_id: str) -> int:
        return library.erase_user(session, user_id)
