"""The playback manifest: renditions by tier, rights by market, loudness gain."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient

from tests.auth import bearer, user_token
from tests.catalog_factory import make_track, publish
from tonearm.catalog.models import Right
from tonearm.kit.db import unit_of_work


@pytest.fixture
def client(client: TestClient) -> TestClient:
    """The shared client, signed in as a premium listener in Sweden."""
    client.headers["Authorization"] = f"Bearer {user_token(client.app, 'ada')}"
    return client


@pytest.fixture
def track_id(client: TestClient) -> str:
    with unit_of_work(client.app.state.session_factory) as session:  # type: ignore[attr-defined]
        [track] = publish(session, make_track("Manifested"))
        session.add(Right(track_id=track, territory="JP", allowed=False))
    return track


def test_a_premium_manifest_has_the_whole_ladder_signed(client: TestClient, track_id: str) -> None:
    body = client.get(f"/v1/tracks/{track_id}/manifest").json()
    assert [r["rung"] for r in body["renditions"]] == ["opus_24", "vorbis_320", "flac"]
    first = body["renditions"][0]
    assert {
        "codec",
        "bitrate",
        "container",
        "url",
        "sample_rate",
        "channels",
        "encoder_delay",
        "padding",
        "samples",
        "bytes",
    } <= first.keys()
    query = parse_qs(urlsplit(first["url"]).query)
    assert set(query) == {"exp", "uid", "kid", "sig"}
    assert first["url"].startswith("http://testserver/media/audio/")
    assert body["hls"].startswith("http://testserver/media/hls/")
    assert body["duration_ms"] == 1000


def test_a_free_manifest_has_no_premium_renditions(client: TestClient, track_id: str) -> None:
    free = bearer(user_token(client.app, "bo", product="free"))
    body = client.get(f"/v1/tracks/{track_id}/manifest", headers=free).json()
    assert [r["rung"] for r in body["renditions"]] == ["opus_24"]
    # The tier is the account's: a free listener asking for premium gets the same.
    asked = client.get(f"/v1/tracks/{track_id}/manifest", params={"product": "premium"}, headers=free)
    assert [r["rung"] for r in asked.json()["renditions"]] == ["opus_24"]


def test_the_loudness_gain_brings_the_track_to_minus_14_lufs(client: TestClient, track_id: str) -> None:
    loudness = client.get(f"/v1/tracks/{track_id}/manifest").json()["loudness"]
    assert loudness["integrated_lufs"] == -18.0
    # +4 dB would reach -14 LUFS but would push the -3 dBTP peak over -1 dBTP: limited to +2.
    assert loudness["gain_db"] == pytest.approx(2.0, abs=0.01)


def test_a_track_barred_in_the_market_gets_403_with_the_reason(client: TestClient, track_id: str) -> None:
    in_japan = bearer(user_token(client.app, "kenji", country="JP"))
    response = client.get(f"/v1/tracks/{track_id}/manifest", headers=in_japan)
    assert response.status_code == 403
    assert response.json()["error"]["reason"] == "market"
    assert "JP" in response.json()["error"]["message"]
    # The account's country decides, not ?market=.
    assert client.get(f"/v1/tracks/{track_id}/manifest", params={"market": "JP"}).status_code == 200
    asked_for_sweden = client.get(
        f"/v1/tracks/{track_id}/manifest", headers=in_japan, params={"market": "SE"}
    )
    assert asked_for_sweden.status_code == 403


def test_unknown_and_malformed_tracks_get_404_and_400(client: TestClient) -> None:
    assert client.get(f"/v1/tracks/{'0' * 22}/manifest").status_code == 404
    assert client.get("/v1/tracks/nope/manifest").status_code == 400


def test_a_new_restriction_stops_the_very_next_manifest(client: TestClient, track_id: str) -> None:
    assert client.get(f"/v1/tracks/{track_id}/manifest").status_code == 200
    with unit_of_work(client.app.state.session_factory) as session:  # type: ignore[attr-defined]
        session.add(Right(track_id=track_id, territory="SE", allowed=False))
    response = client.get(f"/v1/tracks/{track_id}/manifest")
    assert response.status_code == 403
    assert response.json()["error"]["reason"] == "market"


def test_a_manifest_is_a_pure_read_that_writes_no_play(client: TestClient, track_id: str) -> None:
    runtime = client.app.state.runtime  # type: ignore[attr-defined]
    tables = ("plays", "play_tallies", "playback_receipts")

    def written() -> dict[str, int]:
        """Rows in the play tables, and every event ever queued: the relay moves an event from
        the outbox to the log, so this is counted once the outbox has been drained."""
        deadline = time.monotonic() + 5
        while True:
            with runtime.engine.connect() as connection:
                queued = connection.exec_driver_sql("SELECT count(*) FROM outbox").scalar()
                counts = {
                    table: connection.exec_driver_sql(f"SELECT count(*) FROM {table}").scalar()
                    for table in tables
                }
            if queued == 0:
                break
            assert time.monotonic() < deadline, "the relay did not drain the outbox"
            time.sleep(0.02)
        counts["events"] = sum(topic.messages for topic in runtime.event_log.status())
        return counts

    before = written()
    for _ in range(3):
        assert client.get(f"/v1/tracks/{track_id}/manifest").status_code == 200
    assert written() == before
    assert client.get("/v1/me/player/recently-played").json()["items"] == []
