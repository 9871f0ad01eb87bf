"""Library shapes, as Spotify's Web API has them."""

from __future__ import annotations

from pydantic import BaseModel, Field

from tonearm.catalog import AlbumFull, ArtistFull, TrackFull
from tonearm.schemas import Frozen

__all__ = [
    "Cursors",
    "FollowedArtists",
    "FollowedUsers",
    "Ids",
    "SavedAlbumsPage",
    "SavedTracksPage",
    "UserRef",
]


class Paging(Frozen):
    href: str
    limit: int
    next: str | None
    offset: int
    previous: str | None
    total: int


class SavedTrack(Frozen):
    added_at: str
    # Null only if the track left the catalog for good; a taken-down one has is_playable false.
    track: TrackFull | None


class SavedTracksPage(Paging):
    items: list[SavedTrack]


class SavedAlbum(Frozen):
    added_at: str
    album: AlbumFull | None


class SavedAlbumsPage(Paging):
    items: list[SavedAlbum]


class Cursors(Frozen):
    after: str | None
    before: str | None = None


class UserRef(Frozen):
    display_name: str | None
    href: str
    id: str
    type: str = "user"
    uri: str


class _CursorPage(Frozen):
    href: str
    limit: int
    next: str | None
    cursors: Cursors
    total: int


class ArtistsCursorPage(_CursorPage):
    items: list[ArtistFull]


class UsersCursorPage(_CursorPage):
    items: list[UserRef]


class FollowedArtists(Frozen):
    artists: ArtistsCursorPage


class FollowedUsers(Frozen):
    users: UsersCursorPage


class Ids(BaseModel):
    ids: list[str] = Field(max_length=50)
