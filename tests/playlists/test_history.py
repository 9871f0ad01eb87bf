"""Versions of a playlist: who changed what and when, a diff between two, and revert."""

from __future__ import annotations

from tests.playlists.conftest import Api


def test_snapshots_list_who_changed_what(api: Api) -> None:
    playlist = api.create("ann", public=False, collaborative=True)
    pid = playlist["id"]
    assert (
        api.call(
            "ann", "POST", f"/v1/playlists/{pid}/collaborators", json={"user_id": api.user_id("bob")}
        ).status_code
        == 201
    )
    api.call("ann", "POST", f"/v1/playlists/{pid}/tracks", json={"uris": api.uris(0, 1)})
    api.call("bob", "POST", f"/v1/playlists/{pid}/tracks", json={"uris": api.uris(2)})
    api.call("ann", "PUT", f"/v1/playlists/{pid}", json={"name": "Friday"})
    page = api.call("ann", "GET", f"/v1/playlists/{pid}/snapshots").json()
    assert page["total"] == 4
    kinds = [(s["kind"], s["user"]["id"], s["added"]) for s in page["items"]]
    assert kinds == [
        ("details", api.user_id("ann"), 0),
        ("add", api.user_id("bob"), 1),
        ("add", api.user_id("ann"), 2),
        ("create", api.user_id("ann"), 0),
    ]
    assert page["items"][0]["details"] == {"name": ["Mix", "Friday"]}
    # Who added each item is on the item too.
    items = api.call("ann", "GET", f"/v1/playlists/{pid}/tracks").json()["items"]
    assert [item["added_by"]["id"] for item in items] == [api.user_id("ann")] * 2 + [api.user_id("bob")]


def test_diff_between_two_snapshots(api: Api) -> None:
    pid = api.create("ann")["id"]
    first = api.call("ann", "POST", f"/v1/playlists/{pid}/tracks", json={"uris": api.uris(0, 1, 2)}).json()[
        "snapshot_id"
    ]
    api.call("ann", "DELETE", f"/v1/playlists/{pid}/tracks", json={"tracks": [{"uri": api.uris(1)[0]}]})
    api.call("ann", "POST", f"/v1/playlists/{pid}/tracks", json={"uris": api.uris(5), "position": 0})
    api.call("ann", "PUT", f"/v1/playlists/{pid}/tracks", json={"range_start": 2, "insert_before": 1})
    diff = api.call("ann", "GET", f"/v1/playlists/{pid}/diff?from={first}").json()
    assert [(e["track_id"], e["to_position"]) for e in diff["added"]] == [(api.tracks[5], 0)]
    assert [(e["track_id"], e["from_position"]) for e in diff["removed"]] == [(api.tracks[1], 1)]
    assert [e["track_id"] for e in diff["moved"]] == [api.tracks[2]]


def test_revert_restores_a_snapshot_and_can_itself_be_reverted(api: Api) -> None:
    pid = api.create("ann")["id"]
    kept = api.call("ann", "POST", f"/v1/playlists/{pid}/tracks", json={"uris": api.uris(0, 1, 2)}).json()[
        "snapshot_id"
    ]
    api.call("ann", "PUT", f"/v1/playlists/{pid}/tracks", json={"range_start": 0, "insert_before": 3})
    api.call("ann", "DELETE", f"/v1/playlists/{pid}/tracks", json={"tracks": [{"uri": api.uris(1)[0]}]})
    before_revert = api.track_ids("ann", pid)
    before_snapshot = api.call("ann", "GET", f"/v1/playlists/{pid}").json()["snapshot_id"]
    reverted = api.call("ann", "POST", f"/v1/playlists/{pid}/revert", json={"snapshot_id": kept})
    assert reverted.status_code == 200, reverted.text
    assert api.track_ids("ann", pid) == [api.tracks[n] for n in (0, 1, 2)]
    again = api.call("ann", "POST", f"/v1/playlists/{pid}/revert", json={"snapshot_id": before_snapshot})
    assert again.status_code == 200
    assert api.track_ids("ann", pid) == before_revert
    kinds = [s["kind"] for s in api.call("ann", "GET", f"/v1/playlists/{pid}/snapshots").json()["items"]]
    assert kinds[:2] == ["revert", "revert"]


def test_history_grows_with_the_edits_not_with_the_list(api: Api) -> None:
    from tonearm.kit.db import unit_of_work
    from tonearm.playlists.repository import PlaylistRepository

    pid = api.create("ann")["id"]
    sizes = []
    for round_ in range(3):
        for _ in range(10):
            api.call("ann", "POST", f"/v1/playlists/{pid}/tracks", json={"uris": api.uris(round_)})
        with unit_of_work(api.client.app.state.session_factory) as session:  # type: ignore[attr-defined]
            sizes.append(PlaylistRepository(session).history_size(pid)[1])
    # Each ten one-item adds cost the same, however long the list already was.
    growth = [sizes[1] - sizes[0], sizes[2] - sizes[1]]
    assert max(growth) < 1.1 * min(growth)
