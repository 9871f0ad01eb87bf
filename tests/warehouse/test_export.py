"""Exporting a day's counted streams to its Parquet file: the contract royalties reads."""

from __future__ import annotations

import os
import time
from datetime import timedelta
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from tests.warehouse.conftest import DAY, apply_events, at, make_user, play, play_events, rows
from tonearm.config import Settings
from tonearm.kit.time import utcnow
from tonearm.warehouse import (
    ANONYMOUS,
    STREAMS_SCHEMA,
    DayNotExportable,
    export_day,
    export_days,
    pseudonym,
    warehouse_root,
)

COLUMNS = [
    "stream_id",
    "user",
    "track_id",
    "market",
    "product",
    "played_at",
    "ms_played",
    "device",
    "device_type",
    "offline",
]


def test_a_day_is_written_to_its_hive_partition_with_the_schema_and_its_streams_in_order(
    session_factory: sessionmaker[Session], settings: Settings, song_and_ada: tuple[str, str]
) -> None:
    song, ada = song_and_ada
    play(session_factory, ada, song, at(DAY, 20), ms_played=95_000, country="NO", product="free")
    play(session_factory, ada, song, at(DAY, 8))
    play(session_factory, ada, song, at(DAY, 9), ms_played=12_000)  # a skip: not a stream
    play(session_factory, ada, song, at(DAY + timedelta(days=1), 1))  # the next day's

    result = export_day(session_factory, settings, DAY)

    path = warehouse_root(settings) / "streams" / f"date={DAY.isoformat()}" / "streams.parquet"
    assert (result.day, result.rows, result.path) == (DAY, 2, path)
    assert pq.read_schema(path) == STREAMS_SCHEMA
    assert STREAMS_SCHEMA.names == COLUMNS
    first, second = rows(path)
    assert first["played_at"] == at(DAY, 8) and second["played_at"] == at(DAY, 20)
    assert second | {"stream_id": None} == {
        "stream_id": None,
        "user": pseudonym(settings, ada),
        "track_id": song,
        "market": "NO",
        "product": "free",
        "played_at": at(DAY, 20),
        "ms_played": 95_000,
        "device": pseudonym(settings, "test-device"),
        "device_type": "unknown",
        "offline": False,
    }
    assert len(second["stream_id"]) == 22


def test_users_and_devices_are_pseudonyms_and_no_raw_id_is_in_the_file(
    session_factory: sessionmaker[Session], settings: Settings, song_and_ada: tuple[str, str]
) -> None:
    song, ada = song_and_ada
    bo = make_user(session_factory, "bo")
    for user in (ada, bo):
        play(session_factory, user, song, at(DAY, 10))

    path = export_day(session_factory, settings, DAY).path

    users = {row["user"] for row in rows(path)}
    assert users == {pseudonym(settings, ada), pseudonym(settings, bo)}
    assert all(len(name) == 32 and int(name, 16) >= 0 for name in users)
    written = path.read_bytes()
    for raw in (ada, bo, "test-device"):
        assert raw.encode() not in written
        assert all(raw not in row.values() for row in rows(path))


def test_the_pseudonym_is_keyed_by_the_first_signing_key(settings: Settings) -> None:
    rotated = settings.model_copy(update={"signing_keys": "k2:newer-secret,k1:first-secret"})

    assert pseudonym(settings, "someone") == pseudonym(settings, "someone")
    assert pseudonym(rotated, "someone") != pseudonym(settings, "someone")
    assert pseudonym(settings, "someone") != pseudonym(settings, "someone else")


def test_a_play_whose_user_is_gone_is_anonymous_and_an_offline_one_says_so(
    session_factory: sessionmaker[Session], settings: Settings, song_and_ada: tuple[str, str]
) -> None:
    song, ada = song_and_ada
    events = play_events(ada, song, at(DAY, 10))
    for event in events:
        event.payload["offline"] = True
    apply_events(session_factory, events)
    ghost = make_user(session_factory, "ghost")
    play(session_factory, ghost, song, at(DAY, 11))
    with session_factory() as session:  # the user row removed some way other than erasure
        session.execute(text("DELETE FROM users WHERE id = :id"), {"id": ghost})
        session.commit()

    offline, anonymous = rows(export_day(session_factory, settings, DAY).path)

    assert offline["offline"] is True and offline["user"] == pseudonym(settings, ada)
    assert anonymous["user"] == ANONYMOUS and anonymous["offline"] is False


def test_exporting_a_day_again_gives_the_same_bytes_and_leaves_the_file_alone(
    session_factory: sessionmaker[Session], settings: Settings, song_and_ada: tuple[str, str]
) -> None:
    song, ada = song_and_ada
    for hour in (3, 5, 7):
        play(session_factory, ada, song, at(DAY, hour))
    first = export_day(session_factory, settings, DAY)
    written, modified = first.path.read_bytes(), first.path.stat().st_mtime_ns

    again = export_day(session_factory, settings, DAY)

    assert again.changed is False and again.rows == 3
    assert again.path.read_bytes() == written
    assert again.path.stat().st_mtime_ns == modified


def test_a_late_play_is_in_the_day_once_it_is_exported_again(
    session_factory: sessionmaker[Session], settings: Settings, song_and_ada: tuple[str, str]
) -> None:
    song, ada = song_and_ada
    play(session_factory, ada, song, at(DAY, 3))
    export_day(session_factory, settings, DAY)
    play(session_factory, ada, song, at(DAY, 1))  # sent from offline, days later

    again = export_day(session_factory, settings, DAY)

    assert again.changed is True and again.rows == 2
    assert [row["played_at"] for row in rows(again.path)] == [at(DAY, 1), at(DAY, 3)]


def test_a_crash_before_the_rename_leaves_the_old_file_and_no_temporary_one(
    session_factory: sessionmaker[Session],
    settings: Settings,
    song_and_ada: tuple[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    song, ada = song_and_ada
    play(session_factory, ada, song, at(DAY, 3))
    path = export_day(session_factory, settings, DAY).path
    old = path.read_bytes()
    play(session_factory, ada, song, at(DAY, 4))

    def crash(_source: object, _target: object) -> None:
        raise OSError("power cut")

    with monkeypatch.context() as patched:
        patched.setattr(os, "replace", crash)
        with pytest.raises(OSError, match="power cut"):
            export_day(session_factory, settings, DAY)

    assert path.read_bytes() == old
    assert sorted(p.name for p in path.parent.iterdir()) == ["streams.parquet"]
    assert export_day(session_factory, settings, DAY).rows == 2


def test_a_temporary_file_left_by_a_killed_export_is_swept_by_the_next(
    session_factory: sessionmaker[Session], settings: Settings
) -> None:
    folder = warehouse_root(settings) / "streams" / f"date={DAY.isoformat()}"
    folder.mkdir(parents=True)
    stale = folder / ".streams.parquet.tmp-0123abcd"
    stale.write_bytes(b"half a file")
    an_hour_ago = time.time() - 3601
    os.utime(stale, (an_hour_ago, an_hour_ago))
    # Another process's write in progress (the server's job beside a royalty run) is left alone.
    fresh = folder / ".streams.parquet.tmp-fedc3210"
    fresh.write_bytes(b"being written")

    export_day(session_factory, settings, DAY)

    assert sorted(p.name for p in folder.iterdir()) == [fresh.name, "streams.parquet"]


def test_a_day_with_no_streams_is_a_file_with_the_schema_and_no_rows(
    session_factory: sessionmaker[Session], settings: Settings
) -> None:
    result = export_day(session_factory, settings, DAY)

    assert result.rows == 0 and result.path.is_file()
    assert pq.read_schema(result.path) == STREAMS_SCHEMA
    assert rows(result.path) == []


def test_days_are_exported_in_order_and_each_is_reported(
    session_factory: sessionmaker[Session], settings: Settings, song_and_ada: tuple[str, str]
) -> None:
    song, ada = song_and_ada
    play(session_factory, ada, song, at(DAY, 3))
    days = [DAY, DAY - timedelta(days=1), DAY + timedelta(days=1)]
    seen: list[tuple[str, int]] = []

    results = export_days(
        session_factory, settings, days, progress=lambda done: seen.append((done.day.isoformat(), done.rows))
    )

    assert [result.day for result in results] == sorted(days)
    assert seen == [(day.isoformat(), int(day == DAY)) for day in sorted(days)]


@pytest.mark.parametrize("days_ago", [-1, 90, 400])
def test_a_future_day_or_one_past_the_listening_history_is_refused_before_anything_is_written(
    session_factory: sessionmaker[Session], settings: Settings, days_ago: int
) -> None:
    refused = utcnow().date() - timedelta(days=days_ago)

    with pytest.raises(DayNotExportable, match=str(refused)):
        export_days(session_factory, settings, [DAY, refused])

    assert not Path(warehouse_root(settings)).exists()
