"""The playback consumer: follows the `playback` topic and keeps, from it, each user's history
(one play per play.start), the streams counted under the 30-second rule, each user's streams per
day (top tracks and artists), and the anonymous daily tallies royalties are paid from.

Idempotent under at-least-once delivery: every applied event leaves a receipt, and an event
whose receipt exists is skipped; a play's id is derived from its play.start's message id, and a
play is counted once (its `counted` flag guards the tallies), however often its events arrive.

A play is the events of one (user, device, track) from a play.start on: `ms_played` is
cumulative for the play (across pauses and seeks), so the play has been streamed once its
largest `ms_played` reaches 30 s. An event with no play.start before it (lost, or sent later)
opens a play of its own, dated back by what it says was played.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from tonearm.events import Event, PlaybackEvent
from tonearm.kit.consumers import Delivered
from tonearm.kit.ids import derive_id
from tonearm.kit.time import EPOCH, as_utc
from tonearm.listening.intake import PLAYBACK_TOPIC
from tonearm.listening.models import Play
from tonearm.listening.repository import ListeningRepository

__all__ = ["STREAM_MS", "PlaybackConsumer"]

# Spotify's rule: a play counts as a stream (and is paid for) once 30 s of it were played.
STREAM_MS = 30_000


def _moment(value: str) -> datetime:
    return as_utc(datetime.fromisoformat(value))


class PlaybackConsumer:
    name = "listening-history"
    topic = PLAYBACK_TOPIC

    def apply(self, session: Session, batch: Sequence[Delivered]) -> None:
        repo = ListeningRepository(session)
        events = [item.event for item in batch if item.event.topic == PLAYBACK_TOPIC]
        applied = repo.receipts([event.id for event in events])
        fresh: dict[str, Event[Any]] = {}
        for event in events:
            if event.id not in applied:
                fresh.setdefault(event.id, event)
        if not fresh:
            return
        # Plays opened in this batch, by (user, device, track): the next events find them here.
        open_plays: dict[tuple[str, str, str], Play] = {}
        for event in fresh.values():
            self._apply(repo, event, open_plays)
        received = max(_moment(event.payload["received_at"]) for event in fresh.values())
        repo.add_receipts(list(fresh), received)

    def _apply(
        self, repo: ListeningRepository, event: Event[Any], open_plays: dict[tuple[str, str, str], Play]
    ) -> None:
        data: PlaybackEvent = event.payload
        key = (data["user_id"], data["device_id"], data["track_id"])
        at = _moment(data["timestamp"])
        play = None
        if event.name != "play.start":
            play = open_plays.get(key)
            if play is None or as_utc(play.played_at) > at:
                play = repo.open_play(*key, at=at)
        if play is None:
            play = self._open(
                repo,
                event.id,
                data,
                at if event.name == "play.start" else at - timedelta(milliseconds=data["ms_played"]),
            )
        open_plays[key] = play
        if data["ms_played"] > (play.ms_played or 0):
            play.ms_played = data["ms_played"]
        if not play.counted and (play.ms_played or 0) >= STREAM_MS:
            play.counted = True
            day = as_utc(play.played_at).date()
            repo.bump_tally(track_id=play.track_id, day=day, country=play.country, product=play.product)
            assert play.user_id is not None
            repo.bump_stream_day(user_id=play.user_id, track_id=play.track_id, day=day)

    @staticmethod
    def _open(repo: ListeningRepository, message_id: str, data: PlaybackEvent, started: datetime) -> Play:
        play_id = derive_id("play", message_id)
        existing = repo.play(play_id)
        if existing is not None:
            return existing
        # Whole milliseconds, so the recently-played cursors (unix ms) name a play exactly.
        started = started.replace(microsecond=started.microsecond // 1000 * 1000)
        play = Play(
            id=play_id,
            user_id=data["user_id"],
            track_id=data["track_id"],
            played_at=started,
            ms_played=0,
            country=data["country"],
            product=data["product"],
            client_id=data["client_id"],
            device_id=data["device_id"],
            context_uri=data["context_uri"],
            counted=False,
            offline=data["offline"],
        )
        repo.add(play)
        return play

    def forget(self, session: Session, since: datetime | None = None) -> None:
        """Undo what events received from `since` on (everything when None) did: their receipts
        go, and so do the plays that started then, with their counts taken back off the tallies,
        so a replay from there rebuilds them. Older plays stay, and keep their counts: the log
        may no longer hold the events they came from."""
        repo = ListeningRepository(session)
        start = since or EPOCH
        plays = repo.plays_from(start)
        for play in plays:
            if play.counted and play.device_id is not None:
                day = as_utc(play.played_at).date()
                repo.bump_tally(
                    track_id=play.track_id, day=day, country=play.country, product=play.product, by=-1
                )
                if play.user_id is not None:
                    repo.bump_stream_day(user_id=play.user_id, track_id=play.track_id, day=day, by=-1)
        # Plays from before playback events (no device) came from manifests, not from the log.
        repo.delete_plays([play.id for play in plays if play.device_id is not None])
        repo.delete_receipts_from(start)
