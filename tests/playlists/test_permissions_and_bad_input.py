"""Only the owner and collaborators change a playlist; a private one is not there for others;
bad input gets a clear 4xx in Spotify's error shape and leaves the playlist as it was."""

from __future__ import annotations

from typing import Any

import pytest

from tests.catalog_factory import make_track, publish
from tests.playlists.conftest import Api
from tonearm.catalog import catalog_feed
from tonearm.kit.db import unit_of_work


def _modifying_calls(api: Api, pid: str, snapshot: str) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        ("PUT", f"/v1/playlists/{pid}", {"json": {"name": "Taken over"}}),
        ("POST", f"/v1/playlists/{pid}/tracks", {"json": {"uris": api.uris(5)}}),
        ("POST", f"/v1/playlists/{pid}/items", {"json": {"uris": api.uris(5)}}),
        ("DELETE", f"/v1/playlists/{pid}/tracks", {"json": {"tracks": [{"uri": api.uris(0)[0]}]}}),
        ("DELETE", f"/v1/playlists/{pid}/items", {"json": {"items": [{"uri": api.uris(0)[0]}]}}),
        ("PUT", f"/v1/playlists/{pid}/tracks", {"json": {"range_start": 0, "insert_before": 2}}),
        ("PUT", f"/v1/playlists/{pid}/items", {"json": {"uris": api.uris(7)}}),
        ("POST", f"/v1/playlists/{pid}/revert", {"json": {"snapshot_id": snapshot}}),
        ("POST", f"/v1/playlists/{pid}/collaborators", {"json": {"user_id": api.user_id("mallory")}}),
        (
            "PUT",
            f"/v1/playlists/{pid}/images",
            {"content": b"/9j/4AAQSkZJRg==", "headers": {"Content-Type": "image/jpeg"}},
        ),
    ]


# What a user does to their own relation to a playlist, not to the playlist.
OWN_RELATION = {
    ("PUT", "/v1/playlists/{playlist_id}/followers"),
    ("DELETE", "/v1/playlists/{playlist_id}/followers"),
}


def test_the_list_of_modifying_calls_has_every_modifying_playlist_route(api: Api) -> None:
    routes = api.client.get("/openapi.json").json()["paths"]
    modifying = {
        (method.upper(), path)
        for path, operations in routes.items()
        if path.startswith("/v1/playlists/{playlist_id}")
        for method in operations
        if method != "get"
    } - OWN_RELATION
    listed = {(m, p.replace("PID", "{playlist_id}")) for m, p, _ in _modifying_calls(api, "PID", "S")}
    assert modifying == listed


@pytest.mark.parametrize("public", [True, False])
def test_every_modifying_route_refuses_another_users_token(api: Api, public: bool) -> None:
    playlist = api.create("ann", public=public)
    pid = playlist["id"]
    api.call("ann", "POST", f"/v1/playlists/{pid}/tracks", json={"uris": api.uris(0, 1)})
    before = api.call("ann", "GET", f"/v1/playlists/{pid}").json()
    for method, path, kwargs in _modifying_calls(api, pid, playlist["snapshot_id"]):
        answer = api.call("mallory", method, path, **kwargs)
        # A public playlist is there but not theirs (403); a private one is not there (404).
        assert answer.status_code == (403 if public else 404), (method, path, answer.text)
        assert answer.json()["error"]["status"] == answer.status_code
    assert api.call("ann", "GET", f"/v1/playlists/{pid}").json() == before


def test_a_private_playlist_is_not_there_for_others(api: Api) -> None:
    pid = api.create("ann", public=False)["id"]
    for path in (f"/v1/playlists/{pid}", f"/v1/playlists/{pid}/tracks", f"/v1/playlists/{pid}/snapshots"):
        assert api.call("mallory", "GET", path).status_code == 404
    assert api.call("mallory", "PUT", f"/v1/playlists/{pid}/followers").status_code == 404


def test_a_collaborator_edits_but_does_not_rename(api: Api) -> None:
    pid = api.create("ann", public=False, collaborative=True)["id"]
    assert (
        api.call("bob", "POST", f"/v1/playlists/{pid}/tracks", json={"uris": api.uris(0)}).status_code == 404
    )
    api.call("ann", "POST", f"/v1/playlists/{pid}/collaborators", json={"user_id": api.user_id("bob")})
    assert (
        api.call("bob", "POST", f"/v1/playlists/{pid}/tracks", json={"uris": api.uris(0)}).status_code == 201
    )
    assert api.call("bob", "PUT", f"/v1/playlists/{pid}", json={"name": "Bob's"}).status_code == 403


def test_a_token_without_the_modify_scope_is_refused(api: Api) -> None:
    pid = api.create("ann")["id"]
    token = api.token("ann-reader", scope="playlist-read-private user-read-private")
    answer = api.client.post(
        f"/v1/playlists/{pid}/tracks",
        json={"uris": api.uris(0)},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert answer.status_code == 403
    assert "playlist-modify-public" in answer.json()["error"]["message"]


@pytest.mark.parametrize(
    ("method", "suffix", "body", "words"),
    [
        ("POST", "tracks", {"uris": ["spotify:track:0000000000000000000000"]}, "not in the catalog"),
        ("POST", "tracks", {"uris": ["spotify:album:0000000000000000000000"]}, "does not name a track"),
        ("POST", "tracks", {"uris": ["not a uri"]}, "not a track uri"),
        ("POST", "tracks", {"uris": []}, "at least one"),
        ("POST", "tracks", "duplicate", "named twice"),
        ("POST", "tracks", "too many", "100"),
        ("POST", "tracks", {"uris": ["tonearm:track:x"], "position": 99}, "invalid track id"),
        ("POST", "tracks", "far position", "out of range"),
        ("POST", "tracks", "unknown snapshot", "not a version"),
        ("DELETE", "tracks", "wrong position", "does not hold"),
        ("PUT", "tracks", {"range_start": 5, "insert_before": 0}, "out of range"),
        ("PUT", "tracks", {"range_start": 0, "insert_before": 9}, "out of range"),
        ("PUT", "tracks", {"range_start": 0}, "insert_before"),
        ("POST", "revert", {"snapshot_id": "AAAAAAAAAAAAAAAA"}, "not a version"),
        ("PUT", "", {"public": True, "collaborative": True}, "cannot be public"),
        ("PUT", "", {"name": ""}, "name"),
    ],
)
def test_bad_input_is_a_clear_4xx_and_changes_nothing(
    shared_api: Api, method: str, suffix: str, body: Any, words: str
) -> None:
    api = shared_api
    pid = api.create("ann")["id"]
    api.call("ann", "POST", f"/v1/playlists/{pid}/tracks", json={"uris": api.uris(0, 1, 2)})
    before = api.call("ann", "GET", f"/v1/playlists/{pid}").json()
    if body == "duplicate":
        body = {"uris": api.uris(3, 3)}
    elif body == "too many":
        body = {"uris": [f"spotify:track:{n:022d}" for n in range(101)]}
    elif body == "far position":
        body = {"uris": api.uris(3), "position": 4}
    elif body == "unknown snapshot":
        body = {"uris": api.uris(3), "snapshot_id": "never-was-a-snapshot"}
    elif body == "wrong position":
        body = {"tracks": [{"uri": api.uris(0)[0], "positions": [1]}]}
    path = f"/v1/playlists/{pid}" + (f"/{suffix}" if suffix else "")
    answer = api.call("ann", method, path, json=body)
    assert 400 <= answer.status_code < 500, answer.text
    error = answer.json()["error"]
    assert error["status"] == answer.status_code
    assert words.lower() in error["message"].lower(), error["message"]
    assert api.call("ann", "GET", f"/v1/playlists/{pid}").json() == before


def test_a_taken_down_track_cannot_be_added_and_shows_unplayable_where_it_was(api: Api) -> None:
    pid = api.create("ann")["id"]
    api.call("ann", "POST", f"/v1/playlists/{pid}/tracks", json={"uris": api.uris(0, 1)})
    with unit_of_work(api.client.app.state.session_factory) as session:  # type: ignore[attr-defined]
        catalog_feed.take_down(session, api.tracks[1])
    answer = api.call("ann", "POST", f"/v1/playlists/{pid}/tracks", json={"uris": api.uris(1)})
    assert answer.status_code == 400 and "not playable" in answer.json()["error"]["message"]
    items = api.call("ann", "GET", f"/v1/playlists/{pid}/tracks?market=SE").json()["items"]
    assert [item["track"]["is_playable"] for item in items] == [True, False]


def test_the_10001st_item_is_refused(api: Api) -> None:
    from tonearm.playlists import MAX_ITEMS, playlists

    with unit_of_work(api.client.app.state.session_factory) as session:  # type: ignore[attr-defined]
        many = publish(
            session, *(make_track(f"Filler {n}", track_number=n + 1, album_name="Filler") for n in range(100))
        )
    pid = api.create("ann")["id"]
    owner = api.user_id("ann")
    factory = api.client.app.state.session_factory  # type: ignore[attr-defined]
    for _ in range(MAX_ITEMS // 100):
        with unit_of_work(factory) as session:
            playlists.add(session, pid, owner, many)
    assert api.call("ann", "GET", f"/v1/playlists/{pid}").json()["tracks"]["total"] == MAX_ITEMS
    answer = api.call("ann", "POST", f"/v1/playlists/{pid}/tracks", json={"uris": api.uris(0)})
    assert answer.status_code == 400 and "at most 10000" in answer.json()["error"]["message"]
    last = api.call("ann", "GET", f"/v1/playlists/{pid}/tracks?offset=9999&limit=5").json()
    assert len(last["items"]) == 1 and last["next"] is None
