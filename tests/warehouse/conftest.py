"""Plays for the warehouse tests, made as the playback consumer makes them (the listening test
helpers), on days the listening history still holds; and the rows of an exported file."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from sqlalchemy.orm import Session, sessionmaker

from tests.listening.conftest import apply_events, make_tracks, make_user, play, play_events
from tonearm.config import Settings
from tonearm.kit.time import utcnow
from tonearm.runtime import Runtime, open_runtime

__all__ = ["apply_events", "at", "make_tracks", "make_user", "play", "play_events", "rows"]

# A week ago: well inside the 90-day history, outside the days a test might run across.
DAY = utcnow().date() - timedelta(days=7)


def at(day: date, hours: float = 0) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC) + timedelta(hours=hours)


def rows(path: Path) -> list[dict[str, Any]]:
    return pq.ParquetFile(path).read().to_pylist()


@pytest.fixture
def cli_env(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[Runtime]:
    """The `settings` as the environment a `tonearm` command reads, and the runtime on them."""
    monkeypatch.setenv("TONEARM_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("TONEARM_SIGNING_KEYS", settings.signing_keys)
    runtime = open_runtime(Settings())
    yield runtime
    runtime.close()


@pytest.fixture
def song_and_ada(session_factory: sessionmaker[Session]) -> tuple[str, str]:
    [song] = make_tracks(session_factory, "Song")
    return song, make_user(session_factory, "ada")
