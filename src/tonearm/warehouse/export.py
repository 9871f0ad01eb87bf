"""Counted streams out to one Parquet file per UTC day (the layout and schema: `layout`).

    export_day(runtime.session_factory, settings, date(2026, 3, 1))

Exporting a day again rewrites its file from the plays as they are now (late offline events
included), atomically, and leaves a file alone whose bytes would not change: the same plays
always make the same bytes (rows by played_at then stream id, the same writer settings). A day
listening retention has begun deleting is refused: its file stays as it was last exported.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from itertools import islice
from pathlib import Path
from typing import Any

import pyarrow as pa
from sqlalchemy.orm import Session, sessionmaker

from tonearm.config import Settings
from tonearm.kit.db import unit_of_work
from tonearm.kit.time import utcnow
from tonearm.listening import CountedStream, listening
from tonearm.warehouse.errors import DayNotExportable
from tonearm.warehouse.files import BATCH_ROWS, write_atomically
from tonearm.warehouse.layout import STREAMS_SCHEMA, partition_path, warehouse_root
from tonearm.warehouse.pseudonyms import Pseudonyms

__all__ = ["DEVICE_TYPE", "ExportResult", "check_exportable", "export_day", "export_days", "yesterday"]

# Plays carry no device type yet.
DEVICE_TYPE = "unknown"
ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class ExportResult:
    day: date
    rows: int
    path: Path
    # False when the file already held exactly these rows and was left alone.
    changed: bool = True


def yesterday(now: datetime | None = None) -> date:
    """The last whole UTC day."""
    return (now or utcnow()).date() - ONE_DAY


def _start(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)


def check_exportable(settings: Settings, day: date, now: datetime | None = None) -> None:
    """Raise DayNotExportable for a day in the future or past the listening history."""
    now = now or utcnow()
    if day > now.date():
        raise DayNotExportable(f"{day} is in the future")
    keep = settings.listening_history_days
    if _start(day) < now - timedelta(days=keep):
        raise DayNotExportable(
            f"{day} is past the {keep}-day listening history (TONEARM_LISTENING_HISTORY_DAYS): its "
            "plays are being deleted, so its file stays as it was last exported"
        )


def _batch(streams: Sequence[CountedStream], names: Pseudonyms) -> pa.RecordBatch:
    columns: tuple[list[Any], ...] = (
        [stream.id for stream in streams],
        [names.user(stream.user_id) for stream in streams],
        [stream.track_id for stream in streams],
        [stream.country for stream in streams],
        [stream.product for stream in streams],
        [stream.played_at for stream in streams],
        [stream.ms_played for stream in streams],
        [names.device(stream.device_id) for stream in streams],
        [DEVICE_TYPE] * len(streams),
        [stream.offline for stream in streams],
    )
    arrays = [
        pa.array(values, type=field.type) for values, field in zip(columns, STREAMS_SCHEMA, strict=True)
    ]
    return pa.RecordBatch.from_arrays(arrays, schema=STREAMS_SCHEMA)


class _Counted:
    """The batches of a day's streams, counting the rows that went by."""

    def __init__(self, streams: Iterator[CountedStream], names: Pseudonyms) -> None:
        self.streams, self.names, self.rows = streams, names, 0

    def __iter__(self) -> Iterator[pa.RecordBatch]:
        while chunk := list(islice(self.streams, BATCH_ROWS)):
            self.rows += len(chunk)
            yield _batch(chunk, self.names)


def export_day(
    session_factory: sessionmaker[Session], settings: Settings, day: date, *, now: datetime | None = None
) -> ExportResult:
    """Write the day's counted streams to its partition (no streams: a file with no rows)."""
    check_exportable(settings, day, now)
    path = partition_path(warehouse_root(settings), day)
    with unit_of_work(session_factory) as session:
        batches = _Counted(
            listening.counted_streams(session, _start(day), _start(day + ONE_DAY)),
            Pseudonyms.current(settings),
        )
        changed = write_atomically(path, batches)
    return ExportResult(day=day, rows=batches.rows, path=path, changed=changed)


def export_days(
    session_factory: sessionmaker[Session],
    settings: Settings,
    days: Iterable[date],
    *,
    progress: Callable[[ExportResult], None] | None = None,
    now: datetime | None = None,
) -> list[ExportResult]:
    """Export each day in turn, telling `progress` as each is done. Every day is checked first,
    so one that cannot be exported stops the run before any file is written."""
    days = sorted(set(days))
    for day in days:
        check_exportable(settings, day, now)
    results = []
    for day in days:
        results.append(export_day(session_factory, settings, day, now=now))
        if progress is not None:
            progress(results[-1])
    return results
