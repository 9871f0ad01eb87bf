"""Building a whole generation of the index from the catalog (`tonearm search reindex`)."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from tonearm.backends.eventlog import EventLog, TopicStatus
from tonearm.catalog import Kind, Record
from tonearm.catalog import catalog_feed as feed
from tonearm.events import Topic
from tonearm.kit.time import utcnow
from tonearm.playlists import PlaylistRecord
from tonearm.playlists import all_records as all_playlists
from tonearm.playlists import count_records as count_playlists
from tonearm.search.documents import to_document
from tonearm.search.index import Cursor, IndexStore, SearchIndex

__all__ = ["CATALOG_TOPIC", "ORDER", "Progress", "catalog_status", "rebuild"]

Progress = Callable[[int, int], None]
ORDER: tuple[Kind, ...] = ("artist", "album", "track")
# The topic the catalog's events travel on, which replicas follow.
CATALOG_TOPIC: Topic = "catalog"


def catalog_status(event_log: EventLog) -> TopicStatus | None:
    """The catalog topic's offsets on the log; None while it has no topic yet."""
    return next((topic for topic in event_log.status() if topic.topic == CATALOG_TOPIC), None)


def rebuild(
    root: Path,
    session_factory: sessionmaker[Session],
    *,
    event_log: EventLog | None = None,
    progress: Progress | None = None,
    heap_bytes: int = 2_000_000_000,
    threads: int = 1,
) -> tuple[Path, int]:
    """Index every artist, album, track and public playlist into a new generation, then make it current.
    Returns the generation and how many documents it holds.

    Its cursor is the catalog topic's head on `event_log` before the catalog is read, so the
    replica that takes the generation over replays the events of changes made during the
    build (re-reading a record twice is harmless). Without a log, the cursor keeps only the
    build's start, and the replica finds the offset of that moment on its own log.

    One writer thread with a large memory budget writes one segment (up to a few million
    documents): fuzzy and prefix lookups walk each segment's term dictionary, so a query over
    one segment costs half of one over the four that two threads leave (measured at 1M)."""
    store = IndexStore(root)
    path = store.new_generation()
    index = SearchIndex(path)
    writer = index.writer(heap_bytes=heap_bytes, threads=threads)
    assert writer is not None, "a new generation has no other writer"
    # Taken before the catalog is read: what happens from here on is replayed after the build.
    cursor = _starting_cursor(event_log)
    done = 0
    with session_factory() as session:
        total = sum(feed.count(session, kind) for kind in ORDER) + count_playlists(session)
        batches: list[Iterable[Sequence[Record | PlaylistRecord]]] = [
            *(feed.all_records(session, kind) for kind in ORDER),
            all_playlists(session),
        ]
        for records in itertools.chain(*batches):
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


def _starting_cursor(event_log: EventLog | None) -> Cursor:
    started = utcnow().isoformat()
    if event_log is None:
        return Cursor(offset=None, rights_checked_at=started)
    head = catalog_status(event_log)
    return Cursor(offset=head.last_offset if head is not None else 0, rights_checked_at=started)
