"""Event log in its own SQLite file (sqlite:// URLs): an embedded append-only log for one host.

`sqlite:////abs/path/events.db` (or `sqlite:///relative/events.db`, `?dedupe_window=300`) is a
file of its own, never the app database: the log's write lock and fsyncs must not stall the app's
transactions. The file is in WAL mode with `synchronous=FULL`, so an append is on disk (WAL
fsynced) before it returns and survives a killed process or a power cut. Several processes may
share the file: each append is one `BEGIN IMMEDIATE` transaction, taken under an exclusive
`flock` on a sidecar file (`events.db.lock`), so the writers of all processes queue in the kernel
and the next one starts the moment the last one commits. (Left to SQLite's busy handler, which
sleeps 1, 2, 5, 10 ... ms between tries, two server processes sharing the log took 14,000
events/s where one process alone took 50,000.) The busy timeout still queues any writer that does
not take the lock.

Offsets within a topic are contiguous (duplicates take none, retention removes only the oldest),
and `stored_at` never decreases along them (it is clamped to the topic's newest), so a time maps to
an offset by binary search over the primary key, without a time index to slow appends.

Message ids are de-duplicated within a window, as JetStream does: an id the topic received in the
last `dedupe_window` seconds (300 unless told; and among its last 250,000 messages) is answered as
a duplicate. The window's ids are kept in memory, loaded from the messages table and brought up to
date inside each append's transaction, so appends by other processes count too. A unique index on
(topic, msg_id) would make the rule hold forever, but its random inserts dirty a page per message:
measured here, appends fell from ~150,000 to ~45,000 messages/s.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import sqlite3
import threading
import time
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO
from urllib.parse import parse_qsl, unquote, urlsplit

from tonearm.backends.eventlog import (
    Appended,
    ConsumerPosition,
    Message,
    Outgoing,
    Retention,
    TopicStatus,
    check_name,
    event_logs,
)
from tonearm.errors import BackendError

__all__ = ["SqliteEventLog"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS topics (
    name TEXT PRIMARY KEY,
    max_age REAL,
    max_bytes INTEGER,
    -- The next offset to hand out: kept here so offsets are never reused, even once retention has
    -- emptied the topic.
    next_offset INTEGER NOT NULL DEFAULT 1,
    -- Payload bytes retained, so status and retention need not sum every row.
    bytes INTEGER NOT NULL DEFAULT 0,
    -- The newest stored_at, which later appends never go below.
    last_stored INTEGER NOT NULL DEFAULT 0,
    -- When the topic was made: ids remembered from a topic since deleted are not taken for its.
    created INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS messages (
    topic TEXT NOT NULL,
    "offset" INTEGER NOT NULL,
    msg_id TEXT NOT NULL,
    type TEXT NOT NULL,
    payload BLOB NOT NULL,
    stored_at INTEGER NOT NULL, -- microseconds since the Unix epoch, UTC
    size INTEGER NOT NULL,
    PRIMARY KEY (topic, "offset")
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS positions (
    "group" TEXT NOT NULL,
    topic TEXT NOT NULL,
    position INTEGER NOT NULL,
    PRIMARY KEY ("group", topic)
) WITHOUT ROWID;
"""

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICRO = timedelta(microseconds=1)
# How often `wait` looks for appends made by other processes (this process's appends wake it at
# once); a look is one primary-key read.
_POLL_SECONDS = 0.025
# Retention deletes at most this many rows per transaction, so appends are not locked out long.
_DELETE_CHUNK = 50_000
# The de-duplication window holds at most this many ids per topic (about 60 MB), whatever its
# length in seconds: at full speed 300 s would be tens of millions.
MAX_WINDOW_IDS = 250_000


def _micros(moment: datetime) -> int:
    """Whole microseconds since the epoch; a naive datetime is taken as UTC, like stored_at."""
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    return (aware - _EPOCH) // _MICRO


def _now_micros() -> int:
    return time.time_ns() // 1000


@dataclass(frozen=True, slots=True)
class _Topic:
    first: int
    next: int
    bytes: int
    last_stored: int
    created: int
    retention: Retention

    @property
    def last(self) -> int:
        return self.next - 1

    def clamp(self, offset: int) -> int:
        """A position within what the topic holds: from just before its oldest to its newest."""
        if offset < 0:
            raise ValueError(f"an offset is 0 or more, got {offset}")
        return max(self.first - 1, min(offset, self.last))


class _Window:
    """The ids one topic received within the de-duplication window and their offsets, oldest
    first, up to offset `upto`."""

    def __init__(self, created: int) -> None:
        self.created = created
        self.upto = 0
        self.offsets: dict[str, int] = {}
        self._order: deque[str] = deque()
        # (stored_at, newest offset stored then), oldest first: what ages out together.
        self._times: deque[tuple[int, int]] = deque()

    def add(self, offsets: dict[str, int], stored: int, upto: int) -> None:
        """A batch stored at `stored`, `offsets` in offset order, ending at offset `upto`."""
        # The append looked every id up here first, so none of them is in the window yet.
        self._order.extend(offsets)
        self.offsets.update(offsets)
        self._times.append((stored, upto))
        self.upto = upto

    def catch_up(self, rows: list[tuple[str, int, int]]) -> None:
        """Rows (msg_id, offset, stored_at) that others appended after `upto`, oldest first."""
        for message_id, offset, stored in rows:
            if self.offsets.setdefault(message_id, offset) == offset:
                self._order.append(message_id)
            if not self._times or self._times[-1][0] != stored:
                self._times.append((stored, offset))
            else:
                self._times[-1] = (stored, offset)
            self.upto = offset

    def forget(self, horizon: int, keep: int) -> None:
        """Drop ids stored before `horizon` (microseconds), and the oldest beyond `keep`."""
        while self._times and self._times[0][0] < horizon:
            through = self._times.popleft()[1]
            while self._order and self.offsets[self._order[0]] <= through:
                del self.offsets[self._order.popleft()]
        while len(self._order) > keep:
            del self.offsets[self._order.popleft()]


class _Pending:
    """One call's messages waiting in the group-commit queue, and, once written, its answers."""

    __slots__ = ("answers", "done", "error", "messages", "topic")

    def __init__(self, topic: str, messages: Sequence[Outgoing]) -> None:
        self.topic, self.messages = topic, messages
        self.done = False
        self.answers: list[Appended] = []
        self.error: BackendError | None = None

    def finish(self, answers: list[Appended], error: BackendError | None = None) -> None:
        self.answers, self.error, self.done = answers, error, True


class SqliteEventLog:
    def __init__(self, path: Path, *, dedupe_window: float = 300.0) -> None:
        if dedupe_window <= 0:
            raise ValueError(f"dedupe_window must be positive, got {dedupe_window}")
        self.path = path
        self._window_micros = round(dedupe_window * 1_000_000)
        # Only touched under the write lock.
        self._windows: dict[str, _Window] = {}
        path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._connections_lock = threading.Lock()
        # Threads of this process take turns here, and processes on the lock file's flock.
        self._write_lock = threading.Lock()
        self._lock_path = path.with_name(path.name + ".lock")
        self._lock_file: tuple[int, IO[bytes]] | None = None
        # Appends waiting for the writer, taken together by the next one to hold it.
        self._queue: list[_Pending] = []
        self._queue_lock = threading.Lock()
        # Bumped on every append so `wait` in this process wakes without polling.
        self._appended = threading.Condition()
        self._generation = 0
        self._closed = False
        with self._errors("open"):
            self._db().executescript(_SCHEMA)

    # -- topics and appends ---------------------------------------------------------------------

    def ensure_topic(self, topic: str, retention: Retention = Retention()) -> None:
        check_name(topic)
        with self._write("ensure_topic") as db:
            db.execute(
                "INSERT INTO topics (name, max_age, max_bytes, created) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (name) DO UPDATE SET max_age = excluded.max_age, max_bytes = excluded.max_bytes",
                (topic, retention.max_age_seconds, retention.max_bytes, time.time_ns()),
            )

    def append(self, topic: str, messages: Sequence[Outgoing]) -> list[Appended]:
        """An unknown topic is created, keeping everything."""
        check_name(topic)
        if not messages:
            return []
        pending = _Pending(topic, messages)
        with self._queue_lock:
            self._queue.append(pending)
        with self._writer():
            # Group commit: whoever holds the writer writes every append queued meanwhile, in one
            # transaction and one fsync; the threads whose appends it took find them done.
            if not pending.done:
                self._write_queued()
        with self._appended:
            self._generation += 1
            self._appended.notify_all()
        if pending.error is not None:
            raise pending.error
        return pending.answers

    def _write_queued(self) -> None:
        with self._queue_lock:
            queued, self._queue = self._queue, []
        by_topic: dict[str, list[_Pending]] = {}
        for pending in queued:
            by_topic.setdefault(pending.topic, []).append(pending)
        try:
            written = []
            with self._errors("append"), self._transaction("BEGIN IMMEDIATE") as db:
                for topic, pendings in by_topic.items():
                    messages = [message for pending in pendings for message in pending.messages]
                    written.append((pendings, self._append(db, topic, messages)))
        except BackendError as error:
            for pending in queued:
                pending.finish([], error)
            return
        for pendings, (window, answers, fresh, stored, upto) in written:
            # Only once committed: the window must not hold ids that a failed append never stored.
            window.add(fresh, stored, upto)
            start = 0
            for pending in pendings:
                pending.finish(answers[start : start + len(pending.messages)])
                start += len(pending.messages)

    def _append(
        self, db: sqlite3.Connection, topic: str, messages: Sequence[Outgoing]
    ) -> tuple[_Window, list[Appended], dict[str, int], int, int]:
        state = self._topic(db, topic, create=True)
        assert state is not None
        window = self._window(db, topic, state)
        known = window.offsets
        fresh: dict[str, int] = {}
        stored = max(_now_micros(), state.last_stored)
        offset, size, rows, answers = state.next, 0, [], []
        for message in messages:
            earlier = known.get(message.id) or fresh.get(message.id)
            if earlier is not None:
                answers.append(Appended(earlier, True))
                continue
            fresh[message.id] = offset
            length = len(message.payload)
            rows.append((topic, offset, message.id, message.type, message.payload, stored, length))
            answers.append(Appended(offset, False))
            offset, size = offset + 1, size + length
        db.executemany("INSERT INTO messages VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
        db.execute(
            "UPDATE topics SET next_offset = ?, bytes = bytes + ?, last_stored = ? WHERE name = ?",
            (offset, size, stored, topic),
        )
        return window, answers, fresh, stored, offset - 1

    def _window(self, db: sqlite3.Connection, topic: str, state: _Topic) -> _Window:
        """The topic's de-duplication window, with what other processes appended since."""
        window = self._windows.get(topic)
        if window is None or window.created != state.created or window.upto > state.last:
            window = self._windows[topic] = _Window(state.created)
            horizon = _now_micros() - self._window_micros
            start = max(state.next - MAX_WINDOW_IDS, self._first_stored_from(db, topic, state, horizon))
            window.upto = start - 1
        if window.upto < state.last:
            rows = db.execute(
                'SELECT msg_id, "offset", stored_at FROM messages WHERE topic = ? AND "offset" > ? '
                'ORDER BY "offset"',
                (topic, window.upto),
            )
            window.catch_up(rows.fetchall())
        window.forget(_now_micros() - self._window_micros, MAX_WINDOW_IDS)
        return window

    # -- reading --------------------------------------------------------------------------------

    def read(self, topic: str, *, after: int, limit: int = 1000) -> list[Message]:
        check_name(topic)
        with self._errors("read"):
            rows = self._db().execute(
                'SELECT "offset", msg_id, type, payload, stored_at FROM messages '
                'WHERE topic = ? AND "offset" > ? ORDER BY "offset" LIMIT ?',
                (topic, after, max(limit, 0)),
            )
            return _messages(topic, rows.fetchall())

    def wait(self, topic: str, *, after: int, timeout: float) -> bool:
        check_name(topic)
        deadline = time.monotonic() + timeout
        while True:
            with self._appended:
                generation = self._generation
            if self._last_offset(topic) > after:
                return True
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            with self._appended:
                if self._generation == generation:
                    self._appended.wait(min(remaining, _POLL_SECONDS))

    def _last_offset(self, topic: str) -> int:
        with self._errors("wait"):
            row = self._db().execute("SELECT next_offset FROM topics WHERE name = ?", (topic,)).fetchone()
        return int(row[0]) - 1 if row else 0

    def offset_at(self, topic: str, moment: datetime) -> int:
        check_name(topic)
        with self._read("offset_at") as db:
            state = self._topic(db, topic)
            if state is None:
                return 0
            return self._first_stored_from(db, topic, state, _micros(moment)) - 1

    @staticmethod
    def _first_stored_from(db: sqlite3.Connection, topic: str, state: _Topic, micros: int) -> int:
        """The oldest retained offset stored at or after `micros` (one past the newest if none):
        a binary search, as stored_at never decreases along the topic's contiguous offsets."""
        low, high = state.first, state.next
        while low < high:
            middle = (low + high) // 2
            row = db.execute(
                'SELECT stored_at FROM messages WHERE topic = ? AND "offset" = ?', (topic, middle)
            ).fetchone()
            if row[0] >= micros:
                high = middle
            else:
                low = middle + 1
        return low

    # -- consumer positions ---------------------------------------------------------------------

    def position(self, group: str, topic: str) -> int:
        check_name(group, "group")
        check_name(topic)
        with self._errors("position"):
            row = (
                self._db()
                .execute('SELECT position FROM positions WHERE "group" = ? AND topic = ?', (group, topic))
                .fetchone()
            )
        return int(row[0]) if row else 0

    def commit(self, group: str, topic: str, offset: int) -> None:
        """Positions only move forward here (a late commit from a slower worker is ignored); an
        offset beyond the newest message is taken as the newest."""
        self._place(group, topic, offset, forward_only=True)

    def seek(self, group: str, topic: str, offset: int) -> None:
        """The position is kept within what the topic holds, as with `commit`."""
        self._place(group, topic, offset, forward_only=False)

    def _place(self, group: str, topic: str, offset: int, *, forward_only: bool) -> None:
        check_name(group, "group")
        check_name(topic)
        keep = "max(position, excluded.position)" if forward_only else "excluded.position"
        with self._write("commit" if forward_only else "seek") as db:
            state = self._topic(db, topic, create=True)
            assert state is not None
            db.execute(
                'INSERT INTO positions ("group", topic, position) VALUES (?, ?, ?) '
                f'ON CONFLICT ("group", topic) DO UPDATE SET position = {keep}',
                (group, topic, state.clamp(offset)),
            )

    # -- retention and reports ------------------------------------------------------------------

    def enforce_retention(self, topic: str) -> int:
        check_name(topic)
        dropped = 0
        while True:
            with self._write("enforce_retention") as db:
                count = self._drop_expired(db, topic)
            dropped += count
            if count < _DELETE_CHUNK:
                return dropped

    def _drop_expired(self, db: sqlite3.Connection, topic: str) -> int:
        state = self._topic(db, topic)
        if state is None:
            return 0
        cut = min(self._cut(db, topic, state), state.first + _DELETE_CHUNK - 1)
        if cut < state.first:
            return 0
        size = db.execute(
            'SELECT total(size) FROM messages WHERE topic = ? AND "offset" <= ?', (topic, cut)
        ).fetchone()[0]
        db.execute('DELETE FROM messages WHERE topic = ? AND "offset" <= ?', (topic, cut))
        db.execute("UPDATE topics SET bytes = bytes - ? WHERE name = ?", (int(size), topic))
        return cut - state.first + 1

    def _cut(self, db: sqlite3.Connection, topic: str, state: _Topic) -> int:
        """The newest offset that retention no longer keeps (below `first` when none)."""
        cut = state.first - 1
        max_age, max_bytes = state.retention.max_age_seconds, state.retention.max_bytes
        if max_age is not None:
            horizon = _now_micros() - round(max_age * 1_000_000)
            cut = max(cut, self._first_stored_from(db, topic, state, horizon) - 1)
        if max_bytes is not None and state.bytes > max_bytes:
            cut = max(cut, self._oldest_covering(db, topic, state.bytes - max_bytes))
        return cut

    @staticmethod
    def _oldest_covering(db: sqlite3.Connection, topic: str, excess: int) -> int:
        """The offset up to which the oldest messages hold at least `excess` payload bytes."""
        rows = db.execute('SELECT "offset", size FROM messages WHERE topic = ? ORDER BY "offset"', (topic,))
        total, last = 0, 0
        for offset, size in rows:
            total, last = total + size, offset
            if total >= excess:
                break
        return int(last)

    def status(self) -> list[TopicStatus]:
        with self._read("status") as db:
            names = [row[0] for row in db.execute("SELECT name FROM topics ORDER BY name")]
            return [self._status(name, self._topic(db, name)) for name in names]

    @staticmethod
    def _status(topic: str, state: _Topic | None) -> TopicStatus:
        assert state is not None
        return TopicStatus(
            topic=topic,
            first_offset=state.first,
            last_offset=state.last,
            messages=state.next - state.first,
            bytes=state.bytes,
            retention=state.retention,
        )

    def consumers(self) -> list[ConsumerPosition]:
        with self._read("consumers") as db:
            rows = db.execute('SELECT "group", topic, position FROM positions ORDER BY "group", topic')
            return [self._consumer(db, group, topic, position) for group, topic, position in rows.fetchall()]

    def _consumer(self, db: sqlite3.Connection, group: str, topic: str, position: int) -> ConsumerPosition:
        state = self._topic(db, topic)
        lag = state.last - max(position, state.first - 1) if state else 0
        return ConsumerPosition(group=group, topic=topic, position=position, lag=lag)

    def delete_topic(self, topic: str) -> None:
        """Drop the topic with its messages and group positions (for tests and operators)."""
        check_name(topic)
        with self._write("delete_topic") as db:
            for table, column in (("messages", "topic"), ("positions", "topic"), ("topics", "name")):
                db.execute(f"DELETE FROM {table} WHERE {column} = ?", (topic,))
            self._windows.pop(topic, None)

    def close(self) -> None:
        self._closed = True
        if self._lock_file is not None and self._lock_file[0] == os.getpid():
            self._lock_file[1].close()
        with self._connections_lock:
            for connection in self._connections:
                connection.close()
            self._connections.clear()

    # -- plumbing -------------------------------------------------------------------------------

    @staticmethod
    def _topic(db: sqlite3.Connection, topic: str, *, create: bool = False) -> _Topic | None:
        if create:
            db.execute(
                "INSERT INTO topics (name, created) VALUES (?, ?) ON CONFLICT (name) DO NOTHING",
                (topic, time.time_ns()),
            )
        row = db.execute(
            "SELECT next_offset, bytes, last_stored, created, max_age, max_bytes, "
            '(SELECT min("offset") FROM messages WHERE topic = name) FROM topics WHERE name = ?',
            (topic,),
        ).fetchone()
        if row is None:
            return None
        next_offset, size, last_stored, created, max_age, max_bytes, first = row
        return _Topic(
            first=next_offset if first is None else first,
            next=next_offset,
            bytes=size,
            last_stored=last_stored,
            created=created,
            retention=Retention(max_age_seconds=max_age, max_bytes=max_bytes),
        )

    def _db(self) -> sqlite3.Connection:
        """This thread's connection: SQLite connections are not shared between threads, and in WAL
        mode readers on their own connections do not wait for the writer."""
        if self._closed:
            raise BackendError(f"event log on {self.path} is closed")
        connection: sqlite3.Connection | None = getattr(self._local, "connection", None)
        if connection is None:
            connection = self._connect()
            self._local.connection = connection
        return connection

    def _connect(self) -> sqlite3.Connection:
        # isolation_level=None: transactions are begun explicitly, IMMEDIATE for writes.
        connection = sqlite3.connect(self.path, timeout=10.0, isolation_level=None, check_same_thread=False)
        connection.execute("PRAGMA journal_mode = WAL")
        connection.execute("PRAGMA synchronous = FULL")
        with self._connections_lock:
            self._connections.append(connection)
        return connection

    @contextlib.contextmanager
    def _write(self, action: str) -> Iterator[sqlite3.Connection]:
        with self._writer(), self._errors(action), self._transaction("BEGIN IMMEDIATE") as db:
            yield db

    @contextlib.contextmanager
    def _writer(self) -> Iterator[None]:
        """The one writer of this file among every thread and process that uses this class."""
        with self._write_lock:
            if self._closed:
                raise BackendError(f"event log on {self.path} is closed")
            lock = self._process_lock()
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def _process_lock(self) -> IO[bytes]:
        # Opened once per process: a forked worker must not share its parent's open file, whose
        # flock the two would then hold together.
        if self._lock_file is None or self._lock_file[0] != os.getpid():
            with self._errors("lock"):
                try:
                    self._lock_file = (os.getpid(), self._lock_path.open("ab"))
                except OSError as error:
                    raise sqlite3.OperationalError(str(error)) from error
        return self._lock_file[1]

    @contextlib.contextmanager
    def _read(self, action: str) -> Iterator[sqlite3.Connection]:
        """One snapshot for reads that take several statements."""
        with self._errors(action), self._transaction("BEGIN") as db:
            yield db

    @contextlib.contextmanager
    def _transaction(self, begin: str) -> Iterator[sqlite3.Connection]:
        db = self._db()
        db.execute(begin)
        try:
            yield db
            db.execute("COMMIT")
        except BaseException:
            # Also after a failed COMMIT, so the connection is not left inside a transaction.
            if db.in_transaction:
                with contextlib.suppress(sqlite3.Error):
                    db.execute("ROLLBACK")
            raise

    @contextlib.contextmanager
    def _errors(self, action: str) -> Iterator[None]:
        try:
            yield
        except sqlite3.Error as error:
            raise BackendError(f"event log {action} failed on {self.path}: {error}") from error


def _messages(topic: str, rows: list[tuple[int, str, str, bytes, int]]) -> list[Message]:
    # A batch shares one stored_at, so each distinct time is turned into a datetime once.
    moments: dict[int, datetime] = {}
    messages = []
    for offset, message_id, kind, payload, stored in rows:
        moment = moments.get(stored)
        if moment is None:
            moment = moments[stored] = _EPOCH + timedelta(microseconds=stored)
        messages.append(Message(topic, offset, message_id, kind, payload, moment))
    return messages


def _path(url: str) -> Path:
    """`sqlite:////abs/file.db` is /abs/file.db, `sqlite:///rel/file.db` is rel/file.db."""
    path = unquote(urlsplit(url).path)[1:]
    if not path or path == ":memory:":
        raise ValueError(f"an event log URL names a file, like sqlite:////var/tonearm/events.db; got '{url}'")
    return Path(path)


def _dedupe_window(url: str) -> float:
    query = dict(parse_qsl(urlsplit(url).query))
    window = query.pop("dedupe_window", "300")
    if query:
        raise ValueError(f"unknown event log option(s) {sorted(query)} in '{url}'; known: dedupe_window")
    try:
        return float(window)
    except ValueError:
        raise ValueError(f"event log option dedupe_window={window!r} in '{url}' is not seconds") from None


@event_logs.register("sqlite")
def _open(url: str) -> SqliteEventLog:
    return SqliteEventLog(_path(url), dedupe_window=_dedupe_window(url))
