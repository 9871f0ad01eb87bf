"""Writing a day's file so that a reader only ever sees a whole one: the rows go to a hidden
temporary file beside it, which is fsynced and then renamed over the old file (`os.replace` is
atomic on POSIX and Windows alike). A crash before the rename leaves the old file as it was; a
stray temporary file is hidden from the `*.parquet` glob and removed by the next write.

A file whose bytes would not change is left alone: the job re-exports a month every hour, and
most days of it are done.
"""

from __future__ import annotations

import os
import secrets
import time
from collections.abc import Callable, Iterable
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from tonearm.warehouse.layout import STREAMS_SCHEMA

__all__ = ["BATCH_ROWS", "read_batches", "write_atomically"]

# Rows per batch, and so per row group of a file.
BATCH_ROWS = 64 * 1024


def _temporary(path: Path) -> Path:
    return path.with_name(f".{path.name}.tmp-{secrets.token_hex(8)}")


def _fsync(path: Path, flags: int = os.O_RDONLY) -> None:
    fd = os.open(path, flags)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _same_bytes(one: Path, other: Path) -> bool:
    # Not filecmp: it remembers every pair it compared, and this runs hourly for good.
    if not other.exists() or one.stat().st_size != other.stat().st_size:
        return False
    with one.open("rb") as a, other.open("rb") as b:
        while True:
            chunk = a.read(1 << 20)
            if chunk != b.read(1 << 20):
                return False
            if not chunk:
                return True


STALE_SECONDS = 3600.0


def _sweep(folder: Path, name: str) -> None:
    """Temporary files a crashed write left behind: only old ones, since another process (the
    server's hourly job beside a royalty run) may be writing the same day right now."""
    cutoff = time.time() - STALE_SECONDS
    for stray in folder.glob(f".{name}.tmp-*"):
        try:
            if stray.stat().st_mtime < cutoff:
                stray.unlink(missing_ok=True)
        except FileNotFoundError:
            continue


def write_atomically(path: Path, batches: Iterable[pa.RecordBatch]) -> bool:
    """Put the rows at `path` (none: a file with the schema and no rows); False when the file
    already held exactly these bytes and was left alone."""
    path.parent.mkdir(parents=True, exist_ok=True)
    _sweep(path.parent, path.name)
    temporary = _temporary(path)
    try:
        # The same settings every time, so the same rows make the same bytes.
        with pq.ParquetWriter(
            temporary, STREAMS_SCHEMA, compression="zstd", use_dictionary=True, write_statistics=True
        ) as writer:
            for batch in batches:
                writer.write_batch(batch)
        if _same_bytes(temporary, path):
            return False
        _fsync(temporary)
        os.replace(temporary, path)
        # The rename itself is durable once the folder is (POSIX; Windows cannot open one).
        if os.name == "posix":
            _fsync(path.parent, os.O_RDONLY | os.O_DIRECTORY)
        return True
    finally:
        temporary.unlink(missing_ok=True)


def read_batches(
    path: Path, keep: Callable[[pa.RecordBatch], pa.Array] | None = None
) -> Iterable[pa.RecordBatch]:
    """A file's rows a batch at a time, each filtered by the mask `keep` answers for it."""
    with pq.ParquetFile(path) as file:
        for batch in file.iter_batches(batch_size=BATCH_ROWS):
            yield batch if keep is None else batch.filter(keep(batch))
