"""A search replica: the index one API node reads, kept current by the catalog's events.

Each node holds its own replica on local disk and follows the event log's catalog topic from the
offset in its own cursor (not a consumer group: every node needs every event). Of the processes
of one node, the first to take the current generation's write lock follows the log (reading it
every `poll_seconds`) and commits; the others only reload when a commit lands. With no
generation on disk yet, the writer builds one from the catalog. A rebuild by the CLI is noticed
and taken over.

An event is applied by re-reading the current record of each entity it names, so replaying one
is harmless. Time passing opens and closes rights windows without an event; those tracks are
asked for by time. A replica that finds it missed events (retention dropped them before it read
them, or the log is not the one its cursor was on) rebuilds itself from the catalog.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

import tantivy
from sqlalchemy.orm import Session, sessionmaker

from tonearm.backends.eventlog import EventLog, Message
from tonearm.catalog import Kind, TrackRecord
from tonearm.catalog import catalog_feed as feed
from tonearm.events import decode
from tonearm.kit.logs import get_logger
from tonearm.kit.time import utcnow
from tonearm.playlists import public_records
from tonearm.search.build import CATALOG_TOPIC, catalog_status, rebuild
from tonearm.search.documents import document_key, to_document
from tonearm.search.index import Cursor, IndexStore, SearchIndex

__all__ = ["SearchReplica", "named_entities"]

BATCH = 1000
WRITER_RETRY_SECONDS = 2.0
# An idle poll leaves the cursor on disk alone this long: a restart merely re-checks that window.
CURSOR_WRITE_SECONDS = 10.0
# How often an idle writer asks the log whether retention passed its offset by; a read that
# finds messages tells at once.
RETENTION_CHECK_SECONDS = 10.0
# Tracks first: an album's record depends on its tracks' rights.
_ORDER: tuple[Kind, ...] = ("track", "album", "artist")
_KINDS = (*_ORDER, "playlist")
_TRACK_EVENTS = frozenset({"track.changed", "track.taken_down", "track.restored", "rights.changed"})
log = get_logger(__name__)


def named_entities(messages: Sequence[Message]) -> dict[str, set[str]]:
    """The tracks, albums, artists and playlists whose records the catalog's events say have
    changed."""
    wanted: dict[str, set[str]] = defaultdict(set)
    for message in messages:
        try:
            event = decode(message.payload)
        except ValueError:
            event = None
        if event is None:
            log.warning("skipping an event this code does not know", type=message.type, offset=message.offset)
            continue
        data = event.payload
        if event.name == "track.published":
            wanted["track"].add(data["track_id"])
            wanted["album"].add(data["album_id"])
            wanted["artist"].update(data["artist_ids"])
        elif event.name in _TRACK_EVENTS:
            wanted["track"].add(data["track_id"])
            wanted["album"].add(data["album_id"])
        elif event.name == "album.changed":
            wanted["album"].add(data["id"])
        elif event.name == "artist.changed":
            wanted["artist"].add(data["id"])
        elif event.name == "playlist.changed" and set(data.get("fields", ())) != {"items"}:
            # A playlist is found by its name, description and owner, not by its items: the
            # adds and moves of a busy playlist cost the index nothing.
            wanted["playlist"].add(data["playlist_id"])
    return wanted


class SearchReplica:
    def __init__(
        self,
        root: Path,
        session_factory: sessionmaker[Session],
        event_log: EventLog,
        *,
        poll_seconds: float = 0.1,
    ) -> None:
        self.store = IndexStore(root)
        self.session_factory = session_factory
        self.event_log = event_log
        self.poll_seconds = poll_seconds
        self.index: SearchIndex | None = None
        self._writer: tantivy.IndexWriter | None = None
        self._cursor = Cursor()
        self._seen_commit = 0.0
        self._writer_tried = 0.0
        self._cursor_written = 0.0
        self._retention_checked = 0.0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    # The replica's life: a background thread in a server, `sync()` in the CLI and tests.

    def start(self) -> None:
        self._stop.clear()
        self._contained_sync()
        self._thread = threading.Thread(target=self._run, name="search-replica", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
        with self._lock:
            self._writer = None
            self.index = None

    def _run(self) -> None:
        while not self._stop.wait(self.poll_seconds):
            self._contained_sync()

    def _contained_sync(self) -> None:
        try:
            self.sync()
        except Exception:  # a database or log that is down must not stop the server; the next poll retries
            log.exception("search replica could not sync")

    def searcher(self) -> tantivy.Searcher | None:
        index = self.index
        return index.searcher() if index is not None else None

    def sync(self) -> int:
        """One round: follow a rebuild, apply new events (or reload another writer's commit).
        Returns how many entities were re-indexed."""
        with self._lock:
            self._follow_generation()
            if self.index is None:
                return 0
            if self._writer is None:
                self._reload_if_committed()
                self._try_to_write()
                return 0
            return self._apply_events()

    def _follow_generation(self) -> None:
        current = self.store.current()
        if current is None:
            current = self._rebuild()
        if self.index is not None and self.index.path == current:
            return
        self._writer = None
        self.index = SearchIndex(current)
        self._seen_commit = self.index.committed_at()
        self._writer_tried = 0.0
        self._try_to_write()
        if self._writer is not None:
            self.store.remove_stale(keep=current)

    def _rebuild(self) -> Path:
        current, count = rebuild(
            self.store.root,
            self.session_factory,
            event_log=self.event_log,
            heap_bytes=50_000_000,
            threads=1,
        )
        log.info("search index built", generation=current.name, documents=count)
        return current

    def _try_to_write(self) -> None:
        assert self.index is not None
        if time.monotonic() - self._writer_tried < WRITER_RETRY_SECONDS:
            return
        self._writer_tried = time.monotonic()
        self._writer = self.index.writer()
        if self._writer is not None:
            self._cursor = Cursor.read(self.index.path)
            if self._cursor.offset is None:
                # Built without the log at hand: start from the build's start.
                self._cursor.offset = self.event_log.offset_at(CATALOG_TOPIC, self._cursor.checked_at())
            # A writer that takes over may have been away long: look at retention at once.
            self._retention_checked = 0.0

    def _reload_if_committed(self) -> None:
        assert self.index is not None
        committed = self.index.committed_at()
        if committed != self._seen_commit:
            self._seen_commit = committed
            self.index.reload()

    def _apply_events(self) -> int:
        assert self.index is not None and self._writer is not None
        now = utcnow()
        offset = self._cursor.offset or 0
        messages = self.event_log.read(CATALOG_TOPIC, after=offset, limit=BATCH)
        if self._missed_events(offset, messages):
            self._rebuild()
            self._follow_generation()
            return 0
        wanted = named_entities(messages)
        with self.session_factory() as session:
            wanted["track"].update(feed.rights_turning(session, self._cursor.checked_at(), now))
            applied = self._reindex(session, wanted)
        self._advance(messages, now)
        if applied:
            self._writer.commit()
            self.index.reload()
        if messages or applied or time.monotonic() - self._cursor_written > CURSOR_WRITE_SECONDS:
            self._cursor.write(self.index.path)
            self._cursor_written = time.monotonic()
        return applied

    def _missed_events(self, offset: int, messages: Sequence[Message]) -> bool:
        """Whether events after `offset` are gone from the log before this replica read them.
        Offsets are dense, so a first message past `offset + 1` says so; with nothing to read,
        the topic's own offsets are asked now and then."""
        if messages:
            missed = messages[0].offset > offset + 1
        elif time.monotonic() - self._retention_checked < RETENTION_CHECK_SECONDS:
            return False
        else:
            self._retention_checked = time.monotonic()
            status = catalog_status(self.event_log)
            first, last = (status.first_offset, status.last_offset) if status is not None else (1, 0)
            # Below the first: retention passed it by; above the last: a log it never followed.
            missed = offset < first - 1 or offset > last
        if missed:
            log.warning("search replica missed catalog events; rebuilding from the catalog", offset=offset)
        return missed

    def _reindex(self, session: Session, wanted: dict[str, set[str]]) -> int:
        assert self._writer is not None
        applied = 0
        for kind in _KINDS:
            ids = sorted(wanted.get(kind, ()))
            if not ids:
                continue
            found = public_records(session, ids) if kind == "playlist" else feed.records(session, kind, ids)  # type: ignore[arg-type]
            records = {record.id: record for record in found}
            for entity_id in ids:
                self._writer.delete_documents_by_term("key", document_key(kind, entity_id))
                record = records.get(entity_id)
                if record is not None:
                    self._writer.add_document(to_document(record))
                if isinstance(record, TrackRecord):
                    wanted["album"].add(record.album.id)
            applied += len(ids)
        return applied

    def _advance(self, messages: Sequence[Message], checked_until: datetime) -> None:
        if messages:
            self._cursor.offset = messages[-1].offset
        self._cursor.rights_checked_at = checked_until.isoformat()
