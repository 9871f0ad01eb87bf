"""An app with songs by different artists, users made through their first token, and what a
listener does to shape their taste: stream a track (as the playback consumer counts it) and
save one."""

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
from tonearm.config import Settings
from tonearm.kit.db import unit_of_work
from tonearm.kit.time import utcnow

SONGS = 12


@dataclass
class Blends(Api):
    def factory(self) -> sessionmaker[Session]:
        return self.client.app.state.session_factory  # type: ignore[attr-defined,no-any-return]

    def stream(self, user: str, *numbers: int, times: int = 1) -> None:
        """The user streams each of these songs `times` times (over 30 s each, so they count)."""
        user_id = self.user_id(user)
        for number in numbers:
            for _ in range(times):
                play(self.factory(), user_id, self.tracks[number], utcnow() - timedelta(hours=1))

    def save(self, user: str, *numbers: int) -> None:
        ids = ",".join(self.tracks[n] for n in numbers)
        assert self.call(user, "PUT", f"/v1/me/tracks?ids={ids}").status_code == 200

    def invite(self, user: str, other: str) -> dict[str, Any]:
        answer = self.call(user, "POST", "/v1/me/blends", json={"user_id": self.user_id(other)})
        assert answer.status_code == 201, answer.text
        return dict(answer.json())

    def accepted(self, user: str, other: str) -> dict[str, Any]:
        """A blend `user` invited `other` to, and `other` accepted."""
        invited = self.invite(user, other)
        answer = self.call(other, "POST", f"/v1/blends/{invited['id']}/accept")
        assert answer.status_code == 200, answer.text
        return dict(answer.json())

    def blend(self, user: str, blend_id: str) -> dict[str, Any]:
        answer = self.call(user, "GET", f"/v1/blends/{blend_id}")
        assert answer.status_code == 200, answer.text
        return dict(answer.json())

    def mixed(self, user: str, blend_id: str) -> list[tuple[int, str]]:
        """The blend's tracks as (song number, reason)."""
        number = {track_id: n for n, track_id in enumerate(self.tracks)}
        return [(number[t["track"]["id"]], t["reason"]) for t in self.blend(user, blend_id)["tracks"]]

    def songs_in(self, user: str, playlist_id: str) -> list[int]:
        number = {track_id: n for n, track_id in enumerate(self.tracks)}
        return [number[track_id] for track_id in self.track_ids(user, playlist_id)]

    def snapshot_count(self, user: str, playlist_id: str) -> int:
        answer = self.call(user, "GET", f"/v1/playlists/{playlist_id}/snapshots")
        assert answer.status_code == 200, answer.text
        return int(answer.json()["total"])


def _blends(settings: Settings) -> Iterator[Blends]:
    from tonearm.app import create_app

    app = create_app(settings)
    with TestClient(app, base_url="http://testserver") as client:
        # Four minutes long, as songs are (plays are checked against the length), each song by
        # an artist of its own.
        songs = [
            make_track(
                f"Song {n}",
                artist_names=(f"Artist {n}",),
                track_number=n + 1,
                duration_ms=240_000,
                samples=240 * 48000,
            )
            for n in range(SONGS)
        ]
        with unit_of_work(app.state.session_factory) as session:
            ids = publish(session, *songs)
        yield Blends(client, ids)


@pytest.fixture
def api(settings: Settings) -> Iterator[Blends]:
    yield from _blends(settings)


@pytest.fixture
def postgres_api(settings: Settings, postgres_url: str) -> Iterator[Blends]:
    yield from _blends(settings.model_copy(update={"database_url": postgres_url}))
