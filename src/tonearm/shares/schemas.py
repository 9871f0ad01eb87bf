"""Share links as their maker sees them, and what a visitor of one is shown."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from tonearm.schemas import Frozen, Image

__all__ = ["NewShare", "Share", "SharedItem", "SharedTrack", "SharesPage"]


class NewShare(BaseModel):
    uri: str = Field(
        max_length=300, description="tonearm:/spotify: URI or link of a playlist, album or track"
    )
    expires_in_s: int | None = Field(default=None, description="seconds until the link stops working")


class Share(Frozen):
    id: str
    uri: str
    url: str
    created_at: str
    expires_at: str | None


class SharesPage(Frozen):
    href: str
    items: list[Share]
    limit: int
    next: str | None
    offset: int
    previous: str | None
    total: int


class SharedTrack(Frozen):
    id: str
    name: str
    artists: list[str]
    duration_ms: int
    # 30 seconds to play signed out; none when the track cannot be played where it was shared.
    preview_url: str | None


class SharedItem(Frozen):
    """What a share link opens: exactly the thing it names, for a signed-out visitor."""

    id: str
    type: Literal["playlist", "album", "track"]
    uri: str
    name: str
    byline: str
    description: str
    images: list[Image]
    tracks: list[SharedTrack]
    total_tracks: int
    expires_at: str | None
