"""The playlists domain's part of a user's personal data: their playlists and follows."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from tonearm.playlists.service import playlists

__all__ = ["PlaylistData"]


class PlaylistData:
    name = "playlists"
    sections = ("playlists", "followed_playlists", "public_playlists_on_erasure")

    def export(self, session: Session, user_id: str) -> dict[str, Any]:
        return playlists.export_user(session, user_id)

    def erase(self, session: Session, user_id: str) -> int:
        return playlists.erase_user(session, user_id)
