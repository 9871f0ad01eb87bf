"""The catalog writes each change's event in the change's own transaction (the outbox), on SQLite
and on PostgreSQL: both commit or neither does, and each kind carries what happened."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tests.catalog_factory import make_track, publish
from tonearm.catalog import catalog, catalog_feed
from tonearm.catalog.models import Right, Track
from tonearm.catalog.repository import CatalogRepository
from tonearm.errors import NotFound
from tonearm.events import decode
from tonearm.kit.db import unit_of_work
from tonearm.kit.outbox import OutboxRow


class Boom(Exception):
    pass


def outbox(session_factory: sessionmaker[Session]) -> list[tuple[str, dict[str, Any]]]:
    """The events waiting for the relay, oldest first, as (name, payload)."""
    with session_factory() as session:
        rows = session.scalars(select(OutboxRow).order_by(OutboxRow.seq)).all()
        events = [decode(row.body) for row in rows]
    assert all(event is not None for event in events)
    return [(event.name, event.payload) for event in events if event is not None]


def published(session_factory: sessionmaker[Session], name: str = "Song") -> tuple[str, str]:
    """A published track's id and its album's, its events already relayed (cleared)."""
    with unit_of_work(session_factory) as session:
        [track_id] = publish(session, make_track(name))
        album_id = CatalogRepository(session).album_of(track_id)
        session.execute(OutboxRow.__table__.delete())
    assert album_id is not None
    return track_id, album_id


def test_a_published_track_and_its_event_commit_together(session_factory: sessionmaker[Session]) -> None:
    with unit_of_work(session_factory) as session:
        [track_id] = publish(
            session, make_track("Duet", artist_names=("Ann", "Bo"), album_artist_names=("Ann", "Cy"))
        )
        track = session.get(Track, track_id)
        assert track is not None
        album_id = track.album_id
        ann, bo, cy = (catalog.artist_id_for(name) for name in ("Ann", "Bo", "Cy"))
    expected = {"track_id": track_id, "album_id": album_id, "artist_ids": [ann, bo, cy]}
    assert outbox(session_factory) == [("track.published", expected)]


def test_a_publish_that_rolls_back_leaves_neither_rows_nor_event(
    session_factory: sessionmaker[Session],
) -> None:
    with pytest.raises(Boom), unit_of_work(session_factory) as session:
        publish(session, make_track("Never Was"))
        raise Boom
    with session_factory() as session:
        assert session.scalars(select(Track)).all() == []
    assert outbox(session_factory) == []


def test_the_same_master_published_again_says_nothing(session_factory: sessionmaker[Session]) -> None:
    published(session_factory, "Once")
    with unit_of_work(session_factory) as session:
        publish(session, make_track("Once"))
    assert outbox(session_factory) == []


def test_a_takedown_and_a_restore_each_say_where(session_factory: sessionmaker[Session]) -> None:
    track_id, album_id = published(session_factory)
    with unit_of_work(session_factory) as session:
        catalog_feed.take_down(session, track_id, "se")
        catalog_feed.take_down(session, track_id)
    with unit_of_work(session_factory) as session:
        assert catalog_feed.restore(session, track_id, "SE") == 1
        assert catalog_feed.restore(session, track_id, "NO") == 0  # nothing lifted, nothing said
    track = {"track_id": track_id, "album_id": album_id}
    assert outbox(session_factory) == [
        ("track.taken_down", {**track, "territory": "SE"}),
        ("track.taken_down", {**track, "territory": "WW"}),
        ("track.restored", {**track, "territory": "SE", "lifted": 1}),
    ]


def test_a_rights_window_says_when_and_for_whom(session_factory: sessionmaker[Session]) -> None:
    track_id, album_id = published(session_factory)
    opens, closes = datetime(2030, 1, 1, tzinfo=UTC), datetime(2030, 2, 1, 12, tzinfo=UTC)
    with unit_of_work(session_factory) as session:
        catalog_feed.allow(session, track_id, "JP", valid_from=opens, valid_to=closes, premium_only=True)
        catalog_feed.allow(session, track_id)
    window = {"track_id": track_id, "album_id": album_id, "allowed": True}
    assert outbox(session_factory) == [
        (
            "rights.changed",
            {
                **window,
                "territory": "JP",
                "valid_from": "2030-01-01T00:00:00.000Z",
                "valid_to": "2030-02-01T12:00:00.000Z",
                "premium_only": True,
            },
        ),
        (
            "rights.changed",
            {**window, "territory": "WW", "valid_from": None, "valid_to": None, "premium_only": False},
        ),
    ]


def test_a_rights_change_that_rolls_back_leaves_no_event(session_factory: sessionmaker[Session]) -> None:
    track_id, _ = published(session_factory)
    with pytest.raises(Boom), unit_of_work(session_factory) as session:
        catalog_feed.take_down(session, track_id)
        raise Boom
    with session_factory() as session:
        denials = session.scalars(select(Right).where(Right.allowed.is_(False))).all()
    assert denials == []
    assert outbox(session_factory) == []


def test_popularity_says_which_entity_changed_and_only_when_it_did(
    session_factory: sessionmaker[Session],
) -> None:
    track_id, album_id = published(session_factory)
    artist_id = catalog.artist_id_for("Artist")
    with unit_of_work(session_factory) as session:
        catalog_feed.set_popularity(session, "track", track_id, 140)
        catalog_feed.set_popularity(session, "album", album_id, 50)
        catalog_feed.set_popularity(session, "artist", artist_id, 60)
        catalog_feed.set_popularity(session, "artist", artist_id, 60)  # unchanged: silent
    with session_factory() as session:
        track = session.get(Track, track_id)
        assert track is not None and track.popularity == 100
    assert outbox(session_factory) == [
        ("track.changed", {"track_id": track_id, "album_id": album_id, "fields": ["popularity"]}),
        ("album.changed", {"id": album_id, "fields": ["popularity"]}),
        ("artist.changed", {"id": artist_id, "fields": ["popularity"]}),
    ]


def test_an_artist_made_before_its_first_upload_is_announced_once(
    session_factory: sessionmaker[Session],
) -> None:
    with unit_of_work(session_factory) as session:
        artist_id = catalog.ensure_artist(session, "  Newcomer ")
        assert catalog.ensure_artist(session, "Newcomer") == artist_id
    assert outbox(session_factory) == [("artist.changed", {"id": artist_id, "fields": ["created"]})]


def test_a_change_to_an_unknown_entity_is_refused_without_an_event(
    session_factory: sessionmaker[Session],
) -> None:
    with unit_of_work(session_factory) as session:
        with pytest.raises(NotFound):
            catalog_feed.take_down(session, "0" * 22)
        with pytest.raises(NotFound):
            catalog_feed.set_popularity(session, "album", "0" * 22, 10)
    assert outbox(session_factory) == []
