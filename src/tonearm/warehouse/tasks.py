"""The warehouse job: every hour, in one server process at a time, export yesterday and export
again the 30 days before it, since a client may send a play it made offline up to 30 days late
(listening's intake refuses older events). Each day's rewrite is atomic, and a day whose file
would not change is left alone, so a pass over a quiet month writes nothing.

    changed = export_recent(runtime.session_factory, settings)

Days the listening history no longer holds whole (a `listening_history_days` under a month) are
left as they were last exported.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from tonearm.config import Settings
from tonearm.kit.worker import PeriodicJob
from tonearm.warehouse.errors import DayNotExportable
from tonearm.warehouse.export import check_exportable, export_days, yesterday

__all__ = ["EXPORT_INTERVAL", "REEXPORT_DAYS", "ExportJob", "export_recent", "recent_days"]

# How late a play may still arrive, in days (listening.intake's MAX_AGE).
REEXPORT_DAYS = 30
EXPORT_INTERVAL = 3600.0


def _exportable(settings: Settings, day: date, now: datetime | None) -> bool:
    try:
        check_exportable(settings, day, now)
    except DayNotExportable:
        return False
    return True


def recent_days(settings: Settings, now: datetime | None = None) -> list[date]:
    """Yesterday and the REEXPORT_DAYS before it, as far as the listening history reaches."""
    last = yesterday(now)
    days = [last - timedelta(days=back) for back in range(REEXPORT_DAYS, -1, -1)]
    return [day for day in days if _exportable(settings, day, now)]


def export_recent(
    session_factory: sessionmaker[Session], settings: Settings, now: datetime | None = None
) -> int:
    """One pass of the job: how many days' files changed."""
    results = export_days(session_factory, settings, recent_days(settings, now), now=now)
    return sum(result.changed for result in results)


class ExportJob(PeriodicJob):
    def __init__(
        self,
        session_factory: sessionmaker[Session],
        settings: Settings,
        interval_seconds: float = EXPORT_INTERVAL,
    ) -> None:
        super().__init__(
            "warehouse-export",
            session_factory,
            lambda: export_recent(session_factory, settings),
            interval_seconds,
        )
