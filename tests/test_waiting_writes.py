"""A write that waits for SQLite's write lock must not hold up the server: it waits in a worker
thread, and every other request goes on being answered. A write waiting in the event loop
once deadlocked sign-out for ten seconds (the lock's holder needed the loop to commit)."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import httpx
import pytest
from fastapi.testclient import TestClient

from tests.auth import PASSWORD, bearer, user_token
from tonearm.config import Settings
from tonearm.kit.db import has_written, make_engine, make_session_factory, unit_of_work

HELD_SECONDS = 3.0


@contextmanager
def write_lock_held(settings: Settings) -> Iterator[None]:
    """Another process's long write transaction, for HELD_SECONDS from when the block starts."""
    holder = sqlite3.connect(settings.data_dir / "tonearm.db", isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    released = threading.Timer(HELD_SECONDS, holder.execute, args=("ROLLBACK",))
    released.start()
    try:
        yield
    finally:
        released.join()
        holder.close()


def answered_while_waiting(
    client: TestClient, settings: Settings, write: Callable[[], httpx.Response], token: str
) -> tuple[float, httpx.Response]:
    """How long a read took while `write` waited for the lock, and the write's answer."""
    with write_lock_held(settings), ThreadPoolExecutor(2) as pool:
        waiting = pool.submit(write)
        time.sleep(0.2)  # the write is in, waiting for the lock
        started = time.monotonic()
        read = client.get("/v1/me", headers=bearer(token))
        took = time.monotonic() - started
        assert read.status_code == 200
        written = waiting.result(timeout=15)
    return took, written


@pytest.mark.parametrize("route", ["login", "signup", "create-playlist"])
def test_other_requests_are_answered_while_a_write_waits_for_the_lock(
    client: TestClient, settings: Settings, route: str
) -> None:
    token = user_token(client.app, "ada")
    writes: dict[str, Callable[[], httpx.Response]] = {
        # A failed sign-in is counted (a write), and so answered 401.
        "login": lambda: client.post("/login", data={"name": "ada", "password": "wrong" + PASSWORD}),
        "signup": lambda: client.post(
            "/signup", data={"name": "grace", "password": PASSWORD, "country": "NO"}, follow_redirects=False
        ),
        "create-playlist": lambda: client.post(
            "/v1/me/playlists", json={"name": "Waiting"}, headers=bearer(token)
        ),
    }
    took, written = answered_while_waiting(client, settings, writes[route], token)
    # Well under the lock's hold: the read did not queue behind the waiting write.
    assert took < HELD_SECONDS / 2, f"a read took {took:.2f} s while a {route} write waited"
    assert written.status_code in {"login": (401,), "signup": (303,), "create-playlist": (201,)}[route]


def test_a_session_knows_when_its_transaction_writes(settings: Settings) -> None:
    from sqlalchemy import text

    factory = make_session_factory(make_engine(f"sqlite:///{settings.data_dir / 'tonearm.db'}"))
    with unit_of_work(factory) as session:
        session.execute(text("SELECT 1"))
        assert not has_written(session)
    with unit_of_work(factory) as session:
        session.execute(text("UPDATE users SET display_name = display_name WHERE 0"))
        assert has_written(session)
