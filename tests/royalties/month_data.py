"""Small months of counted streams in the warehouse's layout, written straight to Parquet, and
the rights snapshot beside them: what the royalty engine reads."""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from tonearm.royalties.service import RIGHTS_SCHEMA
from tonearm.warehouse import STREAMS_SCHEMA

_ids = itertools.count(1)


def stream(
    user: str,
    track: str,
    at: datetime,
    *,
    market: str = "SE",
    product: str = "premium",
    ms: int = 180_000,
    device: str | None = None,
) -> dict[str, Any]:
    return {
        "stream_id": f"s{next(_ids):08d}",
        "user": user,
        "track_id": track,
        "market": market,
        "product": product,
        "played_at": at,
        "ms_played": ms,
        "device": device if device is not None else f"device-of-{user}",
        "device_type": "computer",
        "offline": False,
    }


def write_streams(root: Path, rows: Iterable[dict[str, Any]]) -> str:
    """One file per UTC day, as the warehouse writes them; answers the glob the engine reads."""
    by_day: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        by_day.setdefault(row["played_at"].astimezone(UTC).date().isoformat(), []).append(row)
    for day, day_rows in by_day.items():
        folder = root / "streams" / f"date={day}"
        folder.mkdir(parents=True, exist_ok=True)
        day_rows.sort(key=lambda row: (row["played_at"], row["stream_id"]))
        pq.write_table(pa.Table.from_pylist(day_rows, schema=STREAMS_SCHEMA), folder / "streams.parquet")
    return str(root / "streams" / "*" / "*.parquet")


def holder(track: str, rightsholder: str, *parties: tuple[str, str, int]) -> list[dict[str, Any]]:
    """A track's rows in the rights snapshot: (party, role, basis points) each, or the implied
    100 % to the rightsholder itself."""
    parties = parties or ((rightsholder, "label", 10_000),)
    return [
        {
            "track_id": track,
            "rightsholder_id": rightsholder.replace(" ", ""),
            "rightsholder_name": rightsholder,
            "party": party,
            "role": role,
            "share_bp": share,
            "artist_ids": [f"artist-{track}"],
        }
        for party, role, share in parties
    ]


def write_rights(path: Path, rows: Iterable[dict[str, Any]]) -> Path:
    pq.write_table(pa.Table.from_pylist(list(rows), schema=RIGHTS_SCHEMA), path)
    return path
