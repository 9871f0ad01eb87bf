"""Audio features as the catalog keeps and serves them: Spotify's object at
/v1/audio-features, null or 404 for what is unknown or not analysed, and the migration that
makes their table."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from tests.catalog_factory import make_track, publish
from tonearm.audio import ANALYSER, AudioFeatures
from tonearm.catalog import catalog
from tonearm.kit.db import Base, make_engine, migrate, unit_of_work

UNKNOWN = "0" * 22
FEATURES = AudioFeatures(
    tempo=118.211,
    key=5,
    mode=0,
    loudness=-9.25,
    time_signature=4,
    duration_ms=207_959,
    energy=0.81,
    danceability=0.735,
    valence=0.624,
    acousticness=0.0121,
    instrumentalness=0.0041,
    speechiness=0.0461,
    liveness=0.0892,
)
SPOTIFY_FIELDS = {
    "acousticness",
    "analysis_url",
    "danceability",
    "duration_ms",
    "energy",
    "id",
    "instrumentalness",
    "key",
    "liveness",
    "loudness",
    "mode",
    "speechiness",
    "tempo",
    "time_signature",
    "track_href",
    "type",
    "uri",
    "valence",
}


@pytest.fixture
def tracks(client: TestClient) -> dict[str, str]:
    with unit_of_work(client.app.state.session_factory) as session:  # type: ignore[attr-defined]
        analysed, pending = publish(
            session, make_track("Analysed", features=FEATURES), make_track("Not Yet")
        )
    return {"analysed": analysed, "pending": pending}


def test_a_tracks_features_come_as_spotifys_object(client: TestClient, tracks: dict[str, str]) -> None:
    track_id = tracks["analysed"]
    body = client.get(f"/v1/audio-features/{track_id}").json()
    assert set(body) == SPOTIFY_FIELDS
    assert body["type"] == "audio_features"
    assert body["id"] == track_id
    assert body["uri"] == f"tonearm:track:{track_id}"
    assert body["track_href"] == f"http://testserver/v1/tracks/{track_id}"
    assert body["analysis_url"] == f"http://testserver/v1/audio-analysis/{track_id}"
    assert (body["tempo"], body["key"], body["mode"], body["loudness"]) == (118.211, 5, 0, -9.25)
    assert (body["time_signature"], body["duration_ms"], body["energy"]) == (4, 207_959, 0.81)


def test_the_uri_form_of_an_id_is_taken(client: TestClient, tracks: dict[str, str]) -> None:
    answer = client.get(f"/v1/audio-features/spotify:track:{tracks['analysed']}")
    assert answer.status_code == 200


def test_an_unknown_track_is_404_and_an_unanalysed_one_says_so(
    client: TestClient, tracks: dict[str, str]
) -> None:
    unknown = client.get(f"/v1/audio-features/{UNKNOWN}")
    assert unknown.status_code == 404
    assert unknown.json()["error"] == {"status": 404, "message": f"track '{UNKNOWN}' not found"}
    pending = client.get(f"/v1/audio-features/{tracks['pending']}")
    assert pending.status_code == 404
    assert "not been analysed" in pending.json()["error"]["message"]


def test_several_keep_the_order_asked_with_null_for_unknown_and_unanalysed(
    client: TestClient, tracks: dict[str, str]
) -> None:
    ids = [tracks["pending"], tracks["analysed"], UNKNOWN, tracks["analysed"]]
    body = client.get("/v1/audio-features", params={"ids": ",".join(ids)}).json()
    found = body["audio_features"]
    assert [f and f["id"] for f in found] == [None, tracks["analysed"], None, tracks["analysed"]]
    assert set(found[1]) == SPOTIFY_FIELDS


def test_a_malformed_id_or_more_than_100_is_a_400_in_spotifys_shape(
    client: TestClient, tracks: dict[str, str]
) -> None:
    bad = client.get("/v1/audio-features/not-an-id")
    assert bad.status_code == 400
    assert bad.json()["error"]["status"] == 400
    many = client.get("/v1/audio-features", params={"ids": ",".join([tracks["analysed"]] * 101)})
    assert many.status_code == 400
    assert "at most 100" in many.json()["error"]["message"]
    assert client.get("/v1/audio-features", params={"ids": f"{UNKNOWN},nope"}).status_code == 400
    assert client.get("/v1/audio-features", params={"ids": ",".join([UNKNOWN] * 100)}).status_code == 200


def test_the_routes_need_a_token(client: TestClient, tracks: dict[str, str]) -> None:
    for url in (f"/v1/audio-features/{tracks['analysed']}", f"/v1/audio-features?ids={tracks['analysed']}"):
        answer = client.get(url, headers={"Authorization": ""})
        assert answer.status_code == 401
        assert answer.json()["error"]["status"] == 401


def test_storing_again_replaces_the_earlier_analysis(session_factory: sessionmaker[Session]) -> None:
    with unit_of_work(session_factory) as session:
        (track_id,) = publish(session, make_track("Song", features=replace(FEATURES, analyser="old/0")))
    with unit_of_work(session_factory) as session:
        assert catalog.count_unanalysed(session) == 1
        catalog.store_audio_features(session, track_id, FEATURES)
    with unit_of_work(session_factory) as session:
        assert catalog.audio_features(session, [track_id, UNKNOWN]) == {track_id: FEATURES}
        assert catalog.count_unanalysed(session) == 0
        assert catalog.unanalysed_tracks(session) == []
        assert FEATURES.analyser == ANALYSER


def test_the_migrations_make_exactly_the_features_table_the_models_describe(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'parity.db'}")
    migrate(engine)
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    engine.dispose()
    ours = [d for d in differences if "audio_features" in repr(d)]
    assert ours == []
