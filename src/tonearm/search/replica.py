"""A search replica: the index one API node reads, kept current by the catalog's change feed.

Each node holds its own replica on local disk. Of the processes of one node, the first to take
the current generation's write lock follows the change feed (polling it every `poll_seconds`)
and commits; the others only reload when a commit lands. With no generation on disk yet, the
writer builds one from the catalog. A rebuild by the CLI is noticed and taken over.

Changes are applied by re-reading each entity's current record, so replaying one is harmless.
On PostgreSQL, sequence numbers can commit out of order: a number skipped over is asked for
again for `GAP_SECONDS` before it is taken to be a rolled-back transaction.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from datetime import datetime
from pathlib import Path

import tantivy
from sqlalchemy.orm import Session, sessionmaker

from tonearm.catalog import Change, Kind, TrackRecord
from tonearm.catalog import catalog_feed as feed
from tonearm.kit.logs import get_logger
from tonearm.kit.time import utcnow
from tonearm.search.build import rebuild
from tonearm.search.documents import document_key, to_document
from tonearm.search.index import Cursor, IndexStore, SearchIndex

__all__ = ["SearchReplica"]

GAP_SECONDS = 10.0
# A jump wider than this is a pruned or restarted feed, not transactions in flight.
MAX_GAP_SPAN = 1000
WRITER_RETRY_SECONDS = 2.0
# An idle poll leaves the cursor on disk alone this long: a restart merely re-checks that window.
CURSOR_WRITE_SECONDS = 10.0
log = get_logger(__name__)


class SearchReplica:
    def __init__(
        self, root: Path, session_factory: sessionmaker[Session], *, poll_seconds: float = 0.1
    ) -> None:
        self.store = IndexStore(root)
        self.session_factory = session_factory
        self.poll_seconds = poll_seconds
        self.index: SearchIndex | None = None
        self._writer: tantivy.IndexWriter | None = None
        self._cursor = Cursor()
        self._gaps: dict[int, float] = {}
        self._seen_commit = 0.0
        self._writer_tried = 0.0
        self._cursor_written = 0.0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    # The replica's life: a background thread in a server, `sync()` in the CLI and tests.

    def start(self) -> None:
        self._stop.clear()
        self.sync()
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
            try:
                self.sync()
            except Exception:  # the loop must outlive a database hiccup; the next poll retries
                log.exception("search replica could not sync")

    def searcher(self) -> tantivy.Searcher | None:
        index = self.index
        return index.searcher() if index is not None else None

    def sync(self) -> int:
        """One round: follow a rebuild, apply new changes (or reload another writer's commit).
        Returns how many entities were re-indexed."""
        with self._lock:
            self._follow_generation()
            if self.index is None:
                return 0
            if self._writer is None:
                self._reload_if_committed()
                self._try_to_write()
                return 0
            return self._apply_changes()

    def _follow_generation(self) -> None:
        current = self.store.current()
        if current is None:
            current, count = rebuild(self.store.root, self.session_factory, heap_bytes=50_000_000, threads=1)
            log.info("search index built", generation=current.name, documents=count)
        if self.index is not None and self.index.path == current:
            return
        self._writer = None
        self.index = SearchIndex(current)
        self._seen_commit = self.index.committed_at()
        self._writer_tried = 0.0
        self._try_to_write()
        if self._writer is not None:
            self.store.remove_stale(keep=current)

    def _try_to_write(self) -> None:
        assert self.index is not None
        if time.monotonic() - self._writer_tried < WRITER_RETRY_SECONDS:
            return
        self._writer_tried = time.monotonic()
        self._writer = self.index.writer()
        if self._writer is not None:
            self._cursor = Cursor.read(self.index.path)
            self._gaps = {}

    def _reload_if_committed(self) -> None:
        assert self.index is not None
        committed = self.index.committed_at()
        if committed != self._seen_commit:
            self._seen_commit = committed
            self.index.reload()

    def _apply_changes(self) -> int:
        assert self.index is not None and self._writer is not None
        now = utcnow()
        with self.session_factory() as session:
            changes = feed.changes(session, after=self._cursor.seq, also=list(self._gaps))
            turned = feed.rights_turning(session, self._cursor.checked_at(), now)
            wanted: dict[Kind, set[str]] = defaultdict(set)
            for change in changes:
                wanted[change.kind].add(change.entity_id)
            wanted["track"].update(turned)
            applied = self._reindex(session, wanted)
        self._advance(changes, now)
        if applied:
            self._writer.commit()
            self.index.reload()
        if changes or applied or time.monotonic() - self._cursor_written > CURSOR_WRITE_SECONDS:
            self._cursor.write(self.index.path)
            self._cursor_written = time.monotonic()
        return applied

    def _reindex(self, session: Session, wanted: dict[Kind, set[str]]) -> int:
        assert self._writer is not None
        applied = 0
        # Tracks first: an album's record depends on its tracks' rights.
        for kind in ("track", "album", "artist"):
            ids = sorted(wanted.get(kind, ()))  # type: ignore[call-overload]
            if not ids:
                continue
            records = {record.id: record for record in feed.records(session, kind, ids)}  # type: ignore[arg-type]
            for entity_id in ids:
                self._writer.delete_documents_by_term("key", document_key(kind, entity_id))
                record = records.get(entity_id)
                if record is not None:
                    self._writer.add_document(to_document(record))
                if kind == "track" and isinstance(record, TrackRecord):
                    wanted["album"].add(record.album.id)
            applied += len(ids)
        return applied

    def _advance(self, changes: list[Change], checked_until: datetime) -> None:
        seqs = {change.seq for change in changes}
        for seq in seqs:
            self._gaps.pop(seq, None)
        top = max(seqs, default=self._cursor.seq)
        deadline = time.monotonic() + GAP_SECONDS
        if top - self._cursor.seq <= MAX_GAP_SPAN:
            for missing in range(self._cursor.seq + 1, top):
                if missing not in seqs:
                    self._gaps.setdefault(missing, deadline)
        self._gaps = {seq: until for seq, until in self._gaps.items() if until > time.monotonic()}
        self._cursor.seq = max(top, self._cursor.seq)
        self._cursor.rights_checked_at = checked_until.isoformat()
