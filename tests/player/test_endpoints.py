"""The player routes against a device connected over its socket: every command, what the device
is told, and the state as Spotify's objects."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.auth import bearer
from tests.player.conftest import Catalog, app_user_token
from tonearm.kit.ids import uri


def _play_album(
    api: TestClient, headers: dict[str, str], tracks: Catalog, device_id: str = "laptop-1", **body: Any
) -> None:
    answer = api.put(
        f"/v1/me/player/play?device_id={device_id}",
        headers=headers,
        json={"context_uri": uri("album", tracks.album), **body},
    )
    assert answer.status_code == 204, answer.text


def test_nothing_playing_is_204_and_no_devices_are_listed(
    api: TestClient, as_listener: dict[str, str]
) -> None:
    assert api.get("/v1/me/player", headers=as_listener).status_code == 204
    assert api.get("/v1/me/player/currently-playing", headers=as_listener).status_code == 204
    assert api.get("/v1/me/player/devices", headers=as_listener).json() == {"devices": []}


def test_a_connected_device_is_listed_in_spotifys_shape(
    api: TestClient, listener: str, as_listener: dict[str, str], connect: Callable[..., Any]
) -> None:
    with connect(listener, "laptop-1", name="Firefox on Linux") as device:
        assert device.welcome["device_id"] == "laptop-1" and device.welcome["state"] is None
        listed = api.get("/v1/me/player/devices", headers=as_listener).json()["devices"]
    assert listed == [
        {
            "id": "laptop-1",
            "is_active": False,
            "is_private_session": False,
            "is_restricted": False,
            "name": "Firefox on Linux",
            "type": "Computer",
            "volume_percent": 50,
            "supports_volume": True,
        }
    ]


def test_play_an_album_tells_the_device_and_shows_in_the_state(
    api: TestClient, listener: str, as_listener: dict[str, str], tracks: Catalog, connect: Callable[..., Any]
) -> None:
    with connect(listener, "laptop-1") as device:
        answer = api.put(
            "/v1/me/player/play?device_id=laptop-1",
            headers=as_listener,
            json={"context_uri": uri("album", tracks.album), "offset": {"position": 2}, "position_ms": 5000},
        )
        assert answer.status_code == 204, answer.text
        pushed = device.command("laptop-1", "play")
        state = api.get("/v1/me/player", headers=as_listener).json()
    assert pushed["state"]["track_id"] == tracks.tracks[2] and pushed["state"]["is_playing"]
    assert 5000 <= pushed["state"]["position_ms"] < 6000
    assert state["item"]["id"] == tracks.tracks[2] and state["is_playing"] is True
    assert state["device"]["id"] == "laptop-1" and state["device"]["is_active"] is True
    assert state["context"]["type"] == "album" and state["context"]["uri"] == uri("album", tracks.album)
    assert state["repeat_state"] == "off" and state["shuffle_state"] is False
    assert state["currently_playing_type"] == "track" and 5000 <= state["progress_ms"] < 10_000


def test_the_position_moves_on_with_the_clock_while_playing_and_not_while_paused(
    api: TestClient, listener: str, as_listener: dict[str, str], tracks: Catalog, connect: Callable[..., Any]
) -> None:
    with connect(listener, "laptop-1"):
        api.put(
            "/v1/me/player/play?device_id=laptop-1",
            headers=as_listener,
            json={"uris": [uri("track", tracks.single)]},
        )
        time.sleep(0.3)
        moving = api.get("/v1/me/player", headers=as_listener).json()["progress_ms"]
        assert api.put("/v1/me/player/pause", headers=as_listener).status_code == 204
        paused = api.get("/v1/me/player", headers=as_listener).json()
        time.sleep(0.2)
        later = api.get("/v1/me/player", headers=as_listener).json()
    assert moving >= 300
    assert paused["is_playing"] is False and later["progress_ms"] == paused["progress_ms"]


def test_next_previous_seek_repeat_shuffle_volume_each_reach_the_device(
    api: TestClient, listener: str, as_listener: dict[str, str], tracks: Catalog, connect: Callable[..., Any]
) -> None:
    with connect(listener, "laptop-1") as device:
        api.put(
            "/v1/me/player/play?device_id=laptop-1",
            headers=as_listener,
            json={"context_uri": uri("album", tracks.album)},
        )
        device.command("laptop-1", "play")
        assert api.post("/v1/me/player/next", headers=as_listener).status_code == 204
        assert device.command("laptop-1", "next")["state"]["track_id"] == tracks.tracks[1]
        assert api.post("/v1/me/player/previous", headers=as_listener).status_code == 204
        assert device.command("laptop-1", "previous")["state"]["track_id"] == tracks.tracks[0]
        assert api.put("/v1/me/player/seek?position_ms=60000", headers=as_listener).status_code == 204
        assert 60000 <= device.command("laptop-1", "seek")["state"]["position_ms"] < 61000
        assert api.put("/v1/me/player/repeat?state=track", headers=as_listener).status_code == 204
        assert device.command("laptop-1", "repeat")["state"]["repeat_state"] == "track"
        assert api.put("/v1/me/player/shuffle?state=true", headers=as_listener).status_code == 204
        assert device.command("laptop-1", "shuffle")["state"]["shuffle_state"] is True
        assert api.put("/v1/me/player/volume?volume_percent=30", headers=as_listener).status_code == 204
        assert device.command("laptop-1", "volume")["state"]["volume_percent"] == 30
        listed = api.get("/v1/me/player/devices", headers=as_listener).json()["devices"]
    assert listed[0]["volume_percent"] == 30


def test_the_queue_plays_before_the_rest_of_the_context(
    api: TestClient, listener: str, as_listener: dict[str, str], tracks: Catalog, connect: Callable[..., Any]
) -> None:
    with connect(listener, "laptop-1") as device:
        _play_album(api, as_listener, tracks)
        answer = api.post(f"/v1/me/player/queue?uri={uri('track', tracks.single)}", headers=as_listener)
        assert answer.status_code == 204, answer.text
        queue = api.get("/v1/me/player/queue", headers=as_listener).json()
        assert queue["currently_playing"]["id"] == tracks.tracks[0]
        assert [t["id"] for t in queue["queue"]] == [tracks.single, *tracks.tracks[1:]]
        api.post("/v1/me/player/next", headers=as_listener)
        assert device.command("laptop-1", "next")["state"]["track_id"] == tracks.single
        api.post("/v1/me/player/next", headers=as_listener)
        assert device.command("laptop-1", "next")["state"]["track_id"] == tracks.tracks[1]


def test_a_track_the_device_reports_ended_is_followed_by_the_next(
    api: TestClient, listener: str, as_listener: dict[str, str], tracks: Catalog, connect: Callable[..., Any]
) -> None:
    with connect(listener, "laptop-1") as device:
        _play_album(api, as_listener, tracks)
        device.command("laptop-1", "play")
        device.send({"type": "ended", "track_id": tracks.tracks[0]})
        moved = device.command("laptop-1", "next")
        device.send({"type": "ended", "track_id": tracks.tracks[0]})  # late, about the track before: moot
        device.send({"type": "ping"})
        assert device.next("pong") == {"type": "pong"}
    assert moved["state"]["track_id"] == tracks.tracks[1] and moved["state"]["position_ms"] == 0
    assert (
        api.get("/v1/me/player/queue", headers=as_listener).json()["currently_playing"]["id"]
        == tracks.tracks[1]
    )


def test_a_position_report_moves_the_servers_position(
    api: TestClient, listener: str, as_listener: dict[str, str], tracks: Catalog, connect: Callable[..., Any]
) -> None:
    with connect(listener, "laptop-1") as device:
        _play_album(api, as_listener, tracks)
        device.command("laptop-1", "play")
        device.send(
            {"type": "position", "track_id": tracks.tracks[0], "position_ms": 90_000, "is_playing": False}
        )
        reported = device.next("state")
    assert reported["commands"] == [] and reported["state"]["position_ms"] == 90_000
    state = api.get("/v1/me/player", headers=as_listener).json()
    # The device's socket closed, but it is listed for its grace: the state still shows.
    assert state["progress_ms"] == 90_000 and state["is_playing"] is False


def test_transfer_continues_at_the_same_position_with_the_same_queue_and_stops_the_old_device(
    api: TestClient, listener: str, as_listener: dict[str, str], tracks: Catalog, connect: Callable[..., Any]
) -> None:
    with connect(listener, "laptop-1") as laptop, connect(listener, "phone-1", kind="Smartphone") as phone:
        _play_album(api, as_listener, tracks, position_ms=30_000)
        api.post(f"/v1/me/player/queue?uri={uri('track', tracks.single)}", headers=as_listener)
        time.sleep(0.4)
        before = api.get("/v1/me/player", headers=as_listener).json()["progress_ms"]
        answer = api.put("/v1/me/player", headers=as_listener, json={"device_ids": ["phone-1"], "play": True})
        assert answer.status_code == 204, answer.text
        stopped = laptop.command("laptop-1", "stop")
        started = phone.command("phone-1", "transfer")
        queue = api.get("/v1/me/player/queue", headers=as_listener).json()
    assert started["state"]["device_id"] == "phone-1" and started["state"]["is_playing"]
    assert abs(started["state"]["position_ms"] - before) < 250
    assert stopped is not None
    assert queue["queue"][0]["id"] == tracks.single


def test_a_free_listeners_app_may_read_but_not_control(
    app: FastAPI, api: TestClient, tracks: Catalog, connect: Callable[..., Any]
) -> None:
    token = app_user_token(app, "free-listener", product="free")
    with connect(token, "laptop-1"):
        answer = api.put(
            "/v1/me/player/play?device_id=laptop-1",
            headers=bearer(token),
            json={"uris": [uri("track", tracks.single)]},
        )
        assert api.get("/v1/me/player/devices", headers=bearer(token)).status_code == 200
    assert answer.status_code == 403
    assert answer.json()["error"]["reason"] == "PREMIUM_REQUIRED"


def test_a_command_with_no_active_device_is_404_no_active_device(
    api: TestClient, as_listener: dict[str, str]
) -> None:
    for method, path in [
        ("PUT", "pause"),
        ("POST", "next"),
        ("POST", "previous"),
        ("PUT", "seek?position_ms=1"),
    ]:
        answer = api.request(method, f"/v1/me/player/{path}", headers=as_listener)
        assert answer.status_code == 404, path
        assert answer.json()["error"] == {
            "status": 404,
            "message": "no active device: open a player, or name a device_id",
            "reason": "NO_ACTIVE_DEVICE",
        }
