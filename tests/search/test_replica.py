"""The replica follows the catalog's events on the log (SQLite, and NATS where it runs), over a
catalog on SQLite and PostgreSQL: builds, applies, hands writing to one process, takes over a
rebuild, survives a restart, and rebuilds itself when it missed events."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson
import pytest
from sqlalchemy.orm import Session, sessionmaker

from tests.catalog_factory import make_track, publish
from tonearm.backends.eventlog import EventLog, Message, Retention, open_event_log
from tonearm.catalog.feed import feed
from tonearm.catalog.models import Right
from tonearm.events import TRACK_TAKEN_DOWN, encode, make
from tonearm.kit.db import unit_of_work
from tonearm.kit.relay import OutboxRelay
from tonearm.kit.time import utcnow
from tonearm.search.build import CATALOG_TOPIC, catalog_status, rebuild
from tonearm.search.index import Cursor
from tonearm.search.replica import SearchReplica, named_entities
from tonearm.search.service import SearchService


def names(replica: SearchReplica, q: str, market: str | None = None) -> list[str]:
    body = orjson.loads(SearchService(replica).suggest(q, market=market, limit=10))
    return [item["name"] for item in body["items"]]


def follow(replica: SearchReplica) -> int:
    """What a server's outbox relay and its replica do in the background, done now."""
    OutboxRelay(replica.session_factory, replica.event_log).drain()
    return replica.sync()


def generation(replica: SearchReplica) -> Path:
    assert replica.index is not None
    return replica.index.path


@pytest.fixture
def event_log(event_log_url: str) -> Iterator[EventLog]:
    log = open_event_log(event_log_url)
    log.ensure_topic(CATALOG_TOPIC)
    yield log
    log.close()


def test_builds_from_an_existing_catalog_then_follows_the_log(
    session_factory: sessionmaker[Session], event_log: EventLog, tmp_path: Path
) -> None:
    with unit_of_work(session_factory) as session:
        [first] = publish(session, make_track("Already Here", artist_names=("Old Hand",)))
    replica = SearchReplica(tmp_path / "search", session_factory, event_log)
    follow(replica)
    assert "Already Here" in names(replica, "already")
    with unit_of_work(session_factory) as session:
        publish(session, make_track("Brand New", artist_names=("New Kid",)))
        feed.take_down(session, first)
    assert follow(replica) >= 2
    assert "Brand New" in names(replica, "brand new")
    assert names(replica, "already") == []
    with unit_of_work(session_factory) as session:
        assert feed.restore(session, first) == 1
    follow(replica)
    assert "Already Here" in names(replica, "already")
    # The cursor on disk is the offset on the log, so a restart reads on from there.
    head = catalog_status(event_log)
    assert head is not None and Cursor.read(generation(replica)).offset == head.last_offset
    replica.stop()


def test_one_writer_per_index_and_readers_see_its_commits(
    session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    # Each process opens the log for itself.
    url = f"sqlite:///{tmp_path / 'events.db'}"
    writer = SearchReplica(tmp_path / "search", session_factory, open_event_log(url))
    reader = SearchReplica(tmp_path / "search", session_factory, open_event_log(url))
    writer.sync()
    reader.sync()
    with unit_of_work(session_factory) as session:
        publish(session, make_track("Shared Song", artist_names=("Two Workers",)))
    assert follow(reader) == 0  # it does not write: the other holds the lock
    writer.sync()
    time.sleep(0.01)  # a commit changes meta.json's mtime; the reader compares it
    reader.sync()
    assert "Shared Song" in names(reader, "shared")
    writer.stop()
    time.sleep(2.1)  # the reader retries the lock every 2 s and takes over
    with unit_of_work(session_factory) as session:
        publish(session, make_track("After Handover", artist_names=("Two Workers",)))
    follow(reader)
    reader.sync()
    assert "After Handover" in names(reader, "handover")
    writer.event_log.close()
    reader.event_log.close()


@pytest.mark.parametrize("with_log", [True, False], ids=["rebuilt-with-the-log", "rebuilt-by-time"])
def test_a_rebuild_is_taken_over_and_the_restart_resumes(
    session_factory: sessionmaker[Session], sqlite_log: EventLog, tmp_path: Path, with_log: bool
) -> None:
    root = tmp_path / "search"
    replica = SearchReplica(root, session_factory, sqlite_log)
    replica.sync()
    with unit_of_work(session_factory) as session:
        publish(session, make_track("Before Rebuild", artist_names=("Builder",)))
    OutboxRelay(session_factory, sqlite_log).drain()
    # Without the log, as `tonearm search reindex` may be run, the cursor holds the build's start.
    path, count = rebuild(root, session_factory, event_log=sqlite_log if with_log else None)
    assert count == 4  # the track, its album, its artist and the album's artist
    with unit_of_work(session_factory) as session:
        publish(session, make_track("During Switch", artist_names=("Builder",)))
    follow(replica)
    assert generation(replica) == path
    replica.sync()
    assert set(names(replica, "builder")) >= {"Before Rebuild", "During Switch"}
    replica.stop()
    restarted = SearchReplica(root, session_factory, sqlite_log)
    restarted.sync()
    assert generation(restarted) == path
    assert set(names(restarted, "builder")) >= {"Before Rebuild", "During Switch"}


def _drop_everything(log: EventLog) -> None:
    """Retention down to one byte: every message the topic holds goes."""
    log.ensure_topic(CATALOG_TOPIC, Retention(max_bytes=1))
    log.enforce_retention(CATALOG_TOPIC)
    log.ensure_topic(CATALOG_TOPIC)


def test_a_replica_that_reads_past_a_gap_rebuilds_from_the_catalog(
    session_factory: sessionmaker[Session], sqlite_log: EventLog, tmp_path: Path
) -> None:
    replica = SearchReplica(tmp_path / "search", session_factory, sqlite_log)
    follow(replica)
    built = generation(replica)
    with unit_of_work(session_factory) as session:
        publish(session, make_track("Lost Event", artist_names=("Gone",)))
    OutboxRelay(session_factory, sqlite_log).drain()
    _drop_everything(sqlite_log)
    with unit_of_work(session_factory) as session:
        publish(session, make_track("After The Gap", artist_names=("Still Here",)))
    follow(replica)
    assert generation(replica) != built
    assert names(replica, "lost event") == ["Lost Event"]
    assert names(replica, "after the gap") == ["After The Gap"]


def test_a_replica_restarted_after_retention_passed_its_offset_rebuilds(
    session_factory: sessionmaker[Session], sqlite_log: EventLog, tmp_path: Path
) -> None:
    root = tmp_path / "search"
    replica = SearchReplica(root, session_factory, sqlite_log)
    follow(replica)
    built = generation(replica)
    replica.stop()
    with unit_of_work(session_factory) as session:
        publish(session, make_track("While Away", artist_names=("Absent",)))
    OutboxRelay(session_factory, sqlite_log).drain()
    _drop_everything(sqlite_log)  # the topic is empty: nothing to read says what was missed
    restarted = SearchReplica(root, session_factory, sqlite_log)
    restarted.sync()
    assert generation(restarted) != built
    assert names(restarted, "while away") == ["While Away"]


def test_a_replica_on_a_log_it_never_followed_rebuilds(
    session_factory: sessionmaker[Session], sqlite_log: EventLog, tmp_path: Path
) -> None:
    root = tmp_path / "search"
    replica = SearchReplica(root, session_factory, sqlite_log)
    with unit_of_work(session_factory) as session:
        publish(session, *(make_track(f"Old Log {n}") for n in range(3)))
    follow(replica)
    built = generation(replica)
    replica.stop()
    fresh = open_event_log(f"sqlite:///{tmp_path / 'another.db'}")
    with unit_of_work(session_factory) as session:
        # Its event goes to the new log alone; the cursor's offset is past that log's head.
        feed.take_down(session, publish(session, make_track("New Log"))[0])
    restarted = SearchReplica(root, session_factory, fresh)
    follow(restarted)
    assert generation(restarted) != built
    assert names(restarted, "new log") == []
    assert len(names(restarted, "old log")) == 3
    fresh.close()


def test_a_rights_window_opening_is_noticed_without_an_event(
    session_factory: sessionmaker[Session], sqlite_log: EventLog, tmp_path: Path
) -> None:
    opens = utcnow() + timedelta(seconds=1)
    with unit_of_work(session_factory) as session:
        [track_id] = publish(session, make_track("Midnight Release", territories=()))
        session.add(Right(track_id=track_id, territory="WW", allowed=True, valid_from=opens))
    replica = SearchReplica(tmp_path / "search", session_factory, sqlite_log)
    follow(replica)
    assert names(replica, "midnight") == []
    time.sleep(max(0.0, (opens - utcnow()).total_seconds()) + 0.05)
    replica.sync()
    assert "Midnight Release" in names(replica, "midnight", market="FR")


def test_events_name_the_entities_to_read_again_and_unknown_ones_are_skipped() -> None:
    def message(offset: int, payload: bytes, type_: str = "track.taken_down") -> Message:
        return Message(CATALOG_TOPIC, offset, f"m{offset}", type_, payload, datetime.now(UTC))

    taken = make(TRACK_TAKEN_DOWN, {"track_id": "t" * 22, "album_id": "a" * 22, "territory": "WW"})
    newer = orjson.dumps({"type": "track.taken_down", "v": 99, "id": "x", "at": "", "data": {}})
    wanted = named_entities([message(1, encode(taken)), message(2, newer), message(3, b"not json")])
    assert wanted == {"track": {"t" * 22}, "album": {"a" * 22}}
