"""Where the warehouse keeps its files and what they hold: a contract with the royalties domain
(and anyone with DuckDB), so a change here is a change to theirs.

    <root>/streams/date=YYYY-MM-DD/streams.parquet

One file per UTC day of `played_at`, hive-style, so a reader globbing `streams_glob(root)` with
hive partitioning sees a `date` column. A day that was exported and had no streams has a file
with the schema and no rows; a day never exported has no folder.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import pyarrow as pa

from tonearm.config import Settings

__all__ = ["STREAMS_FILE", "STREAMS_SCHEMA", "partition_path", "partitions", "streams_glob", "warehouse_root"]

STREAMS_FILE = "streams.parquet"
_PARTITION = re.compile(r"date=(\d{4}-\d{2}-\d{2})")

# Fields are nullable, pyarrow's default, though no value is ever null: a reader's own
# `pa.schema([("stream_id", pa.string()), ...])` then equals this one.
_FIELDS: list[pa.Field[Any]] = [
    pa.field("stream_id", pa.string()),  # the play's id
    pa.field("user", pa.string()),  # pseudonym, or "anonymous"
    pa.field("track_id", pa.string()),
    pa.field("market", pa.string()),  # the play's country
    pa.field("product", pa.string()),
    pa.field("played_at", pa.timestamp("ms", tz="UTC")),
    pa.field("ms_played", pa.int32()),
    pa.field("device", pa.string()),  # pseudonym, or "" for none
    pa.field("device_type", pa.string()),  # "unknown": plays carry none yet
    pa.field("offline", pa.bool_()),
]
STREAMS_SCHEMA = pa.schema(_FIELDS)


def warehouse_root(settings: Settings) -> Path:
    """The warehouse's folder: `warehouse` in the data directory."""
    return settings.data_dir / "warehouse"


def streams_glob(root: Path) -> str:
    """Every day's streams file, as DuckDB's read_parquet (and pyarrow) take a glob."""
    return str(root / "streams" / "*" / "*.parquet")


def partition_path(root: Path, day: date) -> Path:
    return root / "streams" / f"date={day.isoformat()}" / STREAMS_FILE


def partitions(root: Path) -> dict[date, Path]:
    """The days exported so far and their files, oldest first."""
    found = {}
    for path in sorted((root / "streams").glob(f"date=*/{STREAMS_FILE}")):
        match = _PARTITION.fullmatch(path.parent.name)
        if match:
            found[date.fromisoformat(match.group(1))] = path
    return found
