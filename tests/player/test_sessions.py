"""Group Session: a host and two members share one queue on the host's device; every member's
socket hears each join and addition; the code admits to that session only, and to none once it
has ended."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.auth import bearer, user_token
from tests.player.conftest import Catalog, app_user_token
from tonearm.kit.ids import uri


def _open(api: TestClient, host: dict[str, str], **body: Any) -> Any:
    opened = api.post("/v1/me/player/session", headers=host, json=body or None)
    assert opened.status_code == 201, opened.text
    return opened.json()


def _session_where(device: Any, check: Callable[[Any], bool], most: int = 30) -> Any:
    for _ in range(most):
        message = device.next("session")
        if check(message["session"]):
            return message["session"]
    raise AssertionError("no such session message")


def test_three_members_share_one_queue_played_on_the_hosts_device(
    app: FastAPI, api: TestClient, tracks: Catalog, connect: Callable[..., Any]
) -> None:
    host_token, ann_token, bob_token = (user_token(app, name) for name in ("host", "ann", "bob"))
    host, ann, bob = bearer(host_token), bearer(ann_token), bearer(bob_token)
    with (
        connect(host_token, "speaker-1", kind="Speaker") as speaker,
        connect(ann_token, "ann-phone", kind="Smartphone") as ann_phone,
        connect(bob_token, "bob-phone", kind="Smartphone"),
    ):
        body = {"context_uri": uri("album", tracks.album)}
        assert api.put("/v1/me/player/play?device_id=speaker-1", headers=host, json=body).status_code == 204
        opened = _open(api, host)
        assert opened["is_host"] and opened["link"].endswith(f"/#/session/{opened['code']}")
        code = opened["code"]
        joined = api.post(f"/v1/me/player/session/{code}/members", headers=ann)
        assert joined.status_code == 200 and not joined.json()["is_host"]
        api.post(f"/v1/me/player/session/{code}/members", headers=bob)
        seen = _session_where(ann_phone, lambda s: s is not None and len(s["members"]) == 2)
        assert seen["host_id"] and seen["state"]["track_id"] == tracks.tracks[0]

        added = api.post(f"/v1/me/player/session/{code}/queue?uri={uri('track', tracks.single)}", headers=bob)
        assert added.status_code == 204, added.text
        heard = _session_where(ann_phone, lambda s: s is not None and s["state"]["queue"][0] == tracks.single)
        assert heard["state"]["device_id"] == "speaker-1"
        assert api.post(f"/v1/me/player/session/{code}/next", headers=ann).status_code == 204
        assert speaker.command("speaker-1", "next")["state"]["track_id"] == tracks.single

        for viewer in (host, ann, bob):
            shown = api.get("/v1/me/player/session", headers=viewer).json()
            assert shown["code"] == code and shown["item"]["id"] == tracks.single
            assert [m["display_name"] for m in shown["members"]] == ["ann", "bob"]
            assert [t["id"] for t in shown["queue"]] == list(tracks.tracks[1:])


def test_the_host_may_keep_skipping_to_itself(
    app: FastAPI, api: TestClient, tracks: Catalog, connect: Callable[..., Any]
) -> None:
    host_token = user_token(app, "host")
    host, ann = bearer(host_token), bearer(user_token(app, "ann"))
    with connect(host_token, "speaker-1"):
        api.put(
            "/v1/me/player/play?device_id=speaker-1",
            headers=host,
            json={"context_uri": uri("album", tracks.album)},
        )
        code = _open(api, host, members_can_skip=False)["code"]
        api.post(f"/v1/me/player/session/{code}/members", headers=ann)
        refused = api.post(f"/v1/me/player/session/{code}/next", headers=ann)
        assert refused.status_code == 403 and refused.json()["error"]["reason"] == "HOST_RESTRICTED"
        assert api.put("/v1/me/player/session", headers=host, json={"members_can_skip": True}).json()[
            "members_can_skip"
        ]
        assert api.post(f"/v1/me/player/session/{code}/next", headers=ann).status_code == 204


def test_a_code_admits_only_to_its_session_and_to_none_once_the_host_leaves(
    app: FastAPI, api: TestClient, tracks: Catalog, connect: Callable[..., Any]
) -> None:
    first_token, second_token = user_token(app, "first-host"), user_token(app, "second-host")
    first, second = bearer(first_token), bearer(second_token)
    ann_token = user_token(app, "ann")
    ann = bearer(ann_token)
    with connect(first_token, "one"), connect(second_token, "two"), connect(ann_token, "ann-1") as ann_phone:
        code = _open(api, first)["code"]
        other = _open(api, second)["code"]
        api.post(f"/v1/me/player/session/{code}/members", headers=ann)
        song = uri("track", tracks.single)
        refused = api.post(f"/v1/me/player/session/{other}/queue?uri={song}", headers=ann)
        assert (
            refused.status_code == 403
            and "join this Group Session first" in refused.json()["error"]["message"]
        )
        assert api.post(f"/v1/me/player/session/{other}/next", headers=ann).status_code == 403

        assert api.delete("/v1/me/player/session", headers=first).status_code == 204
        assert _session_where(ann_phone, lambda s: s is None) is None
        assert api.get("/v1/me/player/session", headers=ann).status_code == 404
        for path in ("members", f"queue?uri={song}", "next"):
            ended = api.post(f"/v1/me/player/session/{code}/{path}", headers=ann)
            assert ended.status_code == 404, path
        assert api.post("/v1/me/player/session/not-a-code!/members", headers=ann).status_code == 400


def test_a_member_leaving_is_shown_to_the_others_and_the_session_goes_on(
    app: FastAPI, api: TestClient, connect: Callable[..., Any]
) -> None:
    host_token = user_token(app, "host")
    host, ann, bob = bearer(host_token), bearer(user_token(app, "ann")), bearer(user_token(app, "bob"))
    with connect(host_token, "speaker-1") as speaker:
        code = _open(api, host)["code"]
        api.post(f"/v1/me/player/session/{code}/members", headers=ann)
        bob_id = api.post(f"/v1/me/player/session/{code}/members", headers=bob).json()["members"][-1]["id"]
        assert api.delete("/v1/me/player/session", headers=ann).status_code == 204
        left = _session_where(speaker, lambda s: s is not None and s["members"] == [bob_id])
    assert api.get("/v1/me/player/session", headers=bob).json()["code"] == code
    assert api.get("/v1/me/player/session", headers=ann).status_code == 404
    assert left["code"] == code


def test_opening_needs_premium_from_an_app_but_a_free_member_may_join_and_add(
    app: FastAPI, api: TestClient, tracks: Catalog, connect: Callable[..., Any]
) -> None:
    free = bearer(app_user_token(app, "free-friend", product="free"))
    refused = api.post("/v1/me/player/session", headers=free)
    assert refused.status_code == 403 and refused.json()["error"]["reason"] == "PREMIUM_REQUIRED"
    host_token = user_token(app, "host")
    host = bearer(host_token)
    with connect(host_token, "speaker-1"):
        api.put(
            "/v1/me/player/play?device_id=speaker-1",
            headers=host,
            json={"context_uri": uri("album", tracks.album)},
        )
        code = _open(api, host)["code"]
        assert api.post(f"/v1/me/player/session/{code}/members", headers=free).status_code == 200
        added = api.post(
            f"/v1/me/player/session/{code}/queue?uri={uri('track', tracks.single)}", headers=free
        )
        assert added.status_code == 204
    assert api.get("/v1/me/player/queue", headers=host).json()["queue"][0]["id"] == tracks.single
