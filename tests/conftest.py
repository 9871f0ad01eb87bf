"""Shared fixtures: settings in a temp folder, a database on SQLite and on PostgreSQL, and a test
client holding an app's token."""

from __future__ import annotations

import os
import secrets
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from tests.auth import app_token
from tonearm.config import Settings
from tonearm.kit.db import make_engine, make_session_factory, migrate
from tonearm.kit.passwords import use_password_cost

# The suite makes about a thousand accounts: argon2id at one pass over 1 MiB (3 ms a hash) instead
# of the deployed 3 passes over 64 MiB (130-270 ms). The environment carries it to the servers
# tests start as processes; tests/kit/test_passwords.py checks the deployed default itself.
FAST_PASSWORDS = {"TONEARM_PASSWORD_HASH_TIME_COST": "1", "TONEARM_PASSWORD_HASH_MEMORY_KIB": "1024"}
os.environ.update(FAST_PASSWORDS)
use_password_cost(1, 1024)

REDIS_URL = os.environ.get("TONEARM_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
POSTGRES_URL = os.environ.get("TONEARM_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def _postgres_reachable() -> bool:
    import psycopg

    try:
        psycopg.connect(POSTGRES_URL, connect_timeout=2).close()
    except psycopg.OperationalError:
        return False
    return True


@pytest.fixture(scope="session")
def postgres_available() -> bool:
    return _postgres_reachable()


@pytest.fixture
def postgres_url(postgres_available: bool) -> Iterator[str]:
    """A fresh schema on the PostgreSQL server, dropped afterwards."""
    if not postgres_available:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is not reachable at {POSTGRES_URL} in CI")
        pytest.skip(f"PostgreSQL is not reachable at {POSTGRES_URL}")
    import psycopg

    schema = f"t_{secrets.token_hex(6)}"
    with psycopg.connect(POSTGRES_URL, autocommit=True) as connection:
        connection.execute(f"CREATE SCHEMA {schema}")
    yield f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
    with psycopg.connect(POSTGRES_URL, autocommit=True) as connection:
        connection.execute(f"DROP SCHEMA {schema} CASCADE")


def _redis_reachable() -> bool:
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError:
        return False
    return True


@pytest.fixture(scope="session")
def redis_available() -> bool:
    return _redis_reachable()


@pytest.fixture
def redis_url(redis_available: bool) -> Iterator[str]:
    """The Redis server under a namespace of this test's own; only its keys are deleted afterwards."""
    if not redis_available:
        if os.environ.get("CI"):
            pytest.fail(f"Redis is not reachable at {REDIS_URL} in CI")
        pytest.skip(f"Redis is not reachable at {REDIS_URL}")
    import redis

    namespace = f"test-{secrets.token_hex(6)}"
    yield f"{REDIS_URL}?namespace={namespace}"
    client = redis.Redis.from_url(REDIS_URL)
    for concern in ("rl", "player"):  # the rate limiter's keys, the player hub's
        for key in client.scan_iter(match=f"tonearm:{concern}:{namespace}:*"):
            client.delete(key)
    client.close()


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite database migrated to the newest revision once per run. Each test's database
    starts as a copy of it (migrate() then finds nothing to do), which saves the suite some
    0.4 s per app; the tests of migrate() itself migrate databases of their own."""
    path = tmp_path_factory.mktemp("schema") / "tonearm.db"
    engine = make_engine(f"sqlite:///{path}")
    migrate(engine)
    engine.dispose()
    return path


def copy_database(template: Path, target: Path) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(template) as source, sqlite3.connect(target) as copy:
        source.backup(copy)
    return target


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path, migrated_sqlite: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{copy_database(migrated_sqlite, tmp_path / 'tonearm.db')}"
    url: str = request.getfixturevalue("postgres_url")
    return url


@pytest.fixture
def session_factory(database_url: str) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(database_url)
    migrate(engine)
    yield make_session_factory(engine)
    engine.dispose()


@pytest.fixture
def settings(tmp_path: Path, migrated_sqlite: Path) -> Settings:
    copy_database(migrated_sqlite, tmp_path / "var" / "tonearm.db")
    return Settings(
        data_dir=tmp_path / "var",
        # Quotas are tested on their own; the other tests send many requests from one token.
        rate_limit_url="off",
        signing_keys="k1:first-secret,k0:older-secret",
        max_master_seconds=60,
        max_master_bytes=20 * 1024 * 1024,
        max_upload_bytes=30 * 1024 * 1024,
    )


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    from tonearm.app import create_app

    app = create_app(settings)
    with TestClient(app, base_url="http://testserver") as test_client:
        # An app's own token: every /v1 route needs one; user tokens come from tests.auth.
        test_client.headers["Authorization"] = f"Bearer {app_token(app)}"
        yield test_client
