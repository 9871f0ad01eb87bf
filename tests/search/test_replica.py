"""The replica follows the catalog's change feed on SQLite and PostgreSQL: builds, applies,
hands writing to one process, takes over a rebuild, survives a restart, and fills sequence gaps."""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import insert
from sqlalchemy.orm import Session, sessionmaker

from tests.catalog_factory import make_track, publish
from tonearm.catalog.feed import feed
from tonearm.catalog.models import CatalogChange, Right
from tonearm.kit.db import unit_of_work
from tonearm.kit.time import utcnow
from tonearm.search.build import rebuild
from tonearm.search.replica import SearchReplica
from tonearm.search.service import SearchService


def names(replica: SearchReplica, q: str, market: str | None = None) -> list[str]:
    import orjson

    body = orjson.loads(SearchService(replica).suggest(q, market=market, limit=10))
    return [item["name"] for item in body["items"]]


def test_builds_from_an_existing_catalog_then_follows_changes(
    session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    with unit_of_work(session_factory) as session:
        [first] = publish(session, make_track("Already Here", artist_names=("Old Hand",)))
    replica = SearchReplica(tmp_path / "search", session_factory)
    replica.sync()
    assert "Already Here" in names(replica, "already")
    with unit_of_work(session_factory) as session:
        publish(session, make_track("Brand New", artist_names=("New Kid",)))
        feed.take_down(session, first)
    assert replica.sync() >= 2
    assert "Brand New" in names(replica, "brand new")
    assert names(replica, "already") == []
    with unit_of_work(session_factory) as session:
        assert feed.restore(session, first) == 1
    replica.sync()
    assert "Already Here" in names(replica, "already")


def test_one_writer_per_index_and_readers_see_its_commits(
    session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    writer = SearchReplica(tmp_path / "search", session_factory)
    reader = SearchReplica(tmp_path / "search", session_factory)
    writer.sync()
    reader.sync()
    with unit_of_work(session_factory) as session:
        publish(session, make_track("Shared Song", artist_names=("Two Workers",)))
    assert reader.sync() == 0  # it does not write: the other holds the lock
    writer.sync()
    time.sleep(0.01)  # a commit changes meta.json's mtime; the reader compares it
    reader.sync()
    assert "Shared Song" in names(reader, "shared")
    writer.stop()
    time.sleep(2.1)  # the reader retries the lock every 2 s and takes over
    with unit_of_work(session_factory) as session:
        publish(session, make_track("After Handover", artist_names=("Two Workers",)))
    reader.sync()
    reader.sync()
    assert "After Handover" in names(reader, "handover")


def test_a_rebuild_is_taken_over_and_the_restart_resumes(
    session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    root = tmp_path / "search"
    replica = SearchReplica(root, session_factory)
    replica.sync()
    with unit_of_work(session_factory) as session:
        publish(session, make_track("Before Rebuild", artist_names=("Builder",)))
    path, count = rebuild(root, session_factory)
    assert count == 4  # the track, its album, its artist and the album's artist
    with unit_of_work(session_factory) as session:
        publish(session, make_track("During Switch", artist_names=("Builder",)))
    replica.sync()
    assert replica.index is not None and replica.index.path == path
    replica.sync()
    assert set(names(replica, "builder")) >= {"Before Rebuild", "During Switch"}
    replica.stop()
    restarted = SearchReplica(root, session_factory)
    restarted.sync()
    assert restarted.index is not None and restarted.index.path == path
    assert set(names(restarted, "builder")) >= {"Before Rebuild", "During Switch"}


def test_a_change_committed_late_behind_a_gap_is_still_applied(
    session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    replica = SearchReplica(tmp_path / "search", session_factory)
    replica.sync()
    with unit_of_work(session_factory) as session:
        [track_id] = publish(session, make_track("Late Commit", artist_names=("Slow Txn",)))
        # What PostgreSQL can do: seq 500 commits and is read before seq 499 commits.
        session.execute(insert(CatalogChange).values(seq=500, kind="artist", entity_id="x" * 22))
    with unit_of_work(session_factory) as session:
        feed.take_down(session, track_id)
        session.query(CatalogChange).filter(CatalogChange.seq < 500).delete()
    replica.sync()
    assert "Late Commit" not in names(replica, "late commit")  # never saw the publish
    with unit_of_work(session_factory) as session:
        session.execute(insert(CatalogChange).values(seq=499, kind="track", entity_id=track_id))
        feed.restore(session, track_id)
        session.query(CatalogChange).filter(CatalogChange.seq > 500).delete()
    replica.sync()
    assert "Late Commit" in names(replica, "late commit")


def test_a_rights_window_opening_is_noticed_without_a_change(
    session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    opens = utcnow() + timedelta(seconds=1)
    with unit_of_work(session_factory) as session:
        [track_id] = publish(session, make_track("Midnight Release", territories=()))
        session.add(Right(track_id=track_id, territory="WW", allowed=True, valid_from=opens))
    replica = SearchReplica(tmp_path / "search", session_factory)
    replica.sync()
    assert names(replica, "midnight") == []
    time.sleep(max(0.0, (opens - utcnow()).total_seconds()) + 0.05)
    replica.sync()
    assert "Midnight Release" in names(replica, "midnight", market="FR")
