"""Nobody controls another user's devices or reads their state; bad input is a clear 4xx in
Spotify's shape and leaves the state as it was."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.auth import bearer, user_token
from tests.player.conftest import Catalog
from tonearm.catalog import catalog_feed
from tonearm.kit.db import unit_of_work
from tonearm.kit.ids import uri


@pytest.fixture
def playing(
    api: TestClient, listener: str, as_listener: dict[str, str], tracks: Catalog, connect: Callable[..., Any]
) -> Any:
    """The listener's laptop, playing the album's first track at 10 s."""
    with connect(listener, "laptop-1") as device:
        body = {"context_uri": uri("album", tracks.album), "position_ms": 10_000}
        assert (
            api.put("/v1/me/player/play?device_id=laptop-1", headers=as_listener, json=body).status_code
            == 204
        )
        device.command("laptop-1", "play")
        api.put("/v1/me/player/pause", headers=as_listener)
        yield device


def _state(api: TestClient, headers: dict[str, str]) -> Any:
    return api.get("/v1/me/player", headers=headers).json()


def test_another_user_sees_nothing_and_cannot_reach_the_device(
    app: FastAPI, api: TestClient, as_listener: dict[str, str], playing: Any
) -> None:
    before = _state(api, as_listener)
    other = bearer(user_token(app, "mallory"))
    assert api.get("/v1/me/player", headers=other).status_code == 204
    assert api.get("/v1/me/player/devices", headers=other).json() == {"devices": []}
    for method, path, body in [
        ("PUT", "/v1/me/player/play?device_id=laptop-1", None),
        ("PUT", "/v1/me/player/pause?device_id=laptop-1", None),
        ("PUT", "/v1/me/player", {"device_ids": ["laptop-1"]}),
    ]:
        answer = api.request(method, path, headers=other, json=body)
        assert answer.status_code == 404, path
        assert answer.json()["error"]["message"] == "device 'laptop-1' not found"
    assert _state(api, as_listener) == before


def test_a_socket_with_another_users_token_registers_its_own_device_not_theirs(
    app: FastAPI, api: TestClient, as_listener: dict[str, str], playing: Any, connect: Callable[..., Any]
) -> None:
    with connect(user_token(app, "mallory"), "laptop-1") as theirs:
        assert theirs.welcome["state"] is None
        assert [d["id"] for d in theirs.welcome["devices"]] == ["laptop-1"]
    assert _state(api, as_listener)["device"]["id"] == "laptop-1"


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "message"),
    [
        ("PUT", "/v1/me/player/seek?position_ms=200000", None, 400, "past the end of the track"),
        ("PUT", "/v1/me/player/seek?position_ms=-1", None, 400, "position_ms"),
        ("PUT", "/v1/me/player/volume?volume_percent=101", None, 400, "volume_percent"),
        ("PUT", "/v1/me/player/repeat?state=sometimes", None, 400, "state"),
        ("PUT", "/v1/me/player/play?device_id=nope-2", None, 404, "device 'nope-2' not found"),
        ("PUT", "/v1/me/player/play?device_id=bad%20id", None, 400, "device_id"),
        ("PUT", "/v1/me/player", {"device_ids": ["ghost"]}, 404, "device 'ghost' not found"),
        ("PUT", "/v1/me/player", {"device_ids": []}, 400, "device_ids"),
        (
            "PUT",
            "/v1/me/player/play",
            {"uris": ["tonearm:track:0000000000000000000000"]},
            404,
            "not in the catalog",
        ),
        (
            "PUT",
            "/v1/me/player/play",
            {"uris": ["tonearm:album:0000000000000000000000"]},
            400,
            "does not name a track",
        ),
        (
            "PUT",
            "/v1/me/player/play",
            {"context_uri": "tonearm:album:0000000000000000000000"},
            404,
            "not found",
        ),
        ("PUT", "/v1/me/player/play", {"uris": [], "context_uri": None}, 400, "at least one"),
        (
            "POST",
            "/v1/me/player/queue?uri=tonearm:track:0000000000000000000000",
            None,
            404,
            "not in the catalog",
        ),
        ("POST", "/v1/me/player/queue?uri=nonsense", None, 400, "is not a track URI"),
    ],
)
def test_bad_commands_are_refused_and_leave_the_state_as_it_was(
    api: TestClient,
    as_listener: dict[str, str],
    playing: Any,
    method: str,
    path: str,
    body: Any,
    status: int,
    message: str,
) -> None:
    before = _state(api, as_listener)
    answer = api.request(method, path, headers=as_listener, json=body)
    assert answer.status_code == status, answer.text
    assert message in answer.json()["error"]["message"]
    assert answer.json()["error"]["status"] == status
    assert _state(api, as_listener) == before


def test_offset_past_the_context_is_refused(
    api: TestClient, as_listener: dict[str, str], tracks: Catalog, playing: Any
) -> None:
    body = {"context_uri": uri("album", tracks.album), "offset": {"position": 5}}
    answer = api.put("/v1/me/player/play", headers=as_listener, json=body)
    assert answer.status_code == 400 and "offset.position 5" in answer.json()["error"]["message"]


def test_a_taken_down_track_cannot_be_played_or_queued_and_leaves_its_album(
    app: FastAPI, api: TestClient, as_listener: dict[str, str], tracks: Catalog, playing: Any
) -> None:
    with unit_of_work(app.state.session_factory) as session:
        catalog_feed.take_down(session, tracks.single)
        catalog_feed.take_down(session, tracks.tracks[0])
    before = _state(api, as_listener)
    for answer in [
        api.put("/v1/me/player/play", headers=as_listener, json={"uris": [uri("track", tracks.single)]}),
        api.post(f"/v1/me/player/queue?uri={uri('track', tracks.single)}", headers=as_listener),
    ]:
        assert answer.status_code == 403, answer.text
        assert "not playable here" in answer.json()["error"]["message"]
    assert _state(api, as_listener) == before
    api.put("/v1/me/player/play", headers=as_listener, json={"context_uri": uri("album", tracks.album)})
    queue = api.get("/v1/me/player/queue", headers=as_listener).json()
    assert queue["currently_playing"]["id"] == tracks.tracks[1]
    assert tracks.tracks[0] not in [t["id"] for t in queue["queue"]]


def test_commands_need_the_modify_scope_and_reads_the_read_scope(
    app: FastAPI, api: TestClient, playing: Any
) -> None:
    reader = bearer(user_token(app, "reader", scope="user-read-playback-state"))
    assert api.get("/v1/me/player/devices", headers=reader).status_code == 200
    refused = api.put("/v1/me/player/pause", headers=reader)
    assert refused.status_code == 403
    assert "user-modify-playback-state" in refused.json()["error"]["message"]
    nothing = bearer(user_token(app, "nothing", scope="user-read-private"))
    assert api.get("/v1/me/player", headers=nothing).status_code == 403
    assert api.get("/v1/me/player/currently-playing", headers=nothing).status_code == 403


def test_a_socket_without_a_valid_token_or_device_is_closed_with_the_reason(
    app: FastAPI, api: TestClient, listener: str
) -> None:
    from starlette.websockets import WebSocketDisconnect

    cases = [
        ("?access_token=wrong", {"type": "hello", "device": {"id": "a", "name": "A"}}, 4401),
        ("", {"type": "hello", "device": {"id": "a", "name": "A"}}, 4401),
        (f"?access_token={listener}", {"type": "hello", "device": {"id": "a b", "name": "A"}}, 4400),
        (
            f"?access_token={listener}",
            {"type": "hello", "device": {"id": "a", "name": "A", "type": "Toaster"}},
            4400,
        ),
        (f"?access_token={listener}", {"type": "register"}, 4400),
        (f"?access_token={user_token(app, 'nostream', scope='user-read-private')}", {"type": "hello"}, 4403),
    ]
    for query, hello, code in cases:
        with api.websocket_connect(f"/v1/me/player/connect{query}") as socket:
            socket.send_json(hello)
            error = socket.receive_json()
            assert error["type"] == "error" and error["error"]["status"] == code - 4000, hello
            with pytest.raises(WebSocketDisconnect) as closed:
                socket.receive_json()
            assert closed.value.code == code


def test_the_token_may_come_in_the_hello_message(api: TestClient, listener: str) -> None:
    with api.websocket_connect("/v1/me/player/connect") as socket:
        socket.send_json(
            {"type": "hello", "access_token": listener, "device": {"id": "tv-1", "name": "TV", "type": "TV"}}
        )
        assert socket.receive_json()["device_id"] == "tv-1"


def test_a_device_message_that_cannot_be_understood_is_answered_with_an_error(
    listener: str, connect: Callable[..., Any]
) -> None:
    with connect(listener, "laptop-1") as device:
        device.socket.send_text("not json")
        assert device.next("error")["error"]["status"] == 400
        device.send({"type": "position", "track_id": "x", "position_ms": "soon", "is_playing": True})
        assert "position_ms" in device.next("error")["error"]["message"]
        device.send({"type": "dance"})
        assert device.next("error")["error"]["status"] == 400


def test_a_device_without_volume_control_refuses_a_volume_command(
    api: TestClient, listener: str, as_listener: dict[str, str], tracks: Catalog, connect: Callable[..., Any]
) -> None:
    with connect(listener, "phone-1", kind="Smartphone", supports_volume=False):
        body = {"uris": [uri("track", tracks.single)]}
        api.put("/v1/me/player/play?device_id=phone-1", headers=as_listener, json=body)
        answer = api.put("/v1/me/player/volume?volume_percent=10", headers=as_listener)
    assert answer.status_code == 403 and answer.json()["error"]["reason"] == "VOLUME_CONTROL_DISALLOW"
