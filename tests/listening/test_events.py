"""POST /v1/me/player/events as a player sends it: per-event answers, idempotent by event_id,
bad events rejected with a reason while the rest are kept, and the plays they make showing up
in recently-played and top items through the event log and its consumer."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from datetime import timedelta, timezone
from typing import Any

import orjson
import pytest
from fastapi.testclient import TestClient

from tests.listening.conftest import bearer, factory, first_party_token, make_tracks, make_user
from tonearm.app import create_app
from tonearm.config import Settings
from tonearm.errors import BackendError
from tonearm.kit.time import iso_ms, utcnow
from tonearm.listening.intake import MAX_BODY_BYTES

PATH = "/v1/me/player/events"
SCOPE = "streaming user-read-recently-played user-top-read"


def event(track_id: str, kind: str = "play.start", **fields: Any) -> dict[str, Any]:
    return {
        "type": kind,
        "event_id": uuid.uuid4().hex,
        "track_id": track_id,
        "context_uri": None,
        "device_id": "ada-laptop",
        "position_ms": 0,
        "ms_played": 0,
        "timestamp": iso_ms(utcnow()),
        "offline": False,
        **fields,
    }


def a_play(track_id: str, ms_played: int, *, ending: str = "play.end", **fields: Any) -> list[dict[str, Any]]:
    start = utcnow() - timedelta(milliseconds=ms_played + 1000)
    return [
        event(track_id, "play.start", timestamp=iso_ms(start), **fields),
        event(track_id, ending, ms_played=ms_played, position_ms=ms_played, **fields),
    ]


@pytest.fixture
def ada(api: TestClient) -> dict[str, Any]:
    sessions = factory(api)
    tracks = make_tracks(sessions, "Long Song", "Other Song")
    make_user(sessions, "ada")
    make_user(sessions, "bo")
    return {
        "tracks": tracks,
        "token": first_party_token(sessions, "ada", SCOPE),
        "bo": first_party_token(sessions, "bo", SCOPE),
    }


def send(api: TestClient, token: str, events: list[Any]) -> dict[str, Any]:
    answer = api.post(PATH, json={"events": events}, headers=bearer(token))
    assert answer.status_code == 200, answer.text
    return answer.json()  # type: ignore[no-any-return]


def statuses(body: dict[str, Any]) -> list[str]:
    return [item["status"] for item in body["events"]]


def eventually(check: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "not within the time"
        time.sleep(0.02)


def recently_played(api: TestClient, token: str) -> list[dict[str, Any]]:
    return api.get("/v1/me/player/recently-played", headers=bearer(token)).json()["items"]  # type: ignore[no-any-return]


def tallied(api: TestClient) -> int:
    with api.app.state.runtime.engine.connect() as connection:  # type: ignore[attr-defined]
        return int(connection.exec_driver_sql("SELECT coalesce(sum(plays), 0) FROM play_tallies").scalar())


def test_a_play_reported_by_events_is_in_recently_played_within_a_second(
    api: TestClient, ada: dict[str, Any]
) -> None:
    song = ada["tracks"][0]
    body = send(api, ada["token"], a_play(song, 45_000, context_uri=f"tonearm:album:{'A' * 22}"))
    assert statuses(body) == ["accepted", "accepted"] and body["accepted"] == 2
    started = time.monotonic()
    eventually(lambda: len(recently_played(api, ada["token"])) == 1, timeout=1.0)
    assert time.monotonic() - started < 1.0
    [item] = recently_played(api, ada["token"])
    assert item["track"]["id"] == song and item["context"]["uri"] == f"tonearm:album:{'A' * 22}"
    eventually(lambda: tallied(api) == 1)


def test_a_timestamp_with_an_offset_is_played_at_its_moment_in_utc(
    api: TestClient, ada: dict[str, Any]
) -> None:
    moment = (utcnow() - timedelta(minutes=2)).replace(microsecond=250_000)
    in_stockholm = moment.astimezone(timezone(timedelta(hours=1))).isoformat()
    assert statuses(send(api, ada["token"], [event(ada["tracks"][0], timestamp=in_stockholm)])) == [
        "accepted"
    ]
    eventually(lambda: len(recently_played(api, ada["token"])) == 1)
    assert recently_played(api, ada["token"])[0]["played_at"] == iso_ms(moment)


def test_a_skip_at_5_seconds_is_history_but_not_a_stream(api: TestClient, ada: dict[str, Any]) -> None:
    song = ada["tracks"][0]
    send(api, ada["token"], a_play(song, 5_000, ending="play.skip"))
    eventually(lambda: len(recently_played(api, ada["token"])) == 1)
    time.sleep(0.3)
    assert tallied(api) == 0
    top = api.get("/v1/me/top/tracks", params={"time_range": "short_term"}, headers=bearer(ada["token"]))
    assert top.json()["items"] == [] and top.json()["total"] == 0


def test_a_resent_batch_is_answered_duplicate_and_never_counts_twice(
    api: TestClient, ada: dict[str, Any]
) -> None:
    events = a_play(ada["tracks"][0], 40_000)
    assert statuses(send(api, ada["token"], events)) == ["accepted", "accepted"]
    assert statuses(send(api, ada["token"], events)) == ["duplicate", "duplicate"]
    eventually(lambda: tallied(api) == 1)
    time.sleep(0.3)
    assert tallied(api) == 1 and len(recently_played(api, ada["token"])) == 1


def test_an_offline_event_sent_again_days_later_is_still_a_duplicate(
    api: TestClient, ada: dict[str, Any]
) -> None:
    # Past the log's de-duplication window: the consumer's receipts answer.
    start = utcnow() - timedelta(days=3)
    events = [
        event(ada["tracks"][0], "play.start", timestamp=iso_ms(start), offline=True),
        event(
            ada["tracks"][0],
            "play.end",
            ms_played=60_000,
            timestamp=iso_ms(start + timedelta(minutes=1)),
            offline=True,
        ),
    ]
    assert statuses(send(api, ada["token"], events)) == ["accepted", "accepted"]
    eventually(lambda: tallied(api) == 1)
    [item] = recently_played(api, ada["token"])
    # The play keeps the time it happened, not the time it arrived.
    assert item["played_at"] == iso_ms(start)
    assert statuses(send(api, ada["token"], events)) == ["duplicate", "duplicate"]


def test_bad_events_are_rejected_with_a_reason_and_the_rest_kept(
    api: TestClient, ada: dict[str, Any]
) -> None:
    song = ada["tracks"][0]
    now = utcnow()
    send(api, ada["bo"], [event(song, device_id="bo-phone")])
    bad = [
        ("not an object", "a JSON object"),
        ({"type": "play.start"}, "event_id"),
        (event(song, "play.explode"), "type must be one of"),
        (event("0" * 22), "unknown track"),
        (event("nope"), "track_id"),
        (event(song, timestamp=iso_ms(now + timedelta(hours=1))), "future"),
        (event(song, timestamp=iso_ms(now - timedelta(days=31))), "30 days"),
        (event(song, timestamp="yesterday"), "ISO 8601"),
        (event(song, timestamp="2026-12-01T10:00:00"), "offset from UTC"),
        (event(song, ms_played=-1), "negative"),
        (event(song, ms_played="10"), "whole number"),
        (event(song, ms_played=True), "whole number"),
        (event(song, ms_played=10_000_000), "more than the track's length"),
        (event(song, position_ms=10_000_000), "past the track's end"),
        (event(song, device_id="bo-phone"), "another user"),
        (event(song, device_id="a b"), "device_id"),
        (event(song, context_uri="javascript:alert(1)"), "context_uri"),
        (event(song, offline="yes"), "offline"),
    ]
    good = event(song)
    body = send(api, ada["token"], [item for item, _ in bad] + [good])
    answers = body["events"]
    assert len(answers) == len(bad) + 1 and body["rejected"] == len(bad)
    for (_, reason), answer in zip(bad, answers, strict=False):
        assert answer["status"] == "rejected" and reason in answer["reason"], answer
    assert answers[-1] == {"event_id": good["event_id"], "status": "accepted"}
    eventually(lambda: len(recently_played(api, ada["token"])) == 1)


def test_a_batch_over_500_events_or_over_its_byte_limit_is_refused(
    api: TestClient, ada: dict[str, Any]
) -> None:
    song = ada["tracks"][0]
    over = api.post(PATH, json={"events": [event(song) for _ in range(501)]}, headers=bearer(ada["token"]))
    assert over.status_code == 400 and "at most 500" in over.json()["error"]["message"]
    huge = b'{"events": ["' + b"x" * MAX_BODY_BYTES + b'"]}'
    too_big = api.post(
        PATH, content=huge, headers={**bearer(ada["token"]), "Content-Type": "application/json"}
    )
    assert too_big.status_code == 413
    for body in (b"not json", b'{"events": 5}', b"[]"):
        answer = api.post(
            PATH, content=body, headers={**bearer(ada["token"]), "Content-Type": "application/json"}
        )
        assert answer.status_code == 400
    assert recently_played(api, ada["token"]) == []


def test_sendbeacon_sends_the_token_in_a_text_body(api: TestClient, ada: dict[str, Any]) -> None:
    body = orjson.dumps({"access_token": ada["token"], "events": [event(ada["tracks"][0])]})
    answer = api.post(PATH, content=body, headers={"Content-Type": "text/plain;charset=UTF-8"})
    assert answer.status_code == 200 and statuses(answer.json()) == ["accepted"]
    refused = api.post(PATH, content=orjson.dumps({"events": []}), headers={"Content-Type": "text/plain"})
    assert refused.status_code == 401
    wrong = orjson.dumps({"access_token": "forged", "events": [event(ada["tracks"][0])]})
    assert api.post(PATH, content=wrong).status_code == 401


def test_a_token_without_a_playback_scope_is_refused(api: TestClient, ada: dict[str, Any]) -> None:
    token = first_party_token(factory(api), "ada", "user-read-private")
    answer = api.post(PATH, json={"events": [event(ada["tracks"][0])]}, headers=bearer(token))
    assert answer.status_code == 403 and "streaming" in answer.json()["error"]["message"]


def test_a_log_that_cannot_store_answers_503_with_retry_after_and_accepts_nothing(
    api: TestClient, ada: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    def down(*_args: object) -> None:
        raise BackendError("event log append failed: down")

    monkeypatch.setattr(api.app.state.playback_intake.log, "append", down)  # type: ignore[attr-defined]
    answer = api.post(PATH, json={"events": [event(ada["tracks"][0])]}, headers=bearer(ada["token"]))
    assert answer.status_code == 503 and int(answer.headers["Retry-After"]) >= 1


def test_top_tracks_and_artists_rank_what_was_streamed_most(api: TestClient, ada: dict[str, Any]) -> None:
    long_song, other = ada["tracks"]
    for _ in range(3):
        send(api, ada["token"], a_play(long_song, 50_000))
    send(api, ada["token"], a_play(other, 31_000))
    eventually(lambda: tallied(api) == 4)
    for time_range in ("short_term", "medium_term", "long_term"):
        page = api.get(
            "/v1/me/top/tracks", params={"time_range": time_range, "limit": 1}, headers=bearer(ada["token"])
        ).json()
        assert [track["name"] for track in page["items"]] == ["Long Song"] and page["total"] == 2
        assert page["next"] is not None and page["previous"] is None
    artists = api.get("/v1/me/top/artists", headers=bearer(ada["token"])).json()
    assert [artist["name"] for artist in artists["items"]] == ["Long Song Band", "Other Song Band"]
    bad = api.get("/v1/me/top/tracks", params={"time_range": "forever"}, headers=bearer(ada["token"]))
    assert bad.status_code == 400


def test_a_second_lifespan_of_one_app_still_takes_and_applies_events(settings: Settings) -> None:
    """A test client (or schemathesis) may start and stop one app's lifespan several times: the
    backends stay open and the relay and consumers start again."""
    app = create_app(settings)
    with TestClient(app, base_url="http://testserver") as api:
        sessions = factory(api)
        [song] = make_tracks(sessions, "Encore")
        make_user(sessions, "ada")
        token = first_party_token(sessions, "ada", SCOPE)
        assert statuses(send(api, token, a_play(song, 40_000))) == ["accepted", "accepted"]
        eventually(lambda: len(recently_played(api, token)) == 1)
    with TestClient(app, base_url="http://testserver") as api:
        assert statuses(send(api, token, a_play(song, 40_000))) == ["accepted", "accepted"]
        eventually(lambda: len(recently_played(api, token)) == 2)
        eventually(lambda: tallied(api) == 2)
