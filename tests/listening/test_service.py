"""Plays in and tallies out, on SQLite and on PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from tests.listening.conftest import apply_events, make_tracks, make_user, play, play_events
from tonearm.events import PLAYBACK, make
from tonearm.kit.db import unit_of_work
from tonearm.listening.schemas import Tally
from tonearm.listening.service import listening

NOON = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def tallies(session_factory: sessionmaker[Session], track_id: str | None = None) -> list[Tally]:
    with unit_of_work(session_factory) as session:
        return listening.tallies(session, track_id=track_id)


def history(session_factory: sessionmaker[Session], user_id: str) -> list[str]:
    with unit_of_work(session_factory) as session:
        return [record.played_at for record in listening.history(session, user_id)]


def streams(session_factory: sessionmaker[Session]) -> int:
    return sum(tally.plays for tally in tallies(session_factory))


def test_a_play_counts_as_a_stream_once_30_seconds_of_it_were_played(
    session_factory: sessionmaker[Session],
) -> None:
    [song] = make_tracks(session_factory, "Song")
    ada = make_user(session_factory, "ada")
    assert not play(session_factory, ada, song, NOON, ms_played=29_999).counted
    assert streams(session_factory) == 0
    assert play(session_factory, ada, song, NOON + timedelta(minutes=5), ms_played=30_000).counted
    assert streams(session_factory) == 1
    # Both are history; only one is a stream.
    assert len(history(session_factory, ada)) == 2


def test_a_skip_at_5_seconds_is_history_but_not_a_stream(session_factory: sessionmaker[Session]) -> None:
    [song] = make_tracks(session_factory, "Song")
    ada = make_user(session_factory, "ada")
    apply_events(session_factory, play_events(ada, song, NOON, ms_played=5_000, ending="play.skip"))
    assert len(history(session_factory, ada)) == 1 and streams(session_factory) == 0


def test_the_30_seconds_add_up_across_pauses_and_seeks_within_one_play(
    session_factory: sessionmaker[Session],
) -> None:
    [song] = make_tracks(session_factory, "Song")
    ada = make_user(session_factory, "ada")
    start, end = play_events(ada, song, NOON, ms_played=35_000)
    steps = []
    # 20 s played, paused, resumed, sought back, 15 s more: ms_played is cumulative for the play.
    for kind, ms, position in (
        ("play.pause", 20_000, 20_000),
        ("play.resume", 20_000, 20_000),
        ("play.seek", 20_000, 5_000),
        ("play.progress", 29_000, 14_000),
    ):
        [step, _] = play_events(ada, song, NOON + timedelta(seconds=len(steps) + 20), ms_played=ms)
        step = make(PLAYBACK[kind], {**step.payload, "ms_played": ms, "position_ms": position}, id=step.id)
        steps.append(step)
    apply_events(session_factory, [start, *steps])
    assert streams(session_factory) == 0
    apply_events(session_factory, [end])
    assert streams(session_factory) == 1
    assert len(history(session_factory, ada)) == 1


def test_events_delivered_again_never_count_twice(session_factory: sessionmaker[Session]) -> None:
    [song] = make_tracks(session_factory, "Song")
    ada = make_user(session_factory, "ada")
    events = play_events(ada, song, NOON)
    apply_events(session_factory, events)
    apply_events(session_factory, events)
    apply_events(session_factory, [events[1], events[1]])
    assert streams(session_factory) == 1 and len(history(session_factory, ada)) == 1


def test_another_track_or_another_user_counts_on_its_own(
    session_factory: sessionmaker[Session],
) -> None:
    song, other = make_tracks(session_factory, "Song", "Other")
    ada, bo = make_user(session_factory, "ada"), make_user(session_factory, "bo")
    assert play(session_factory, ada, song, NOON).counted
    assert play(session_factory, ada, other, NOON + timedelta(seconds=1)).counted
    assert play(session_factory, bo, song, NOON + timedelta(seconds=2)).counted
    assert [tally.plays for tally in tallies(session_factory, song)] == [2]
    assert [tally.plays for tally in tallies(session_factory, other)] == [1]


def test_tallies_are_kept_per_day_country_and_product(session_factory: sessionmaker[Session]) -> None:
    [song] = make_tracks(session_factory, "Song")
    ada = make_user(session_factory, "ada")
    play(session_factory, ada, song, NOON)
    play(session_factory, ada, song, NOON + timedelta(minutes=5), country="DE", product="free")
    play(session_factory, ada, song, NOON + timedelta(days=1))
    assert [(t.day, t.country, t.product, t.plays) for t in tallies(session_factory)] == [
        (date(2026, 3, 1), "DE", "free", 1),
        (date(2026, 3, 1), "SE", "premium", 1),
        (date(2026, 3, 2), "SE", "premium", 1),
    ]


def test_erasing_a_user_deletes_their_plays_only_and_keeps_the_tallies(
    session_factory: sessionmaker[Session],
) -> None:
    [song] = make_tracks(session_factory, "Song")
    ada, bo = make_user(session_factory, "ada"), make_user(session_factory, "bo")
    play(session_factory, ada, song, NOON)
    play(session_factory, ada, song, NOON + timedelta(minutes=5))
    play(session_factory, bo, song, NOON)
    with unit_of_work(session_factory) as session:
        # Two plays, one track's streams on one day, and the receipts of their four events.
        assert listening.erase_user(session, ada) == 2 + 1 + 4
    assert history(session_factory, ada) == [] and len(history(session_factory, bo)) == 1
    assert [tally.plays for tally in tallies(session_factory)] == [3]


def test_the_export_history_names_each_track_and_its_artists(session_factory: sessionmaker[Session]) -> None:
    [song] = make_tracks(session_factory, "Song")
    ada = make_user(session_factory, "ada")
    play(session_factory, ada, song, NOON + timedelta(microseconds=123_456))
    with unit_of_work(session_factory) as session:
        [record] = listening.history(session, ada)
    assert record.track_id == song and record.track_uri == f"tonearm:track:{song}"
    assert record.track_name == "Song" and record.artist_names == ["Song Band"]
    assert record.played_at == "2026-03-01T12:00:00.123Z" and record.country == "SE"
