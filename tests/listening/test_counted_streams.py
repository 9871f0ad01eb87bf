"""`listening.counted_streams`: what the warehouse exports, a day (or any span) at a time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from tests.listening.conftest import make_tracks, make_user, play
from tonearm.kit.db import unit_of_work
from tonearm.listening import CountedStream, listening

DAY = datetime(2026, 3, 1, tzinfo=UTC)


def _streams(session_factory: sessionmaker[Session], start: datetime, end: datetime) -> list[CountedStream]:
    with unit_of_work(session_factory) as session:
        return list(listening.counted_streams(session, start, end))


def test_counted_streams_are_the_counted_plays_from_start_up_to_end(
    session_factory: sessionmaker[Session],
) -> None:
    [song] = make_tracks(session_factory, "Song")
    ada = make_user(session_factory, "ada")
    play(session_factory, ada, song, DAY - timedelta(milliseconds=1))  # the day before
    first = DAY
    play(session_factory, ada, song, first, ms_played=45_000, country="NO", product="free")
    play(session_factory, ada, song, DAY + timedelta(hours=3), ms_played=10_000)  # a skip
    last = DAY + timedelta(days=1, milliseconds=-1)
    play(session_factory, ada, song, last)
    play(session_factory, ada, song, DAY + timedelta(days=1))  # the next day

    streams = _streams(session_factory, DAY, DAY + timedelta(days=1))

    assert [stream.played_at for stream in streams] == [first, last]
    assert streams[0] == CountedStream(
        id=streams[0].id,
        user_id=ada,
        track_id=song,
        played_at=first,
        ms_played=45_000,
        country="NO",
        product="free",
        device_id="test-device",
        offline=False,
    )


def test_streams_at_the_same_moment_come_in_id_order(session_factory: sessionmaker[Session]) -> None:
    [song] = make_tracks(session_factory, "Song")
    users = [make_user(session_factory, name) for name in ("ada", "bo", "cy", "di")]
    for user in users:
        play(session_factory, user, song, DAY + timedelta(hours=1))
    play(session_factory, users[0], song, DAY)

    streams = _streams(session_factory, DAY, DAY + timedelta(days=1))

    assert streams[0].user_id == users[0]
    later = [stream.id for stream in streams[1:]]
    assert later == sorted(later) and len(later) == 4


def test_no_counted_plays_in_the_span_is_no_streams(session_factory: sessionmaker[Session]) -> None:
    [song] = make_tracks(session_factory, "Song")
    ada = make_user(session_factory, "ada")
    play(session_factory, ada, song, DAY, ms_played=5_000)

    assert _streams(session_factory, DAY, DAY + timedelta(days=1)) == []
