"""The playlist routes as a Spotify client uses them."""

from __future__ import annotations

from tests.playlists.conftest import Api


def test_create_add_reorder_remove_and_every_change_makes_a_new_snapshot(api: Api) -> None:
    playlist = api.create("ann", description="for the road")
    assert playlist["owner"]["id"] == api.user_id("ann")
    assert playlist["uri"].endswith(f"playlist:{playlist['id']}")
    assert playlist["tracks"]["total"] == 0
    snapshots = [playlist["snapshot_id"]]

    added = api.call(
        "ann", "POST", f"/v1/playlists/{playlist['id']}/tracks", json={"uris": api.uris(0, 1, 2)}
    )
    assert added.status_code == 201, added.text
    snapshots.append(added.json()["snapshot_id"])
    inserted = api.call(
        "ann", "POST", f"/v1/playlists/{playlist['id']}/items", json={"uris": api.uris(3), "position": 1}
    )
    snapshots.append(inserted.json()["snapshot_id"])
    assert api.track_ids("ann", playlist["id"]) == [api.tracks[n] for n in (0, 3, 1, 2)]

    moved = api.call(
        "ann", "PUT", f"/v1/playlists/{playlist['id']}/tracks", json={"range_start": 0, "insert_before": 4}
    )
    assert moved.status_code == 200, moved.text
    snapshots.append(moved.json()["snapshot_id"])
    assert api.track_ids("ann", playlist["id"]) == [api.tracks[n] for n in (3, 1, 2, 0)]

    removed = api.call(
        "ann", "DELETE", f"/v1/playlists/{playlist['id']}/tracks", json={"tracks": [{"uri": api.uris(1)[0]}]}
    )
    assert removed.status_code == 200, removed.text
    snapshots.append(removed.json()["snapshot_id"])
    assert api.track_ids("ann", playlist["id"]) == [api.tracks[n] for n in (3, 2, 0)]
    assert len(set(snapshots)) == len(snapshots)

    got = api.call("ann", "GET", f"/v1/playlists/{playlist['id']}").json()
    assert got["snapshot_id"] == snapshots[-1]
    assert got["tracks"]["total"] == 3
    assert got["tracks"]["items"][0]["added_by"]["id"] == api.user_id("ann")


def test_uris_are_accepted_as_tonearm_and_spotify_uris_and_as_links(api: Api) -> None:
    playlist = api.create("ann")
    uris = [
        f"tonearm:track:{api.tracks[0]}",
        f"spotify:track:{api.tracks[1]}",
        f"https://open.spotify.com/track/{api.tracks[2]}?si=abc",
        f"http://testserver/#/track/{api.tracks[3]}",
    ]
    answer = api.call("ann", "POST", f"/v1/playlists/{playlist['id']}/tracks", json={"uris": uris})
    assert answer.status_code == 201, answer.text
    assert api.track_ids("ann", playlist["id"]) == api.tracks[:4]


def test_replace_puts_exactly_the_given_tracks(api: Api) -> None:
    playlist = api.create("ann")
    api.call("ann", "POST", f"/v1/playlists/{playlist['id']}/tracks", json={"uris": api.uris(0, 1, 2)})
    answer = api.call("ann", "PUT", f"/v1/playlists/{playlist['id']}/tracks", json={"uris": api.uris(5, 4)})
    assert answer.status_code == 200, answer.text
    assert api.track_ids("ann", playlist["id"]) == [api.tracks[5], api.tracks[4]]


def test_details_change_and_fields_filter(api: Api) -> None:
    playlist = api.create("ann")
    answer = api.call(
        "ann", "PUT", f"/v1/playlists/{playlist['id']}", json={"name": "Renamed", "public": False}
    )
    assert answer.status_code == 200, answer.text
    got = api.call("ann", "GET", f"/v1/playlists/{playlist['id']}?fields=name,public,tracks.total")
    assert got.json() == {"name": "Renamed", "public": False, "tracks": {"total": 0}}
    assert got.json()["name"] == "Renamed"
    # A filter that leaves out the items still counts them, and one that names them gets them.
    api.call("ann", "POST", f"/v1/playlists/{playlist['id']}/tracks", json={"uris": api.uris(0, 1)})
    counted = api.call("ann", "GET", f"/v1/playlists/{playlist['id']}?fields=snapshot_id,tracks.total").json()
    assert counted["tracks"] == {"total": 2} and counted["snapshot_id"]
    named = api.call("ann", "GET", f"/v1/playlists/{playlist['id']}?fields=tracks.items(track(id))").json()
    assert named == {
        "tracks": {"items": [{"track": {"id": api.tracks[0]}}, {"track": {"id": api.tracks[1]}}]}
    }


def test_my_playlists_and_a_users_public_playlists(api: Api) -> None:
    mine = api.create("ann", name="Open")
    secret = api.create("ann", name="Secret", public=False)
    listed = api.call("ann", "GET", "/v1/me/playlists").json()
    assert {p["id"] for p in listed["items"]} == {mine["id"], secret["id"]}
    assert listed["next"] is None and listed["previous"] is None
    theirs = api.call("bob", "GET", f"/v1/users/{api.user_id('ann')}/playlists").json()
    assert [p["id"] for p in theirs["items"]] == [mine["id"]]


def test_follow_unfollow_and_contains(api: Api) -> None:
    playlist = api.create("ann")
    path = f"/v1/playlists/{playlist['id']}/followers"
    assert api.call("bob", "PUT", path).status_code == 200
    bob, ann = api.user_id("bob"), api.user_id("ann")
    assert api.call("bob", "GET", f"{path}/contains?ids={bob},{ann}").json() == [True, True]
    assert api.call("bob", "GET", f"{path}/contains").json() == [True]
    assert api.call("bob", "GET", f"/v1/playlists/{playlist['id']}").json()["followers"]["total"] == 2
    assert playlist["id"] in {p["id"] for p in api.call("bob", "GET", "/v1/me/playlists").json()["items"]}
    assert api.call("bob", "DELETE", path).status_code == 200
    assert api.call("bob", "GET", f"{path}/contains").json() == [False]


def test_items_are_paged_with_spotify_links(api: Api) -> None:
    playlist = api.create("ann")
    api.call("ann", "POST", f"/v1/playlists/{playlist['id']}/tracks", json={"uris": api.uris(*range(12))})
    first = api.call("ann", "GET", f"/v1/playlists/{playlist['id']}/items?limit=5").json()
    assert first["total"] == 12 and len(first["items"]) == 5
    assert "/v1/playlists/" in first["next"] and "/items?" in first["next"]
    last = api.call("ann", "GET", f"/v1/playlists/{playlist['id']}/items?limit=5&offset=10").json()
    assert len(last["items"]) == 2 and last["next"] is None


def test_a_malformed_fields_filter_is_a_400(api: Api) -> None:
    playlist = api.create("ann")
    for fields in ("name,(", "tracks.items(track(name)", ",,"):
        answer = api.call("ann", "GET", f"/v1/playlists/{playlist['id']}", params={"fields": fields})
        assert answer.status_code == 400, (fields, answer.text)
        assert "fields" in answer.json()["error"]["message"]


def test_uris_come_back_in_the_configured_scheme(api: Api) -> None:
    from tonearm.kit.ids import use_uri_scheme

    use_uri_scheme("spotify")
    try:
        playlist = api.create("ann")
        api.call("ann", "POST", f"/v1/playlists/{playlist['id']}/tracks", json={"uris": api.uris(0)})
        got = api.call("ann", "GET", f"/v1/playlists/{playlist['id']}").json()
        assert got["uri"] == f"spotify:playlist:{playlist['id']}"
        assert got["tracks"]["items"][0]["track"]["uri"] == f"spotify:track:{api.tracks[0]}"
    finally:
        use_uri_scheme("tonearm")
    assert api.call("ann", "GET", f"/v1/playlists/{playlist['id']}").json()["uri"].startswith("tonearm:")
