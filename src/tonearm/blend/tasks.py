"""The blend refresh: every active blend last refreshed over REFRESH_AGE ago is mixed again, each
in its own unit of work, so one that fails (logged) leaves the others and its own last good mix.

    refreshed = refresh_blends(runtime.session_factory)             # the due ones
    refreshed = refresh_blends(runtime.session_factory, every=True)  # every active one

or, in a long-running process, hourly in one process at a time: `BlendRefreshJob`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from tonearm.blend.service import Refreshed
from tonearm.blend.service import blend as blend_service
from tonearm.kit.db import unit_of_work
from tonearm.kit.logs import get_logger
from tonearm.kit.time import utcnow
from tonearm.kit.worker import PeriodicJob

__all__ = ["INTERVAL_SECONDS", "REFRESH_AGE", "BlendRefreshJob", "refresh_blends"]

# A blend is mixed again once a day; the job looks for due ones every hour, so each is at most
# an hour late and a server restart does not refresh them all again.
REFRESH_AGE = timedelta(days=1)
INTERVAL_SECONDS = 3600.0
log = get_logger(__name__)

Progress = Callable[[str, Refreshed | None], None]


def refresh_blends(
    session_factory: sessionmaker[Session],
    *,
    every: bool = False,
    now: datetime | None = None,
    progress: Progress | None = None,
) -> list[Refreshed]:
    """Refresh the due blends (or every active one); `progress` hears of each, None for one
    that failed. Returns the refreshes that were done."""
    moment = now or utcnow()
    with unit_of_work(session_factory) as session:
        due = blend_service.due(session, refreshed_before=None if every else moment - REFRESH_AGE)
    done = []
    for blend_id in due:
        result = _refresh_one(session_factory, blend_id, moment)
        if progress is not None:
            progress(blend_id, result)
        if result is not None:
            done.append(result)
    return done


def _refresh_one(session_factory: sessionmaker[Session], blend_id: str, now: datetime) -> Refreshed | None:
    try:
        with unit_of_work(session_factory) as session:
            return blend_service.refresh_by_id(session, blend_id, now=now)
    except Exception:
        log.exception("blend refresh failed; its last mix stays until the next pass", blend_id=blend_id)
        return None


class BlendRefreshJob(PeriodicJob):
    """Refreshes the due blends every `interval_seconds`; counts the playlists that changed."""

    def __init__(
        self, session_factory: sessionmaker[Session], interval_seconds: float = INTERVAL_SECONDS
    ) -> None:
        super().__init__(
            "blend-refresh",
            session_factory,
            lambda: sum(result.changed for result in refresh_blends(session_factory)),
            interval_seconds,
        )
