"""The offline service with its clock in hand: a licence runs 30 days from its issue or its
last check-in; a device holds 10,000 tracks and evicts the least recently played; plays from
the playback topic (offline ones too) decide what is evicted; and the personal data."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session, sessionmaker

from tests.catalog_factory import make_track, publish
from tests.listening.conftest import play_events
from tests.offline.conftest import Offline, jwk
from tonearm.accounts import Caller, account
from tonearm.catalog import catalog_feed
from tonearm.events import TRACK_TAKEN_DOWN, make
from tonearm.kit.consumers import Delivered
from tonearm.kit.db import Base, make_engine, migrate, unit_of_work
from tonearm.kit.time import utcnow
from tonearm.offline import LICENCE_LIFETIME, MAX_TRACKS_PER_DEVICE, offline
from tonearm.offline.consumer import OfflinePlaysConsumer, OfflineRightsConsumer
from tonearm.offline.errors import LicenceExpired
from tonearm.offline.models import OfflineLicence, OfflineTrack
from tonearm.offline.personal_data import OfflineData
from tonearm.offline.repository import OfflineRepository

T0 = datetime(2026, 11, 1, 12, 0, tzinfo=utcnow().tzinfo)


def _caller(user_id: str, product: str = "premium") -> Caller:
    return Caller(
        user_id=user_id, client_id=None, scopes=frozenset({"streaming"}), product=product, country="SE"
    )  # type: ignore[arg-type]


def test_the_migrations_make_exactly_the_offline_tables_the_models_describe(database_url: str) -> None:
    engine = make_engine(database_url)
    migrate(engine)
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    engine.dispose()
    assert [d for d in differences if "offline" in repr(d)] == []


def _download(env: Offline, user: str, device: str, at: datetime) -> int:
    with env.session() as session:
        return offline.download(
            session, _caller(user), device, env.tracks[0], blobs=env.app.state.blobs, now=at
        ).size


def test_a_licence_runs_30_days_from_its_issue_and_from_each_check_in(offline_env: Offline) -> None:
    env = offline_env
    user = env.user_id("ada")
    with env.session() as session:
        device, _created = offline.register(session, _caller(user), name="Laptop", public_key=jwk(1), now=T0)
        device_id = device.id
        issued = offline.issue(session, _caller(user), device_id, f"tonearm:album:{env.album}", now=T0)
    assert issued.state.licence.expires_at == T0 + LICENCE_LIFETIME
    assert _download(env, user, device_id, T0 + timedelta(days=29, hours=23)) > 0
    with pytest.raises(LicenceExpired):
        _download(env, user, device_id, T0 + timedelta(days=30))
    with env.session() as session:
        done = offline.check_in(session, _caller(user), device_id, now=T0 + timedelta(days=20))
    assert done.licences[0].status == "active"
    assert done.licences[0].expires_at == T0 + timedelta(days=50)
    assert _download(env, user, device_id, T0 + timedelta(days=45)) > 0
    with env.session() as session:
        late = offline.check_in(session, _caller(user), device_id, now=T0 + timedelta(days=51))
    assert late.licences[0].status == "expired"
    with pytest.raises(LicenceExpired):
        _download(env, user, device_id, T0 + timedelta(days=51))


@pytest.fixture
def offline_env(offline: Offline) -> Offline:
    return offline


# ---- 10,000 tracks a device, on SQLite and PostgreSQL ----


def _filled_device(
    session: Session, user_id: str, *, count: int = MAX_TRACKS_PER_DEVICE
) -> tuple[str, list[str]]:
    """A device holding `count` tracks under one licence, written in bulk: track i came at
    T0 + i seconds and was never played, so 0, 1, 2... are the least recently played."""
    device, _created = offline.register(session, _caller(user_id), name="Full", public_key=jwk(1), now=T0)
    repo = OfflineRepository(session)
    ids = [f"{number:022d}" for number in range(count)]
    licence = OfflineLicence(
        id="L" * 22,
        device_id=device.id,
        user_id=user_id,
        kind="playlist",
        item_id="P" * 22,
        issued_at=T0,
        expires_at=T0 + LICENCE_LIFETIME,
    )
    repo.add(licence)
    repo.add_tracks(
        [
            {
                "device_id": device.id,
                "track_id": track_id,
                "content_key": b"k" * 32,
                "wrapped_key": b"w" * 256,
                "added_at": T0 + timedelta(seconds=number),
                "last_played_at": None,
            }
            for number, track_id in enumerate(ids)
        ]
    )
    repo.set_licensed_tracks(licence, ids)
    return device.id, ids


@pytest.fixture
def full(session_factory: sessionmaker[Session]) -> Iterator[dict[str, Any]]:
    with unit_of_work(session_factory) as session:
        user = account.create_user(
            session, "ada", password="correct horse battery", country="SE", product="premium"
        )
        tracks = publish(
            session, *(make_track(f"New {n}", album_name="New Album", track_number=n) for n in (1, 2, 3))
        )
        album = session.execute(
            text("SELECT album_id FROM tracks WHERE id = :id"), {"id": tracks[0]}
        ).scalar_one()
        device, held = _filled_device(session, user.id)
    yield {
        "factory": session_factory,
        "user": user.id,
        "device": device,
        "held": held,
        "tracks": tracks,
        "album": album,
    }


def _issue_album(session: Session, full: dict[str, Any]) -> Any:
    album = f"tonearm:album:{full['album']}"
    return offline.issue(session, _caller(full["user"]), full["device"], album, now=T0 + timedelta(days=1))


def _count(session: Session, device_id: str) -> int:
    return int(
        session.scalar(
            select(func.count()).select_from(OfflineTrack).where(OfflineTrack.device_id == device_id)
        )
        or 0
    )


def test_a_full_device_evicts_its_least_recently_played_tracks_for_a_new_album(full: dict[str, Any]) -> None:
    with unit_of_work(full["factory"]) as session:
        issued = _issue_album(session, full)
        assert list(issued.evicted) == full["held"][:3]
        assert list(issued.state.track_ids) == full["tracks"]
        assert _count(session, full["device"]) == MAX_TRACKS_PER_DEVICE
    with unit_of_work(full["factory"]) as session:
        done = offline.check_in(
            session, _caller(full["user"]), full["device"], now=T0 + timedelta(days=1, minutes=1)
        )
    evicted = [(row.track_id, row.reason) for row in done.revoked if row.reason == "evicted"]
    assert evicted == [(track_id, "evicted") for track_id in full["held"][:3]]


def test_a_track_played_recently_is_kept_and_the_next_oldest_goes(full: dict[str, Any]) -> None:
    # Played offline a day ago and reported through the playback topic.
    events = play_events(full["user"], full["held"][1], T0 + timedelta(hours=12))
    batch = [Delivered(offset, utcnow(), event) for offset, event in enumerate(events, start=1)]
    consumer = OfflinePlaysConsumer()
    for _twice in range(2):  # applied again (at-least-once delivery) it changes nothing
        with unit_of_work(full["factory"]) as session:
            consumer.apply(session, batch)
    with unit_of_work(full["factory"]) as session:
        played = session.get(OfflineTrack, (full["device"], full["held"][1]))
        assert played is not None and played.last_played_at is not None
        issued = _issue_album(session, full)
    assert list(issued.evicted) == [full["held"][0], full["held"][2], full["held"][3]]


def test_a_check_in_of_a_full_device_revokes_what_the_catalog_does_not_have(full: dict[str, Any]) -> None:
    # The bulk tracks are not in the catalog: a check-in takes every one of them off the device.
    with unit_of_work(full["factory"]) as session:
        done = offline.check_in(session, _caller(full["user"]), full["device"], now=T0 + timedelta(days=1))
        assert _count(session, full["device"]) == 0
    assert len(done.revoked) == MAX_TRACKS_PER_DEVICE and {row.reason for row in done.revoked} == {"gone"}


# ---- personal data ----


def test_the_export_lists_devices_licences_and_tracks_without_keys_and_erasure_removes_them(
    offline_env: Offline,
) -> None:
    env = offline_env
    user = env.user_id("ada")
    with env.session() as session:
        device, _created = offline.register(session, _caller(user), name="Laptop", public_key=jwk(1), now=T0)
        offline.issue(session, _caller(user), device.id, f"tonearm:album:{env.album}", now=T0)
    provider = OfflineData()
    assert any(isinstance(p, OfflineData) for p in env.app.state.personal_data)
    with env.session() as session:
        exported = provider.export(session, user)
    assert set(exported) == set(provider.sections)
    assert exported["offline_devices"][0]["name"] == "Laptop"
    assert (
        exported["offline_licences"][0]["uri"] == f"tonearm:album:{env.album}"
        and exported["offline_licences"][0]["tracks"] == 3
    )
    assert [t["uri"] for t in exported["offline_tracks"]] == [
        f"tonearm:track:{t}" for t in sorted(env.tracks)
    ]
    assert "key" not in repr(exported).replace("key_fingerprint", "")
    with env.session() as session:
        assert provider.erase(session, user) == 1 + 3
    with env.session() as session:
        assert provider.export(session, user) == {
            "offline_devices": [],
            "offline_licences": [],
            "offline_tracks": [],
        }


def test_between_full_checks_only_what_the_catalog_topic_named_is_read_again(
    session_factory: sessionmaker[Session],
) -> None:
    with unit_of_work(session_factory) as session:
        user = account.create_user(
            session, "bo", password="correct horse battery", country="SE", product="premium"
        )
        tracks = publish(
            session, *(make_track(f"Day {n}", album_name="Day Album", track_number=n) for n in (1, 2))
        )
        device, _created = offline.register(session, _caller(user.id), name="Phone", public_key=jwk(2))
        offline.issue(session, _caller(user.id), device.id, f"tonearm:track:{tracks[0]}")
        offline.issue(session, _caller(user.id), device.id, f"tonearm:track:{tracks[1]}")
    # Check-ins in the past and the future around now, when the topic's notes are taken.
    now = utcnow() - timedelta(hours=3)

    def check_in(at: datetime) -> list[str]:
        with unit_of_work(session_factory) as session:
            done = offline.check_in(session, _caller(user.id), device.id, now=at)
            return [row.track_id for row in done.revoked]

    assert check_in(now) == []  # the full check
    with unit_of_work(session_factory) as session:
        catalog_feed.take_down(session, tracks[0], None)
        catalog_feed.take_down(session, tracks[1], None)
    # No consumer ran here: an hour later nothing was named, so nothing is read again...
    assert check_in(now + timedelta(hours=1)) == []
    # ...until the topic names one of them,
    with unit_of_work(session_factory) as session:
        OfflineRightsConsumer().apply(session, _taken_down(tracks[1]))
    assert check_in(now + timedelta(hours=3, minutes=1)) == [tracks[1]]
    # and the next day's full check finds the other without any event.
    assert sorted(check_in(now + timedelta(hours=26))) == sorted(tracks)


def _taken_down(track_id: str) -> list[Delivered]:
    event = make(TRACK_TAKEN_DOWN, {"track_id": track_id, "album_id": "A" * 22, "territory": "WW"})
    return [Delivered(1, utcnow(), event)]
