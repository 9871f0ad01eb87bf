"""An app with songs by six artists in two genres, each song with audio features, listeners
made through their first token, and what shapes their taste: streams and skips (applied as the
playback consumer applies them) and the model trained on them."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from tests.catalog_factory import make_track, publish
from tests.listening.conftest import play
from tests.playlists.conftest import Api
from tonearm.audio import AudioFeatures
from tonearm.catalog import catalog
from tonearm.config import Settings
from tonearm.kit.db import unit_of_work
from tonearm.kit.time import utcnow
from tonearm.recs import train

ARTISTS = 6
SONGS_EACH = 6
GENRES = ("synthpop", "folk")


def features(number: int) -> AudioFeatures:
    """Artists 0-2 (synthpop) fast and energetic, 3-5 (folk) slow and acoustic."""
    fast = number // SONGS_EACH < ARTISTS // 2
    step = (number % SONGS_EACH) / 20
    return AudioFeatures(
        tempo=(128.0 if fast else 84.0) + number,
        key=number % 12,
        mode=1,
        loudness=-8.0,
        time_signature=4,
        duration_ms=240_000,
        energy=(0.8 if fast else 0.2) + step / 2,
        danceability=0.7 if fast else 0.3,
        valence=0.6,
        acousticness=(0.1 if fast else 0.9) - step / 2,
        instrumentalness=0.5,
        speechiness=0.05,
        liveness=0.1,
    )


@dataclass
class Recs(Api):
    def factory(self) -> sessionmaker[Session]:
        return self.client.app.state.session_factory  # type: ignore[attr-defined,no-any-return]

    def stream(self, user: str, *numbers: int, times: int = 1, hours_ago: float = 1.0) -> None:
        user_id = self.user_id(user)
        for number in numbers:
            for _ in range(times):
                play(self.factory(), user_id, self.tracks[number], utcnow() - timedelta(hours=hours_ago))

    def skip(self, user: str, *numbers: int) -> None:
        user_id = self.user_id(user)
        for number in numbers:
            play(
                self.factory(),
                user_id,
                self.tracks[number],
                utcnow() - timedelta(minutes=30),
                ms_played=4_000,
            )

    def train(self) -> None:
        train(self.factory(), self.client.app.state.blobs)  # type: ignore[attr-defined]

    def number(self, track_id: str) -> int:
        return self.tracks.index(track_id)

    def get(self, user: str, path: str, **params: Any) -> Any:
        answer = self.call(user, "GET", path, params=params)
        assert answer.status_code == 200, answer.text
        return answer.json()

    def made(self, user: str, key: str) -> dict[str, Any]:
        lists = self.get(user, "/v1/me/made-for-you")["items"]
        return next(found for found in lists if found["key"] == key)


def artist_of(number: int) -> int:
    return number // SONGS_EACH


def _recs(settings: Settings) -> Iterator[Recs]:
    from tonearm.app import create_app

    app = create_app(settings)
    with TestClient(app, base_url="http://testserver") as client:
        songs = [
            make_track(
                f"Song {n}",
                artist_names=(f"Artist {artist_of(n)}",),
                album_name=f"Album {artist_of(n)}",
                album_artist_names=(f"Artist {artist_of(n)}",),
                genres=(GENRES[0] if artist_of(n) < ARTISTS // 2 else GENRES[1],),
                track_number=n % SONGS_EACH + 1,
                duration_ms=240_000,
                samples=240 * 48000,
            )
            for n in range(ARTISTS * SONGS_EACH)
        ]
        with unit_of_work(app.state.session_factory) as session:
            ids = publish(session, *songs)
            for number, track_id in enumerate(ids):
                catalog.store_audio_features(session, track_id, features(number))
        yield Recs(client, ids)


@pytest.fixture
def api(settings: Settings) -> Iterator[Recs]:
    yield from _recs(settings)


@pytest.fixture(scope="module")
def module_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Recs]:
    """One app for a module whose tests only read what the listeners were taught (each test
    that changes the catalogue or someone's plays takes `api`)."""
    folder = tmp_path_factory.mktemp("recs")
    yield from _recs(Settings(data_dir=folder / "var", rate_limit_url="off", signing_keys="k1:secret"))
