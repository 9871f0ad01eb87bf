"""A small catalog with the names search must get right, published through the catalog; the
event log replicas follow, on SQLite or on the shared NATS server."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.auth import app_token
from tests.backends.eventlog.conftest import nats_available, nats_url  # noqa: F401 (fixtures)
from tests.catalog_factory import make_track, publish
from tonearm.backends.eventlog import EventLog, open_event_log
from tonearm.catalog.feed import feed
from tonearm.config import Settings
from tonearm.kit.db import unit_of_work
from tonearm.kit.relay import OutboxRelay

# name, artists, album, popularity, extra fields
CATALOG = [
    (
        "Mr. Brightside",
        ("The Killers",),
        "Hot Fuss",
        90,
        {"isrc": "USIR20400274", "release_date": "2004-06-07"},
    ),
    ("Somebody Told Me", ("The Killers",), "Hot Fuss", 70, {"release_date": "2004-06-07"}),
    ("Halo", ("Beyoncé",), "I Am... Sasha Fierce", 20, {"release_date": "2008-11-12"}),
    ("Halo Theme Extended Remix", ("Orchestra",), "Themes", 80, {"release_date": "2010-01-01"}),
    ("Thunderstruck", ("AC/DC",), "The Razors Edge", 85, {"release_date": "1990-09-24"}),
    ("Intro", ("Nobody Famous",), "First Steps", 5, {"release_date": "2015-03-01"}),
    ("Intro", ("Everybody Knows",), "Big Record", 95, {"release_date": "2016-03-01"}),
    ("Kickstart My Heart", ("Mötley Crüe",), "Dr. Feelgood", 60, {"release_date": "1989-09-01"}),
    ("Fresh Out Today", ("Newcomer",), "Brand New Thing", 30, {"release_date": "TODAY"}),
    ("Only In Sweden", ("Lokal Band",), "Hemma", 40, {"release_date": "2020-05-05", "territories": ("SE",)}),
]


def publish_catalog(client: TestClient) -> dict[str, str]:
    """Publishes CATALOG; returns track ids by "name/first artist"."""
    factory = client.app.state.session_factory  # type: ignore[attr-defined]
    today = time.strftime("%Y-%m-%d", time.gmtime())
    ids = {}
    with unit_of_work(factory) as session:
        for name, artists, album, popularity, extra in CATALOG:
            fields = {**extra, "release_date": extra["release_date"].replace("TODAY", today)}
            track = make_track(
                name, artist_names=artists, album_name=album, album_artist_names=artists, **fields
            )
            [track_id] = publish(session, track)
            feed.set_popularity(session, "track", track_id, popularity)
            ids[f"{name}/{artists[0]}"] = track_id
    settle(client)
    return ids


def settle(client: TestClient) -> None:
    """Relay the outbox and apply the catalog's events now, instead of waiting for the relay and
    the replica to come round."""
    state = client.app.state  # type: ignore[attr-defined]
    OutboxRelay(state.session_factory, state.event_log).drain()
    state.search.replica.sync()


def until(check: Callable[[], bool], timeout: float) -> float:
    """Seconds until check() holds; fails after `timeout`."""
    started = time.monotonic()
    while not check():
        assert time.monotonic() - started < timeout, f"not within {timeout} s"
        time.sleep(0.01)
    return time.monotonic() - started


@pytest.fixture
def tracks(client: TestClient) -> dict[str, str]:
    """The catalog in this test's own app, for tests that change it."""
    return publish_catalog(client)


@pytest.fixture(scope="module")
def reader(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """One app with the catalog for a module's read-only tests."""
    from tonearm.app import create_app

    settings = Settings(
        data_dir=tmp_path_factory.mktemp("search") / "var", signing_keys="k1:secret", rate_limit_url="off"
    )
    app = create_app(settings)
    with TestClient(app, base_url="http://testserver") as test_client:
        test_client.headers["Authorization"] = f"Bearer {app_token(app)}"
        publish_catalog(test_client)
        yield test_client


@pytest.fixture
def sqlite_log(tmp_path: Path) -> Iterator[EventLog]:
    log = open_event_log(f"sqlite:///{tmp_path / 'events.db'}")
    yield log
    log.close()


@pytest.fixture(params=["sqlite", "nats"])
def event_log_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The log's URL: an SQLite file in the test's folder, or the NATS server under a prefix of
    the test's own (skipped when NATS is not reachable, outside CI)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'events.db'}"
    url: str = request.getfixturevalue("nats_url")
    return url
