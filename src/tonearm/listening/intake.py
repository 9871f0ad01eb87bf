"""Playback events in: a client's batch checked event by event, and what passes appended to the
`playback` topic of the event log, each under the message id `user:event_id`.

Every event gets its own answer, in order: `accepted` (durable on the log), `duplicate` (an
`event_id` this user already sent) or `rejected` with the reason; one bad event never costs the
rest. The log's de-duplication window catches a resend within minutes; a resend of an older
event (an offline batch sent again, a retry after hours) is found among the receipts of what
the playback consumer applied. Nothing is answered `accepted` that the log did not store: a log
that is down raises BackendError (503 with Retry-After) for the whole batch.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from sqlalchemy.orm import Session

from tonearm.backends.eventlog import EventLog, Outgoing
from tonearm.catalog import TrackFacts
from tonearm.catalog import catalog as catalog_service
from tonearm.events import PLAYBACK, PLAYBACK_TYPES, Event, PlaybackEvent, encode
from tonearm.kit.caller import Caller
from tonearm.kit.lru import LruMap
from tonearm.kit.time import iso_ms, unix_day, utcnow
from tonearm.listening.repository import ListeningRepository

__all__ = [
    "FUTURE_SLACK",
    "MAX_AGE",
    "MAX_BATCH",
    "MAX_BODY_BYTES",
    "PLAYBACK_TOPIC",
    "EventAnswer",
    "PlaybackIntake",
    "message_id",
]

PLAYBACK_TOPIC = "playback"
MAX_BATCH = 500
# 500 events of the largest allowed fields, with room for the envelope.
MAX_BODY_BYTES = 1024 * 1024
# Offline plays keep their own timestamps up to this old.
MAX_AGE = timedelta(days=30)
# A client clock may run this far ahead of the server's.
FUTURE_SLACK = timedelta(seconds=60)
# ms_played and position_ms may pass the track's length by this much (clock rounding, a gapless
# join's tail), and no more.
LENGTH_SLACK_MS = 10_000
# The log answers a resend as a duplicate only within its window (300 s on both adapters). An
# event stamped older than this (minus the clock slack) may have been sent before the window
# began, so the receipts are asked about it too.
RECEIPT_CHECK_AFTER = timedelta(seconds=300) - FUTURE_SLACK * 2

_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
_TRACK = re.compile(r"^(?:tonearm:track:)?([0-9A-Za-z]{22})$")
# What iso_ms writes, and what the web player sends: kept as it came, not parsed and formatted again.
_CANONICAL_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
_CONTEXT = re.compile(r"^[a-z]+:[a-z]+:[0-9A-Za-z]{1,64}$")

Status = Literal["accepted", "duplicate", "rejected"]


def message_id(user_id: str, event_id: str) -> str:
    return f"{user_id}:{event_id}"


@dataclass(frozen=True, slots=True)
class EventAnswer:
    event_id: str | None
    status: Status
    reason: str | None = None

    def as_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {"event_id": self.event_id, "status": self.status}
        if self.reason is not None:
            body["reason"] = self.reason
        return body


class _Rejected(Exception):
    pass


def _int(raw: dict[str, Any], key: str) -> int:
    value = raw.get(key)
    # bool is an int in Python, and never a length of time.
    if not isinstance(value, int) or isinstance(value, bool):
        raise _Rejected(f"{key} must be a whole number of milliseconds")
    if value < 0:
        raise _Rejected(f"{key} must not be negative, got {value}")
    return value


def _timestamp(value: Any, now: datetime) -> datetime:
    if not isinstance(value, str) or len(value) > 40:
        raise _Rejected("timestamp must be an ISO 8601 time, like 2026-12-06T10:00:00.000Z")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise _Rejected(f"timestamp '{value}' is not an ISO 8601 time") from None
    if moment.tzinfo is None:
        raise _Rejected("timestamp must carry its offset from UTC (a Z or +hh:mm)")
    if moment > now + FUTURE_SLACK:
        raise _Rejected("timestamp is in the future")
    if moment < now - MAX_AGE:
        raise _Rejected("timestamp is more than 30 days old; offline plays are kept that long")
    return moment


@dataclass(slots=True)
class _Checked:
    """An event's own fields, checked; what needs the catalog or the devices comes after."""

    index: int
    type: str
    event_id: str
    track_id: str
    context_uri: str | None
    device_id: str
    position_ms: int
    ms_played: int
    timestamp: datetime
    # The timestamp as iso_ms writes it.
    stamp: str
    offline: bool


def _check(index: int, raw: dict[str, Any], now: datetime) -> _Checked:
    kind = raw.get("type")
    if kind not in PLAYBACK_TYPES:
        raise _Rejected(f"type must be one of {', '.join(sorted(PLAYBACK_TYPES))}")
    track = raw.get("track_id")
    found = _TRACK.match(track) if isinstance(track, str) else None
    if found is None:
        raise _Rejected("track_id must be a track id (22 base62 characters) or its URI")
    device = raw.get("device_id")
    if not isinstance(device, str) or not _ID.match(device):
        raise _Rejected("device_id must be 1-64 of A-Z, a-z, 0-9, '.', '_', ':' and '-'")
    context = raw.get("context_uri")
    if context is not None and (not isinstance(context, str) or not _CONTEXT.match(context)):
        raise _Rejected("context_uri must be a URI like tonearm:album:<id>, or null")
    offline = raw.get("offline", False)
    if not isinstance(offline, bool):
        raise _Rejected("offline must be true or false")
    timestamp = _timestamp(raw.get("timestamp"), now)
    sent = raw["timestamp"]
    return _Checked(
        index=index,
        type=kind,
        event_id=raw["event_id"],
        track_id=found.group(1),
        context_uri=context,
        device_id=device,
        position_ms=_int(raw, "position_ms"),
        ms_played=_int(raw, "ms_played"),
        timestamp=timestamp,
        stamp=sent if _CANONICAL_TIME.match(sent) else iso_ms(timestamp),
        offline=offline,
    )


def _event_id(raw: dict[str, Any]) -> str | None:
    value = raw.get("event_id")
    return value if isinstance(value, str) and _ID.match(value) else None


class PlaybackIntake:
    """One per process: it remembers track lengths and device owners it has looked up."""

    def __init__(self, log: EventLog) -> None:
        self.log = log
        self._facts: LruMap[str, TrackFacts] = LruMap(100_000)
        self._owners: LruMap[str, str] = LruMap(100_000)

    def receive(
        self, session: Session, caller: Caller, events: Sequence[Any], *, now: datetime | None = None
    ) -> list[EventAnswer]:
        assert caller.user_id is not None  # the route takes only a user's token
        user_id = caller.user_id
        now = now or utcnow()
        answers: list[EventAnswer | None] = [None] * len(events)
        checked: list[_Checked] = []
        seen: set[str] = set()
        for index, raw in enumerate(events):
            if not isinstance(raw, dict):
                answers[index] = EventAnswer(None, "rejected", "an event is a JSON object")
                continue
            event_id = _event_id(raw)
            if event_id is None:
                answers[index] = EventAnswer(
                    None, "rejected", "event_id must be 1-64 of A-Z, a-z, 0-9, . _ : -"
                )
                continue
            if event_id in seen:
                answers[index] = EventAnswer(event_id, "duplicate", "sent twice in this batch")
                continue
            seen.add(event_id)
            try:
                checked.append(_check(index, raw, now))
            except _Rejected as error:
                answers[index] = EventAnswer(event_id, "rejected", str(error))
        facts = self._track_facts(session, {event.track_id for event in checked})
        owners = self._device_owners(session, user_id, {event.device_id for event in checked}, now)
        keep = []
        for event in checked:
            reason = self._reason(event, facts.get(event.track_id), owners.get(event.device_id), user_id)
            if reason is not None:
                answers[event.index] = EventAnswer(event.event_id, "rejected", reason)
            else:
                keep.append(event)
        keep = self._drop_applied(session, user_id, keep, answers, now)
        self._append(caller, keep, facts, answers, now)
        return [answer for answer in answers if answer is not None]

    @staticmethod
    def _reason(event: _Checked, facts: TrackFacts | None, owner: str | None, user_id: str) -> str | None:
        if facts is None:
            return f"unknown track '{event.track_id}'"
        if owner != user_id:
            return "device_id belongs to another user"
        most = facts.duration_ms + LENGTH_SLACK_MS
        if event.ms_played > most:
            return f"ms_played {event.ms_played} is more than the track's length ({facts.duration_ms} ms)"
        if event.position_ms > most:
            return f"position_ms {event.position_ms} is past the track's end ({facts.duration_ms} ms)"
        return None

    def _track_facts(self, session: Session, track_ids: set[str]) -> dict[str, TrackFacts]:
        found = {}
        missing = []
        for track_id in track_ids:
            facts = self._facts.get(track_id)
            if facts is None:
                missing.append(track_id)
            else:
                found[track_id] = facts
        for track_id, facts in catalog_service.track_facts(session, missing).items():
            self._facts.put(track_id, facts)
            found[track_id] = facts
        return found

    def _device_owners(
        self, session: Session, user_id: str, device_ids: set[str], now: datetime
    ) -> dict[str, str]:
        owners = {}
        missing = []
        for device_id in device_ids:
            owner = self._owners.get(device_id)
            if owner is None:
                missing.append(device_id)
            else:
                owners[device_id] = owner
        if missing:
            # The first user to send events from a device id owns it; a race between two users
            # leaves one owner, which both then read.
            for device_id, owner in ListeningRepository(session).bind_devices(missing, user_id, now).items():
                self._owners.put(device_id, owner)
                owners[device_id] = owner
        return owners

    @staticmethod
    def _drop_applied(
        session: Session,
        user_id: str,
        events: list[_Checked],
        answers: list[EventAnswer | None],
        now: datetime,
    ) -> list[_Checked]:
        old = [event for event in events if event.timestamp < now - RECEIPT_CHECK_AFTER]
        if not old:
            return events
        keys = [(unix_day(e.timestamp), message_id(user_id, e.event_id)) for e in old]
        applied = ListeningRepository(session).receipts(keys)
        if not applied:
            return events
        fresh = []
        for event in events:
            if message_id(user_id, event.event_id) in applied:
                answers[event.index] = EventAnswer(event.event_id, "duplicate", "already received")
            else:
                fresh.append(event)
        return fresh

    def _append(
        self,
        caller: Caller,
        events: list[_Checked],
        facts: dict[str, TrackFacts],
        answers: list[EventAnswer | None],
        now: datetime,
    ) -> None:
        if not events:
            return
        assert caller.user_id is not None
        received = iso_ms(now)
        outgoing = []
        for event in events:
            # The payload's timestamp is also the envelope's occurred_at.
            stamp = event.stamp
            payload: PlaybackEvent = {
                "user_id": caller.user_id,
                "client_id": caller.client_id,
                # ZZ: the user-assigned code for an unknown region, when a user has no country.
                "country": caller.country or "ZZ",
                "product": caller.product,
                "event_id": event.event_id,
                "track_id": event.track_id,
                "context_uri": event.context_uri,
                "device_id": event.device_id,
                "position_ms": event.position_ms,
                "ms_played": event.ms_played,
                "timestamp": stamp,
                "offline": event.offline,
                "received_at": received,
                "duration_ms": facts[event.track_id].duration_ms,
            }
            msg_id = message_id(caller.user_id, event.event_id)
            made = Event(PLAYBACK[event.type], msg_id, stamp, payload)
            outgoing.append(Outgoing(msg_id, event.type, encode(made)))
        for event, appended in zip(events, self.log.append(PLAYBACK_TOPIC, outgoing), strict=True):
            if appended.duplicate:
                answers[event.index] = EventAnswer(event.event_id, "duplicate", "already received")
            else:
                answers[event.index] = EventAnswer(event.event_id, "accepted")
