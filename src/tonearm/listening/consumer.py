"""The playback consumer: follows the `playback` topic and keeps, from it, each user's history
(one play per play.start), the streams counted under the 30-second rule, each user's streams per
day (top tracks and artists), and the anonymous daily tallies royalties are paid from.

Idempotent under at-least-once delivery by its effects alone: a play's id is derived from its
play.start's message id (or, with none before it, from its first event's), a play keeps the most
any of its events says was played, and a play is counted once (its `counted` flag guards the
tallies), however often its events arrive. Every applied event also leaves a receipt, keyed by
its day, that the intake looks up to answer a late resend `duplicate`; the consumer itself need
not read them.

A play is the events of one (user, device, track) from a play.start on: `ms_played` is
cumulative for the play (across pauses and seeks), so the play has been streamed once its
largest `ms_played` reaches 30 s. An event with no play.start before it (lost, or sent later)
opens a play of its own, dated back by what it says was played.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import RowMapping
from sqlalchemy.orm import Session

from tonearm.events import Event, PlaybackEvent
from tonearm.kit.consumers import Delivered
from tonearm.kit.ids import derive_id
from tonearm.kit.time import EPOCH, as_utc, unix_day
from tonearm.listening.intake import PLAYBACK_TOPIC
from tonearm.listening.repository import ListeningRepository

__all__ = ["STREAM_MS", "PlaybackConsumer"]

# Spotify's rule: a play counts as a stream (and is paid for) once 30 s of it were played.
STREAM_MS = 30_000


def _moment(value: str) -> datetime:
    return as_utc(datetime.fromisoformat(value))


@dataclass(slots=True)
class _PlayState:
    """A play as the consumer changes it: a plain object, written back in bulk (ORM instances
    cost more to make and track than the rest of the consumer's work)."""

    id: str
    user_id: str | None
    track_id: str
    played_at: datetime
    ms_played: int
    counted: bool
    country: str
    product: str
    new: bool = False
    changed: bool = False

    @classmethod
    def stored(cls, row: RowMapping) -> _PlayState:
        return cls(
            id=row["id"],
            user_id=row["user_id"],
            track_id=row["track_id"],
            played_at=as_utc(row["played_at"]),
            ms_played=row["ms_played"] or 0,
            counted=row["counted"],
            country=row["country"],
            product=row["product"],
        )


class _Batch:
    """What one batch changes, gathered so it is written in a few statements: the plays it
    opened (inserted at the end), the plays on record it moved on (updated at the end), and the
    streams it counted per tally and per user day (upserted at the end)."""

    def __init__(self, repo: ListeningRepository, starts: Sequence[str]) -> None:
        self.repo = repo
        self.play_ids = {message_id: derive_id("play", message_id) for message_id in starts}
        # Plays already on record for this batch's play.starts (a replay after `forget`).
        self.known = {
            play_id: _PlayState.stored(row)
            for play_id, row in repo.plays(list(self.play_ids.values())).items()
        }
        self.opened: dict[tuple[str, str, str], list[_PlayState]] = {}
        self.rows: list[dict[str, Any]] = []
        self.latest: dict[tuple[str, str, str], _PlayState] = {}
        self.tallies: Counter[tuple[str, date, str, str]] = Counter()
        self.stream_days: Counter[tuple[str, str, date]] = Counter()
        # Each event's UTC day, which its receipt is keyed by.
        self.days: dict[str, int] = {}

    def play_for(self, event: Event[Any]) -> _PlayState:
        data: PlaybackEvent = event.payload
        key = (data["user_id"], data["device_id"], data["track_id"])
        at = _moment(data["timestamp"])
        self.days[event.id] = unix_day(at)
        play = self.latest.get(key) if event.name != "play.start" else None
        if play is None or play.played_at > at:
            play = None if event.name == "play.start" else self._open_at(key, at)
        if play is None:
            dated = at if event.name == "play.start" else at - timedelta(milliseconds=data["ms_played"])
            play = self._open(event.id, data, dated)
        self.latest[key] = play
        return play

    def _open_at(self, key: tuple[str, str, str], at: datetime) -> _PlayState | None:
        """The latest play of the key that started at or before `at`: on record, or opened by
        this batch (not yet written)."""
        candidates = [play for play in self.opened.get(key, []) if play.played_at <= at]
        row = self.repo.open_play(*key, at=at)
        if row is not None:
            candidates.append(self.known.setdefault(row["id"], _PlayState.stored(row)))
        return max(candidates, key=lambda play: play.played_at, default=None)

    def _open(self, message_id: str, data: PlaybackEvent, started: datetime) -> _PlayState:
        play_id = self.play_ids.get(message_id)
        if play_id is None:
            # An event with no play.start before it: its play may be on record from an earlier try.
            play_id = self.play_ids[message_id] = derive_id("play", message_id)
            row = self.repo.plays([play_id]).get(play_id)
            if row is not None:
                self.known[play_id] = _PlayState.stored(row)
        existing = self.known.get(play_id)
        if existing is not None:
            return existing
        # Whole milliseconds, so the recently-played cursors (unix ms) name a play exactly.
        started = started.replace(microsecond=started.microsecond // 1000 * 1000)
        play = _PlayState(
            id=play_id,
            user_id=data["user_id"],
            track_id=data["track_id"],
            played_at=started,
            ms_played=0,
            counted=False,
            country=data["country"],
            product=data["product"],
            new=True,
        )
        self.known[play_id] = play
        self.opened.setdefault((data["user_id"], data["device_id"], data["track_id"]), []).append(play)
        self.rows.append(
            {
                "id": play_id,
                "user_id": data["user_id"],
                "track_id": data["track_id"],
                "played_at": started,
                "country": data["country"],
                "product": data["product"],
                "client_id": data["client_id"],
                "device_id": data["device_id"],
                "context_uri": data["context_uri"],
                "offline": data["offline"],
            }
        )
        return play

    def played(self, play: _PlayState, ms_played: int) -> None:
        """The play reached `ms_played`; counted once it reaches 30 s."""
        if ms_played > play.ms_played:
            play.ms_played, play.changed = ms_played, True
        if not play.counted and play.ms_played >= STREAM_MS:
            play.counted = True
            day = play.played_at.date()
            self.tallies[(play.track_id, day, play.country, play.product)] += 1
            assert play.user_id is not None
            self.stream_days[(play.user_id, play.track_id, day)] += 1

    def write(self) -> None:
        states = {play.id: play for play in self.known.values() if play.new or play.changed}
        for row in self.rows:
            play = states[row["id"]]
            row["ms_played"], row["counted"] = play.ms_played, play.counted
        self.repo.insert_plays(self.rows)
        self.repo.update_plays(
            [
                {"play_id": play.id, "ms_played": play.ms_played, "counted": play.counted}
                for play in states.values()
                if not play.new
            ]
        )
        self.repo.bump_tallies(self.tallies)
        self.repo.bump_stream_days(self.stream_days)


class PlaybackConsumer:
    name = "listening-history"
    topic = PLAYBACK_TOPIC

    def apply(self, session: Session, batch: Sequence[Delivered]) -> None:
        repo = ListeningRepository(session)
        # A message delivered twice in one batch is applied once (its effect would be the same).
        fresh: dict[str, Event[Any]] = {}
        for item in batch:
            if item.event.topic == PLAYBACK_TOPIC:
                fresh.setdefault(item.event.id, item.event)
        if not fresh:
            return
        changes = _Batch(repo, [event.id for event in fresh.values() if event.name == "play.start"])
        for event in fresh.values():
            changes.played(changes.play_for(event), event.payload["ms_played"])
        changes.write()
        repo.add_receipts([(changes.days[event.id], event.id) for event in fresh.values()])

    def forget(self, session: Session, since: datetime | None = None) -> None:
        """Undo what events received from `since` on (everything when None) did: their receipts
        go, and so do the plays that started then, with their counts taken back off the tallies,
        so a replay from there rebuilds them. Older plays stay, and keep their counts: the log
        may no longer hold the events they came from."""
        repo = ListeningRepository(session)
        start = since or EPOCH
        plays = repo.plays_from(start)
        tallies: Counter[tuple[str, date, str, str]] = Counter()
        stream_days: Counter[tuple[str, str, date]] = Counter()
        for play in plays:
            if play.counted and play.device_id is not None:
                day = as_utc(play.played_at).date()
                tallies[(play.track_id, day, play.country, play.product)] -= 1
                if play.user_id is not None:
                    stream_days[(play.user_id, play.track_id, day)] -= 1
        repo.bump_tallies(tallies)
        repo.bump_stream_days(stream_days)
        # Plays from before playback events (no device) came from manifests, not from the log.
        repo.delete_plays([play.id for play in plays if play.device_id is not None])
        repo.delete_receipts_from(unix_day(start))
