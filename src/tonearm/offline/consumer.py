"""The offline domain's consumer of the playback topic: each listener's latest play of each
track, which decides what a full device evicts first. Offline plays count as they happened."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.orm import Session

from tonearm.kit.consumers import Delivered
from tonearm.kit.time import as_utc
from tonearm.offline.service import offline

__all__ = ["OfflinePlaysConsumer"]


class OfflinePlaysConsumer:
    """Idempotent: a play only moves a track's last play forward, so a replay changes nothing."""

    name = "offline-plays"
    topic = "playback"

    def apply(self, session: Session, batch: Sequence[Delivered]) -> None:
        latest: dict[tuple[str, str], datetime] = {}
        for item in batch:
            data = item.event.payload
            at = as_utc(datetime.fromisoformat(data["timestamp"].replace("Z", "+00:00")))
            key = (data["user_id"], data["track_id"])
            if key not in latest or at > latest[key]:
                latest[key] = at
        if latest:
            offline.note_plays(session, latest)

    def forget(self, session: Session, since: datetime | None = None) -> None:
        # Only the latest play is kept, and only forward: a replay from any point rebuilds it.
        return None
