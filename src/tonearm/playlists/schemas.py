"""Playlist shapes, as Spotify's Web API has them, plus the history Spotify does not keep."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from tonearm.catalog import TrackFull
from tonearm.schemas import Frozen, Image

__all__ = [
    "AddItems",
    "ChangeDetails",
    "Diff",
    "DiffEntry",
    "FollowPlaylist",
    "Invite",
    "NewPlaylist",
    "Playlist",
    "PlaylistSimple",
    "PlaylistTrack",
    "PlaylistTracksPage",
    "PlaylistsPage",
    "RemoveItems",
    "ReorderOrReplace",
    "Revert",
    "Snapshot",
    "SnapshotId",
    "SnapshotsPage",
    "TrackRef",
    "UserRef",
]


class ExternalUrls(Frozen):
    spotify: str


class UserRef(Frozen):
    display_name: str | None = None
    external_urls: ExternalUrls
    href: str
    id: str
    type: Literal["user"] = "user"
    uri: str


class Followers(Frozen):
    href: None = None
    total: int


class TracksRef(Frozen):
    href: str
    total: int


class Paging(Frozen):
    href: str
    limit: int
    next: str | None
    offset: int
    previous: str | None
    total: int


class PlaylistTrack(Frozen):
    added_at: str
    added_by: UserRef | None
    is_local: bool = False
    # Null when the track is gone from the catalog; an unplayable one has is_playable false.
    track: TrackFull | None


class PlaylistTracksPage(Paging):
    items: list[PlaylistTrack]


class _PlaylistBase(Frozen):
    collaborative: bool
    description: str
    external_urls: ExternalUrls
    href: str
    id: str
    images: list[Image]
    name: str
    owner: UserRef
    public: bool
    snapshot_id: str
    type: Literal["playlist"] = "playlist"
    uri: str


class PlaylistSimple(_PlaylistBase):
    tracks: TracksRef


class Playlist(_PlaylistBase):
    followers: Followers
    tracks: PlaylistTracksPage


class PlaylistsPage(Paging):
    items: list[PlaylistSimple]


class SnapshotId(Frozen):
    snapshot_id: str


class Snapshot(Frozen):
    """One version: who made it, when, and what it changed."""

    snapshot_id: str
    version: int
    kind: Literal["create", "details", "add", "remove", "reorder", "replace", "revert"]
    at: str
    user: UserRef | None
    added: int
    removed: int
    moved: int
    details: dict[str, list[object]]


class SnapshotsPage(Paging):
    items: list[Snapshot]


class DiffEntry(Frozen):
    uri: str
    track_id: str
    # Position in the older version (removed, moved) and in the newer one (added, moved).
    from_position: int | None
    to_position: int | None
    added_by: str | None


class Diff(Frozen):
    from_snapshot_id: str
    to_snapshot_id: str
    added: list[DiffEntry]
    removed: list[DiffEntry]
    moved: list[DiffEntry]


# ---- request bodies ----


class NewPlaylist(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=300)
    public: bool = True
    collaborative: bool = False


class ChangeDetails(BaseModel):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=300)
    public: bool | None = None
    collaborative: bool | None = None


class AddItems(BaseModel):
    uris: list[str] | None = Field(default=None, max_length=100)
    position: int | None = Field(default=None, ge=0)
    # Beyond Spotify: the version the position refers to, when the client's copy may be stale.
    snapshot_id: str | None = Field(default=None, max_length=40)


class TrackRef(BaseModel):
    uri: str = Field(max_length=200)
    positions: list[int] | None = Field(default=None, max_length=100)


class RemoveItems(BaseModel):
    # Spotify's older name for the list is `tracks`; its newer one is `items`.
    tracks: list[TrackRef] | None = Field(default=None, max_length=100)
    items: list[TrackRef] | None = Field(default=None, max_length=100)
    snapshot_id: str | None = Field(default=None, max_length=40)


class ReorderOrReplace(BaseModel):
    uris: list[str] | None = Field(default=None, max_length=100)
    range_start: int | None = Field(default=None, ge=0)
    insert_before: int | None = Field(default=None, ge=0)
    range_length: int = Field(default=1, ge=1)
    snapshot_id: str | None = Field(default=None, max_length=40)


class FollowPlaylist(BaseModel):
    public: bool = True


class Revert(BaseModel):
    snapshot_id: str = Field(max_length=40)


class OnErasure(BaseModel):
    """What happens to my public playlists when my account is erased: they go with it
    ("erase"), or stay, owned by nobody and closed to edits ("keep"). Collaborators keep copies
    either way."""

    public_playlists: Literal["erase", "keep"]


class Invite(BaseModel):
    user_id: str = Field(max_length=22)
