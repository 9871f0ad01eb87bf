"""The event catalogue: what has happened, named, versioned and typed.

Each event kind is an `EventKind[Payload]`: a Literal name, a version, the topic it travels on,
and a TypedDict payload, so `make(TRACK_PUBLISHED, {...})` with a wrong payload is a type
error, not a runtime surprise. On the log an event is one JSON envelope:

    {"type": "track.published", "v": 1, "id": "...", "at": "2026-12-05T19:30:00.000Z", "data": {...}}

Domain changes are written with their change in one transaction (`kit.outbox.emit`) and relayed
to the log after commit; playback events from clients go to the log directly, as their record.
A domain that starts publishing adds its kinds here, and nothing else needs to change.

Compatibility: a consumer reads every version it knows and skips (with a log line) a newer one;
a payload only ever gains optional keys within one version.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, Literal, NotRequired, TypedDict, TypeVar, cast

import orjson

from tonearm.kit.time import iso_ms, utcnow

__all__ = [
    "ALBUM_CHANGED",
    "ALL_KINDS",
    "ARTIST_CHANGED",
    "PLAYBACK",
    "PLAYBACK_TYPES",
    "PLAYLIST_CHANGED",
    "RIGHTS_CHANGED",
    "TOPICS",
    "TRACK_CHANGED",
    "TRACK_PUBLISHED",
    "TRACK_RESTORED",
    "TRACK_TAKEN_DOWN",
    "USER_CREATED",
    "USER_ERASED",
    "USER_PRODUCT_CHANGED",
    "EntityChanged",
    "Event",
    "EventKind",
    "EventName",
    "PlaybackEvent",
    "PlaybackType",
    "PlaylistChanged",
    "RightsChanged",
    "Topic",
    "TrackChanged",
    "TrackPublished",
    "TrackRestored",
    "TrackTakenDown",
    "UserCreated",
    "UserErased",
    "UserProductChanged",
    "decode",
    "encode",
    "kind_of",
    "make",
]

Topic = Literal["catalog", "accounts", "playback"]
TOPICS: tuple[Topic, ...] = ("catalog", "accounts", "playback")

PlaybackType = Literal[
    "play.start", "play.progress", "play.pause", "play.resume", "play.seek", "play.skip", "play.end"
]
PLAYBACK_TYPES: frozenset[str] = frozenset(PlaybackType.__args__)  # type: ignore[attr-defined]

EventName = Literal[
    "track.published",
    "track.changed",
    "track.taken_down",
    "track.restored",
    "rights.changed",
    "album.changed",
    "artist.changed",
    "user.created",
    "user.product_changed",
    "user.erased",
    "playlist.changed",
    "play.start",
    "play.progress",
    "play.pause",
    "play.resume",
    "play.seek",
    "play.skip",
    "play.end",
]


# ---- catalog ----


class TrackPublished(TypedDict):
    track_id: str
    album_id: str
    artist_ids: list[str]


class TrackChanged(TypedDict):
    track_id: str
    album_id: str
    # What changed, e.g. ["popularity"].
    fields: list[str]


class TrackTakenDown(TypedDict):
    track_id: str
    album_id: str
    # "WW" for everywhere.
    territory: str


class TrackRestored(TypedDict):
    track_id: str
    album_id: str
    # None: lifted in every territory.
    territory: str | None
    lifted: int


class RightsChanged(TypedDict):
    track_id: str
    album_id: str
    territory: str
    allowed: bool
    valid_from: str | None
    valid_to: str | None
    premium_only: bool


class EntityChanged(TypedDict):
    """An album's or artist's own record changed (its popularity, or it was created)."""

    id: str
    fields: list[str]


# ---- accounts ----


class UserCreated(TypedDict):
    user_id: str
    country: str
    product: str
    role: str


class UserProductChanged(TypedDict):
    user_id: str
    product: str
    previous: str


class UserErased(TypedDict):
    user_id: str
    # The providers (domains) that erased their part, by name.
    providers: list[str]


# ---- playback ----


class PlaybackEvent(TypedDict):
    """What a client reported, with who sent it (added by the server, never by the client)."""

    user_id: str
    client_id: str | None
    # The listener's market and product when the event arrived: what royalties are split by.
    country: str
    product: str
    event_id: str
    track_id: str
    context_uri: str | None
    device_id: str
    position_ms: int
    ms_played: int
    # When it happened, as the client says (ISO 8601 UTC); offline plays keep theirs.
    timestamp: str
    offline: bool
    received_at: str
    duration_ms: NotRequired[int]


# ---- playlists ----


class PlaylistChanged(TypedDict):
    """A playlist was created, edited (a new snapshot) or deleted; `fields` says what changed:
    "created", "deleted", "items", or detail names such as "name" and "public"."""

    playlist_id: str
    owner_id: str
    snapshot_id: str
    public: bool
    fields: list[str]


P = TypeVar("P")


@dataclass(frozen=True, slots=True)
class EventKind(Generic[P]):
    name: EventName
    version: int
    topic: Topic


TRACK_PUBLISHED: EventKind[TrackPublished] = EventKind("track.published", 1, "catalog")
TRACK_CHANGED: EventKind[TrackChanged] = EventKind("track.changed", 1, "catalog")
TRACK_TAKEN_DOWN: EventKind[TrackTakenDown] = EventKind("track.taken_down", 1, "catalog")
TRACK_RESTORED: EventKind[TrackRestored] = EventKind("track.restored", 1, "catalog")
RIGHTS_CHANGED: EventKind[RightsChanged] = EventKind("rights.changed", 1, "catalog")
ALBUM_CHANGED: EventKind[EntityChanged] = EventKind("album.changed", 1, "catalog")
ARTIST_CHANGED: EventKind[EntityChanged] = EventKind("artist.changed", 1, "catalog")
USER_CREATED: EventKind[UserCreated] = EventKind("user.created", 1, "accounts")
USER_PRODUCT_CHANGED: EventKind[UserProductChanged] = EventKind("user.product_changed", 1, "accounts")
USER_ERASED: EventKind[UserErased] = EventKind("user.erased", 1, "accounts")
# On the catalog topic: a public playlist is part of what listeners find, and search replicas
# follow that one topic.
PLAYLIST_CHANGED: EventKind[PlaylistChanged] = EventKind("playlist.changed", 1, "catalog")
PLAYBACK: dict[str, EventKind[PlaybackEvent]] = {
    name: EventKind(cast(EventName, name), 1, "playback") for name in sorted(PLAYBACK_TYPES)
}

_SINGLE_KINDS: tuple[EventKind[Any], ...] = (
    TRACK_PUBLISHED,
    TRACK_CHANGED,
    TRACK_TAKEN_DOWN,
    TRACK_RESTORED,
    RIGHTS_CHANGED,
    ALBUM_CHANGED,
    ARTIST_CHANGED,
    USER_CREATED,
    USER_PRODUCT_CHANGED,
    USER_ERASED,
    PLAYLIST_CHANGED,
)
ALL_KINDS: dict[str, EventKind[Any]] = {kind.name: kind for kind in (*_SINGLE_KINDS, *PLAYBACK.values())}


@dataclass(frozen=True, slots=True)
class Event(Generic[P]):
    kind: EventKind[P]
    id: str
    occurred_at: str
    payload: P

    @property
    def name(self) -> EventName:
        return self.kind.name

    @property
    def topic(self) -> Topic:
        return self.kind.topic


def make(
    kind: EventKind[P], payload: P, *, id: str | None = None, occurred_at: datetime | None = None
) -> Event[P]:
    """A new event of `kind`; `id` de-duplicates it on the log (a fresh UUID by default)."""
    return Event(kind, id or uuid.uuid4().hex, iso_ms(occurred_at or utcnow()), payload)


def encode(event: Event[Any]) -> bytes:
    envelope = {
        "type": event.kind.name,
        "v": event.kind.version,
        "id": event.id,
        "at": event.occurred_at,
        "data": event.payload,
    }
    return orjson.dumps(envelope)


def kind_of(name: str) -> EventKind[Any] | None:
    return ALL_KINDS.get(name)


def decode(body: bytes) -> Event[Any] | None:
    """The event in an envelope; None for a kind or version this code does not know."""
    envelope = orjson.loads(body)
    kind = ALL_KINDS.get(envelope.get("type", ""))
    if kind is None or envelope.get("v") != kind.version:
        return None
    return Event(kind, envelope["id"], envelope["at"], envelope["data"])
