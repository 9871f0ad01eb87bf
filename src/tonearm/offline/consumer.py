"""The offline domain's consumers: of the playback topic, each listener's latest play of each
track, which decides what a full device evicts first (offline plays count as they happened);
of the catalog topic, the tracks whose rights changed, which the next check-ins read again."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.orm import Session

from tonearm.kit.consumers import Delivered
from tonearm.kit.time import as_utc
from tonearm.offline.service import offline

__all__ = ["OfflinePlaysConsumer", "OfflineRightsConsumer"]

RIGHTS_EVENTS = frozenset({"track.taken_down", "rights.changed"})


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


class OfflineRightsConsumer:
    """Notes the tracks the catalog topic says were taken down or had their rights changed, so
    the next check-in of a device holding one reads its playability again. Idempotent: a track
    noted twice is noted once, at the later time."""

    name = "offline-rights"
    topic = "catalog"

    def apply(self, session: Session, batch: Sequence[Delivered]) -> None:
        named = [item.event.payload["track_id"] for item in batch if item.event.name in RIGHTS_EVENTS]
        offline.note_rights_changed(session, named)

    def forget(self, session: Session, since: datetime | None = None) -> None:
        # A replay notes the tracks again; a note that is not there only waits for the daily check.
        return None
