"""Friends' activity: what the people a user follows are playing now and played last, kept
from the playback topic of the event log; and the private-session switch that hides a user's."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from tonearm.kit.consumers import Delivered
from tonearm.kit.time import as_utc, iso_ms, utcnow
from tonearm.library import library
from tonearm.social.models import LatestPlay, SocialSettings
from tonearm.social.repository import SocialRepository

__all__ = ["FriendPlay", "FriendsActivityConsumer", "SocialService", "social"]

PLAYING = frozenset({"play.start", "play.resume", "play.progress", "play.seek"})
# A play still "playing" with no event for this long is shown as played, not playing now.
STALE_AFTER = timedelta(minutes=10)
MAX_FRIENDS = 1000


@dataclass(frozen=True, slots=True)
class FriendPlay:
    user_id: str
    track_id: str
    context_uri: str | None
    at: datetime
    playing_now: bool


class SocialService:
    def friends_activity(
        self, session: Session, user_id: str, *, now: datetime | None = None
    ) -> list[FriendPlay]:
        """The latest play of each user this user follows, newest first; none of a friend in a
        private session."""
        friends, _ = library.following(session, user_id, "user", after=None, limit=MAX_FRIENDS)
        ids = [row.item_id for row in friends]
        if not ids:
            return []
        repo = SocialRepository(session)
        hidden = repo.private(ids)
        moment = now or utcnow()
        return [
            FriendPlay(
                row.user_id,
                row.track_id,
                row.context_uri,
                as_utc(row.at),
                row.playing and moment - as_utc(row.at) < STALE_AFTER,
            )
            for row in repo.latest(ids)
            if row.user_id not in hidden
        ]

    def private_session(self, session: Session, user_id: str) -> bool:
        settings = SocialRepository(session).settings(user_id)
        return bool(settings and settings.private_session)

    def set_private_session(self, session: Session, user_id: str, enabled: bool) -> None:
        repo = SocialRepository(session)
        settings = repo.settings(user_id)
        if settings is None:
            repo.add(SocialSettings(user_id=user_id, private_session=enabled))
        else:
            settings.private_session = enabled
        if enabled:
            # What was shown before stops showing at once, not only what comes next.
            repo.forget_plays(user_id)

    def export_user(self, session: Session, user_id: str) -> dict[str, Any]:
        repo = SocialRepository(session)
        latest = repo.latest_of(user_id)
        return {
            "private_session": self.private_session(session, user_id),
            "shown_to_friends": None
            if latest is None
            else {"track_id": latest.track_id, "at": iso_ms(as_utc(latest.at)), "playing": latest.playing},
        }

    def erase_user(self, session: Session, user_id: str) -> int:
        return SocialRepository(session).erase(user_id)


class FriendsActivityConsumer:
    """Keeps each user's latest play from the playback topic. Idempotent: an event only replaces
    an older one, so a replay or a late offline batch changes nothing newer."""

    name = "social-friends-activity"
    topic = "playback"

    def apply(self, session: Session, batch: Sequence[Delivered]) -> None:
        repo = SocialRepository(session)
        newest: dict[str, tuple[datetime, dict[str, Any], str]] = {}
        for item in batch:
            data = item.event.payload
            if data.get("offline"):
                continue  # played on a plane hours ago: not what a friend is doing now
            at = as_utc(datetime.fromisoformat(data["timestamp"].replace("Z", "+00:00")))
            user_id = data["user_id"]
            if user_id not in newest or at >= newest[user_id][0]:
                newest[user_id] = (at, data, item.event.name)
        if not newest:
            return
        hidden = repo.private(list(newest))
        for user_id, (at, data, name) in newest.items():
            if user_id in hidden:
                continue
            row = repo.latest_of(user_id)
            if row is None:
                repo.add(
                    LatestPlay(
                        user_id=user_id,
                        track_id=data["track_id"],
                        context_uri=data.get("context_uri"),
                        at=at,
                        playing=name in PLAYING,
                    )
                )
            elif at >= as_utc(row.at):
                row.track_id, row.context_uri, row.at, row.playing = (
                    data["track_id"],
                    data.get("context_uri"),
                    at,
                    name in PLAYING,
                )

    def forget(self, session: Session, since: datetime | None = None) -> None:
        # Only the latest play is kept, so a replay from any point rebuilds it from there.
        SocialRepository(session).forget_plays()


social = SocialService()
