"""Building a whole generation of the index from the catalog (`tonearm search reindex`)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from tonearm.catalog import Kind
from tonearm.catalog import catalog_feed as feed
from tonearm.kit.time import utcnow
from tonearm.search.documents import to_document
from tonearm.search.index import Cursor, IndexStore, SearchIndex

__all__ = ["Progress", "rebuild"]

Progress = Callable[[int, int], None]
ORDER: tuple[Kind, ...] = ("artist", "album", "track")


def rebuild(
    root: Path,
    session_factory: sessionmaker[Session],
    *,
    progress: Progress | None = None,
    heap_bytes: int = 2_000_000_000,
    threads: int = 1,
) -> tuple[Path, int]:
    """Index every artist, album and track into a new generation, then make it current.
    Returns the generation and how many documents it holds.

    One writer thread with a large memory budget writes one segment (up to a few million
    documents): fuzzy and prefix lookups walk each segment's term dictionary, so a query over
    one segment costs half of one over the four that two threads leave (measured at 1M)."""
    store = IndexStore(root)
    path = store.new_generation()
    index = SearchIndex(path)
    writer = index.writer(heap_bytes=heap_bytes, threads=threads)
    assert writer is not None, "a new generation has no other writer"
    started = utcnow()
    done = 0
    with session_factory() as session:
        # Changes after this point are replayed by the replica that takes the generation over.
        cursor = Cursor(seq=feed.last_change(session), rights_checked_at=started.isoformat())
        total = sum(feed.count(session, kind) for kind in ORDER)
        for kind in ORDER:
            for records in feed.all_records(session, kind):
                for record in records:
                    writer.add_document(to_document(record))
                done += len(records)
                if progress:
                    progress(done, total)
    writer.commit()
    writer.wait_merging_threads()
    cursor.write(path)
    store.publish(path)
    return path, done
