"""Plays in and tallies out, on SQLite and on PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy.orm import Session, sessionmaker

from tests.listening.conftest import make_tracks, make_user, play
from tonearm.errors import BadRequest
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


def test_a_second_start_within_30_seconds_is_the_same_play_counted_once(
    session_factory: sessionmaker[Session],
) -> None:
    [song] = make_tracks(session_factory, "Song")
    ada = make_user(session_factory, "ada")
    first = play(session_factory, ada, song, NOON)
    again = play(session_factory, ada, song, NOON + timedelta(seconds=29, milliseconds=999))
    assert first.counted and not again.counted
    assert again.id == first.id and again.played_at == "2026-03-01T12:00:00.000Z"
    assert history(session_factory, ada) == ["2026-03-01T12:00:00.000Z"]
    assert [tally.plays for tally in tallies(session_factory)] == [1]


def test_a_start_30_seconds_later_is_a_new_play(session_factory: sessionmaker[Session]) -> None:
    [song] = make_tracks(session_factory, "Song")
    ada = make_user(session_factory, "ada")
    play(session_factory, ada, song, NOON)
    later = play(session_factory, ada, song, NOON + timedelta(seconds=30))
    assert later.counted
    assert history(session_factory, ada) == ["2026-03-01T12:00:00.000Z", "2026-03-01T12:00:30.000Z"]
    assert tallies(session_factory) == [
        Tally(track_id=song, day=date(2026, 3, 1), country="SE", product="premium", plays=2)
    ]


def test_another_track_or_another_user_within_the_window_counts(
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
    play(session_factory, ada, song, NOON + timedelta(minutes=5), country="de", product="free")
    play(session_factory, ada, song, NOON + timedelta(days=1))
    assert [(t.day, t.country, t.product, t.plays) for t in tallies(session_factory)] == [
        (date(2026, 3, 1), "DE", "free", 1),
        (date(2026, 3, 1), "SE", "premium", 1),
        (date(2026, 3, 2), "SE", "premium", 1),
    ]


def test_a_play_with_an_unknown_product_or_country_is_refused(session_factory: sessionmaker[Session]) -> None:
    [song] = make_tracks(session_factory, "Song")
    ada = make_user(session_factory, "ada")
    with pytest.raises(BadRequest, match="product"):
        play(session_factory, ada, song, NOON, product="platinum")
    with pytest.raises(BadRequest, match="ISO 3166"):
        play(session_factory, ada, song, NOON, country="XX")
    assert history(session_factory, ada) == [] and tallies(session_factory) == []


def test_erasing_a_user_deletes_their_plays_only_and_keeps_the_tallies(
    session_factory: sessionmaker[Session],
) -> None:
    [song] = make_tracks(session_factory, "Song")
    ada, bo = make_user(session_factory, "ada"), make_user(session_factory, "bo")
    play(session_factory, ada, song, NOON)
    play(session_factory, ada, song, NOON + timedelta(minutes=5))
    play(session_factory, bo, song, NOON)
    with unit_of_work(session_factory) as session:
        assert listening.erase_user(session, ada) == 2
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
