"""The player's API shapes, as Spotify's Web API has them (and the Group Session's own)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from tonearm.catalog import TrackFull
from tonearm.player.state import RepeatState
from tonearm.schemas import Frozen

__all__ = [
    "Actions",
    "Context",
    "CurrentlyPlaying",
    "DeviceOut",
    "Devices",
    "Member",
    "Offset",
    "PlayBody",
    "PlaybackState",
    "Queue",
    "SessionBody",
    "SessionOut",
    "TransferBody",
]

DEVICE_ID_PATTERN = "^[A-Za-z0-9_-]{1,64}$"


class DeviceOut(Frozen):
    id: str
    is_active: bool
    is_private_session: bool
    is_restricted: bool
    name: str
    type: str
    volume_percent: int | None
    supports_volume: bool


class Devices(Frozen):
    devices: list[DeviceOut]


class Context(Frozen):
    type: str
    href: str
    external_urls: dict[str, str]
    uri: str


class Actions(Frozen):
    # Spotify lists what may not be done now (true), leaving out what may.
    disallows: dict[str, bool]


class CurrentlyPlaying(Frozen):
    context: Context | None
    timestamp: int
    progress_ms: int | None
    is_playing: bool
    item: TrackFull | None
    currently_playing_type: Literal["track", "unknown"]
    actions: Actions


class PlaybackState(CurrentlyPlaying):
    device: DeviceOut
    repeat_state: RepeatState
    shuffle_state: bool
    smart_shuffle: bool = False


class Queue(Frozen):
    currently_playing: TrackFull | None
    queue: list[TrackFull]


class TransferBody(BaseModel):
    device_ids: list[str] = Field(min_length=1, max_length=1)
    play: bool | None = None


class Offset(BaseModel):
    position: int | None = Field(default=None, ge=0)
    uri: str | None = None


class PlayBody(BaseModel):
    context_uri: str | None = None
    uris: list[str] | None = Field(default=None, max_length=100)
    offset: Offset | None = None
    position_ms: int | None = Field(default=None, ge=0)


class SessionBody(BaseModel):
    members_can_skip: bool = True


class Member(Frozen):
    id: str
    display_name: str | None


class SessionOut(Frozen):
    code: str
    # Opens the web player on the join page of this session, and of no other.
    link: str
    host: Member
    members: list[Member]
    members_can_skip: bool
    is_host: bool
    is_playing: bool
    item: TrackFull | None
    queue: list[TrackFull]
