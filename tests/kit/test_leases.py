"""Leases: one holder at a time, renewed by its holder, taken over once it expires or by force;
and the outbox: an event is stored with its change or not at all."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from tonearm.events import USER_ERASED, make
from tonearm.kit import leases
from tonearm.kit.db import unit_of_work
from tonearm.kit.outbox import OutboxRow, emit


def test_a_lease_has_one_holder_until_it_expires(session_factory: sessionmaker[Session]) -> None:
    assert leases.take(session_factory, "job", "a", ttl=0.5)
    assert not leases.take(session_factory, "job", "b", ttl=0.5)
    assert leases.take(session_factory, "job", "a", ttl=0.5), "the holder renews"
    time.sleep(0.6)
    assert leases.take(session_factory, "job", "b", ttl=10)
    holder = leases.holder(session_factory, "job")
    assert holder is not None and holder[0] == "b"


def test_force_takes_a_lease_and_release_frees_it(session_factory: sessionmaker[Session]) -> None:
    assert leases.take(session_factory, "job", "a", ttl=60)
    assert leases.take(session_factory, "job", "operator", ttl=60, force=True)
    assert not leases.take(session_factory, "job", "a", ttl=60), "the old holder finds it gone"
    leases.release(session_factory, "job", "operator")
    assert leases.holder(session_factory, "job") is None
    assert leases.take(session_factory, "job", "a", ttl=60)


def _outbox_size(factory: sessionmaker[Session]) -> int:
    with factory() as session:
        return session.scalar(select(func.count()).select_from(OutboxRow)) or 0


def test_an_event_emitted_in_a_rolled_back_change_is_never_stored(
    session_factory: sessionmaker[Session],
) -> None:
    with pytest.raises(RuntimeError), unit_of_work(session_factory) as session:
        emit(session, make(USER_ERASED, {"user_id": "u" * 22, "providers": []}))
        raise RuntimeError("the change failed")
    assert _outbox_size(session_factory) == 0
    with unit_of_work(session_factory) as session:
        emit(session, make(USER_ERASED, {"user_id": "u" * 22, "providers": []}))
    assert _outbox_size(session_factory) == 1
