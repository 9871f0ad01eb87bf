"""Listening shapes: Spotify's play history and cursor paging, and the plain records the
privacy export and royalties read."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict

from tonearm.catalog import TrackFull

__all__ = [
    "Cursors",
    "EventResult",
    "EventsReceived",
    "Feedback",
    "PlayHistory",
    "PlayRecord",
    "PlayedContext",
    "RecentlyPlayed",
    "Tally",
]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class EventResult(_Frozen):
    event_id: str | None
    status: Literal["accepted", "duplicate", "rejected"]
    # Why an event was rejected, or why it is a duplicate.
    reason: str | None = None


class EventsReceived(_Frozen):
    """The answer to a batch of playback events: one result per event, in order, and counts."""

    events: list[EventResult]
    accepted: int
    duplicate: int
    rejected: int


class PlayHistory(_Frozen):
    track: TrackFull
    # ISO 8601 in UTC with a Z, to the millisecond.
    played_at: str
    context: dict[str, object] | None = None


class Cursors(_Frozen):
    # Unix milliseconds, as strings (Spotify's): the newest and the oldest play on the page.
    after: str | None = None
    before: str | None = None


class RecentlyPlayed(_Frozen):
    href: str
    items: list[PlayHistory]
    limit: int
    next: str | None
    cursors: Cursors
    # Every play of the user's on record, whichever page this is (Spotify's cursor paging has it).
    total: int


class PlayRecord(_Frozen):
    """One play as the user's data export shows it."""

    track_id: str
    track_uri: str
    track_name: str | None
    artist_names: list[str]
    played_at: str
    ms_played: int | None
    country: str
    product: str
    client_id: str | None


class Tally(_Frozen):
    track_id: str
    day: date
    country: str
    product: str
    plays: int


class Feedback(_Frozen):
    """One user's plays of one track: counted streams and skips, and when they last played it."""

    user_id: str
    track_id: str
    streams: int
    skips: int
    last_played: datetime


class PlayedContext(_Frozen):
    uri: str
    last_played: datetime
    plays: int
