"""Catalog rows on SQLite and on PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from tests.catalog_factory import make_track, publish
from tonearm.catalog.models import Right
from tonearm.catalog.repository import CatalogRepository
from tonearm.kit.db import unit_of_work
from tonearm.kit.rights import is_allowed
from tonearm.kit.time import utcnow


def test_published_track_reads_back_with_its_album_artists_and_files(
    session_factory: sessionmaker[Session],
) -> None:
    with unit_of_work(session_factory) as session:
        [track_id] = publish(session, make_track("Alpha", artist_names=("Ann", "Bo"), isrc="USRC17607839"))
    with unit_of_work(session_factory) as session:
        repo = CatalogRepository(session)
        track = repo.get_track(track_id)
        assert track is not None
        assert [link.artist.name for link in track.artist_links] == ["Ann", "Bo"]
        assert track.album.name == "Album"
        assert track.isrc == "USRC17607839"
        assert [f.rung for f in repo.audio_files(track_id)] == ["opus_24", "vorbis_320", "flac"]


def test_album_tracks_are_ordered_by_disc_then_number(session_factory: sessionmaker[Session]) -> None:
    with unit_of_work(session_factory) as session:
        publish(
            session,
            make_track("Third", track_number=1, disc_number=2),
            make_track("First", track_number=1),
            make_track("Second", track_number=2),
        )
    with unit_of_work(session_factory) as session:
        repo = CatalogRepository(session)
        album_id = repo.list_albums(limit=1, offset=0)[0].id
        names = [t.name for t in repo.album_tracks(album_id, limit=10, offset=0)]
        assert names == ["First", "Second", "Third"]
        assert repo.count_album_tracks([album_id]) == {album_id: 3}


def test_the_same_master_published_twice_is_one_track(session_factory: sessionmaker[Session]) -> None:
    with unit_of_work(session_factory) as session:
        first = publish(session, make_track("Once"))
    with unit_of_work(session_factory) as session:
        second = publish(session, make_track("Once"))
    assert first == second


def test_a_clashing_master_hash_is_refused_by_the_database(session_factory: sessionmaker[Session]) -> None:
    with unit_of_work(session_factory) as session:
        publish(session, make_track("Once"))
    from tonearm.catalog.models import Track

    with pytest.raises(IntegrityError), unit_of_work(session_factory) as session:
        repo = CatalogRepository(session)
        existing = repo.list_albums(limit=1, offset=0)[0]
        original = session.query(Track).one()
        session.add(
            Track(
                id="A" * 22,
                name="Other",
                album_id=existing.id,
                track_number=9,
                duration_ms=1,
                master_sha256=original.master_sha256,
                sample_rate=1,
                samples=1,
                integrated_lufs=0,
                true_peak_dbtp=0,
            )
        )


def test_a_territory_window_decides_playability(session_factory: sessionmaker[Session]) -> None:
    now = utcnow()
    with unit_of_work(session_factory) as session:
        [track_id] = publish(session, make_track("Windowed", territories=("SE",)))
        repo = CatalogRepository(session)
        repo.replace_rights(
            track_id,
            [
                Right(track_id=track_id, territory="SE", allowed=True, valid_from=now - timedelta(days=1)),
                Right(track_id=track_id, territory="NO", allowed=True, valid_from=now + timedelta(days=1)),
                Right(track_id=track_id, territory="DK", allowed=True, valid_to=now - timedelta(days=1)),
            ],
        )
    with unit_of_work(session_factory) as session:
        rights = CatalogRepository(session).rights([track_id])[track_id]
        assert is_allowed(rights, "SE", utcnow())
        assert not is_allowed(rights, "NO", utcnow())
        assert not is_allowed(rights, "DK", utcnow())
        assert not is_allowed(rights, "US", utcnow())


def test_a_denial_for_a_country_beats_a_worldwide_allowance(session_factory: sessionmaker[Session]) -> None:
    with unit_of_work(session_factory) as session:
        [track_id] = publish(session, make_track("Mostly"))
        session.add(Right(track_id=track_id, territory="DE", allowed=False))
    with unit_of_work(session_factory) as session:
        rights = CatalogRepository(session).rights([track_id])[track_id]
        assert is_allowed(rights, "FR", utcnow())
        assert not is_allowed(rights, "DE", utcnow())
