"""Blend shapes. Spotify's Web API has no Blend endpoints; these follow its conventions (ids,
URIs, paging objects, simplified and full objects)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from tonearm.blend.mix import Reason
from tonearm.catalog import TrackFull
from tonearm.schemas import Frozen

__all__ = [
    "ROLES",
    "BlendFull",
    "BlendPlaylist",
    "BlendSimple",
    "BlendTrack",
    "BlendsPage",
    "Member",
    "NewBlend",
    "Role",
    "Status",
]

Status = Literal["pending", "active", "declined", "ended"]
Role = Literal["inviter", "invitee"]
# The members in the order a blend names them.
ROLES: tuple[Role, Role] = ("inviter", "invitee")


class Member(Frozen):
    id: str
    display_name: str | None
    uri: str
    # The inviter owns the blend's playlist; the invitee is its collaborator.
    role: Role


class BlendPlaylist(Frozen):
    id: str
    uri: str
    snapshot_id: str


class BlendSimple(Frozen):
    id: str
    type: str = "blend"
    href: str
    status: Status
    members: list[Member]
    # None until accepted, and for whoever can no longer see it.
    playlist: BlendPlaylist | None
    created_at: str
    refreshed_at: str | None


class BlendTrack(Frozen):
    # Null only if the track left the catalog since the last refresh.
    track: TrackFull | None
    # Whose taste brought it in: both members', the inviter's or the invitee's.
    reason: Reason


class BlendFull(BlendSimple):
    tracks: list[BlendTrack]


class BlendsPage(Frozen):
    href: str
    items: list[BlendSimple]
    limit: int
    next: str | None
    offset: int
    previous: str | None
    total: int


class NewBlend(BaseModel):
    user_id: str = Field(max_length=200, description="the id or URI of the user to blend with")
