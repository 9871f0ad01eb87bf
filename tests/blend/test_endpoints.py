"""Blends as two users meet them: an invitation, accepted into a playlist both see and edit, filled
at once from both tastes with whose taste each track came from; declined; left; and never
anyone else's to see."""

from __future__ import annotations

from tests.auth import bearer
from tests.blend.conftest import Blends
from tests.catalog_factory import make_track, publish
from tonearm.catalog import catalog_feed
from tonearm.kit.db import unit_of_work
from tonearm.kit.ids import new_id


def test_an_accepted_invitation_is_a_playlist_for_both_filled_from_both_tastes(api: Blends) -> None:
    api.stream("ann", 0, times=3)
    api.stream("ann", 1)
    api.save("ann", 2)
    api.stream("bob", 0)
    api.save("bob", 3)
    invited = api.invite("ann", "bob")
    assert invited["status"] == "pending" and invited["playlist"] is None
    assert [m["role"] for m in invited["members"]] == ["inviter", "invitee"]
    for user in ("ann", "bob"):
        listed = api.call(user, "GET", "/v1/me/blends").json()
        assert [(b["id"], b["status"]) for b in listed["items"]] == [(invited["id"], "pending")]

    accepted = api.call("bob", "POST", f"/v1/blends/{invited['id']}/accept")

    assert accepted.status_code == 200, accepted.text
    playlist = accepted.json()["playlist"]
    assert accepted.json()["status"] == "active" and playlist["uri"].endswith(playlist["id"])
    # Song 0 both streamed comes first; then ann's and bob's own take turns.
    expected = [(0, "both"), (1, "inviter"), (3, "invitee"), (2, "inviter")]
    assert api.mixed("bob", invited["id"]) == expected
    for user in ("ann", "bob"):
        shown = api.call(user, "GET", f"/v1/playlists/{playlist['id']}").json()
        assert shown["name"] == "ann + bob" and shown["collaborative"] is True
        assert shown["snapshot_id"] == playlist["snapshot_id"]
        assert api.songs_in(user, playlist["id"]) == [0, 1, 3, 2]
        mine = api.call(user, "GET", "/v1/me/playlists").json()["items"]
        assert playlist["id"] in [p["id"] for p in mine]
    added = api.call("bob", "POST", f"/v1/playlists/{playlist['id']}/tracks", json={"uris": api.uris(9)})
    assert added.status_code == 201, added.text


def test_a_track_one_member_may_not_play_is_never_in_the_blend(api: Blends) -> None:
    api.token("bob", country="NO", explicit_content=False)
    rude = make_track("Rude", explicit=True, duration_ms=240_000, samples=240 * 48000)
    with unit_of_work(api.factory()) as session:
        catalog_feed.take_down(session, api.tracks[10])  # everywhere
        catalog_feed.take_down(session, api.tracks[11], "NO")  # where bob lives
        api.tracks += publish(session, rude)  # song 12: explicit, and bob hears none
    api.stream("ann", 10, 11, 12, 6, times=2)
    api.save("bob", 10, 11, 7)
    accepted = api.accepted("ann", "bob")
    assert api.mixed("ann", accepted["id"]) == [(6, "inviter"), (7, "invitee")]
    assert api.songs_in("ann", accepted["playlist"]["id"]) == [6, 7]


def test_a_declined_invitation_is_listed_no_more_and_the_pair_may_try_again(api: Blends) -> None:
    invited = api.invite("ann", "bob")
    declined = api.call("bob", "POST", f"/v1/blends/{invited['id']}/decline")
    assert declined.status_code == 200 and declined.json()["status"] == "declined"
    assert api.call("ann", "GET", "/v1/me/blends").json()["total"] == 0
    assert api.blend("ann", invited["id"])["status"] == "declined"
    again = api.call("bob", "POST", f"/v1/blends/{invited['id']}/accept")
    assert again.status_code == 400 and "declined" in again.json()["error"]["message"]
    assert api.invite("bob", "ann")["status"] == "pending"


def test_a_pair_has_one_open_blend_whoever_invites(api: Blends) -> None:
    api.invite("ann", "bob")
    for inviter, invitee in (("ann", "bob"), ("bob", "ann")):
        again = api.call(inviter, "POST", "/v1/me/blends", json={"user_id": api.user_id(invitee)})
        assert again.status_code == 400 and "already" in again.json()["error"]["message"]


def test_the_invitee_who_leaves_loses_the_playlist_and_the_inviter_keeps_it(api: Blends) -> None:
    api.save("ann", 0)
    accepted = api.accepted("ann", "bob")
    playlist_id = accepted["playlist"]["id"]

    assert api.call("bob", "DELETE", f"/v1/blends/{accepted['id']}").status_code == 204

    assert api.call("bob", "GET", f"/v1/blends/{accepted['id']}").status_code == 404
    assert api.call("bob", "GET", f"/v1/playlists/{playlist_id}").status_code == 404
    assert api.blend("ann", accepted["id"])["status"] == "ended"
    assert api.songs_in("ann", playlist_id) == [0]
    assert api.call("ann", "GET", "/v1/me/blends").json()["total"] == 0


def test_the_inviter_who_leaves_loses_the_playlist_and_the_invitee_keeps_it(api: Blends) -> None:
    api.save("bob", 1)
    accepted = api.accepted("ann", "bob")
    playlist_id = accepted["playlist"]["id"]

    assert api.call("ann", "DELETE", f"/v1/blends/{accepted['id']}").status_code == 204

    ann_playlists = api.call("ann", "GET", "/v1/me/playlists").json()["items"]
    assert playlist_id not in [p["id"] for p in ann_playlists]
    bob_playlists = api.call("bob", "GET", "/v1/me/playlists").json()["items"]
    assert playlist_id in [p["id"] for p in bob_playlists]
    assert api.songs_in("bob", playlist_id) == [1]
    added = api.call("bob", "POST", f"/v1/playlists/{playlist_id}/tracks", json={"uris": api.uris(2)})
    assert added.status_code == 201
    # Leaving the ended blend too: gone for both.
    assert api.call("bob", "DELETE", f"/v1/blends/{accepted['id']}").status_code == 204
    assert api.call("bob", "GET", f"/v1/blends/{accepted['id']}").status_code == 404


def test_an_invitation_called_off_is_gone_for_both(api: Blends) -> None:
    invited = api.invite("ann", "bob")
    assert api.call("ann", "DELETE", f"/v1/blends/{invited['id']}").status_code == 204
    assert api.call("bob", "GET", f"/v1/blends/{invited['id']}").status_code == 404
    assert api.call("bob", "POST", f"/v1/blends/{invited['id']}/accept").status_code == 404


def test_someone_elses_blend_is_not_there_for_a_stranger(api: Blends) -> None:
    invited = api.invite("ann", "bob")
    for method, path in (
        ("GET", f"/v1/blends/{invited['id']}"),
        ("POST", f"/v1/blends/{invited['id']}/accept"),
        ("POST", f"/v1/blends/{invited['id']}/decline"),
        ("DELETE", f"/v1/blends/{invited['id']}"),
    ):
        answer = api.call("eve", method, path)
        assert answer.status_code == 404, (method, path)
        assert answer.json() == {"error": {"status": 404, "message": f"blend '{invited['id']}' not found"}}
    assert api.call("eve", "GET", "/v1/me/blends").json()["items"] == []
    assert api.blend("bob", invited["id"])["status"] == "pending"


def test_only_the_invited_user_answers_an_invitation(api: Blends) -> None:
    invited = api.invite("ann", "bob")
    for action in ("accept", "decline"):
        answer = api.call("ann", "POST", f"/v1/blends/{invited['id']}/{action}")
        assert answer.status_code == 403 and "invited user" in answer.json()["error"]["message"]
    assert api.blend("ann", invited["id"])["status"] == "pending"


def test_no_blend_with_oneself_an_unknown_user_or_a_malformed_id(api: Blends) -> None:
    myself = api.call("ann", "POST", "/v1/me/blends", json={"user_id": api.user_id("ann")})
    assert myself.status_code == 400 and "yourself" in myself.json()["error"]["message"]
    nobody = new_id()
    unknown = api.call("ann", "POST", "/v1/me/blends", json={"user_id": nobody})
    assert unknown.json() == {"error": {"status": 404, "message": f"no user with id '{nobody}'"}}
    assert api.call("ann", "POST", "/v1/me/blends", json={"user_id": "bob"}).status_code == 400
    assert api.call("ann", "GET", "/v1/blends/not-an-id").status_code == 400
    # A user's URI names them too.
    bob = api.call("ann", "POST", "/v1/me/blends", json={"user_id": f"spotify:user:{api.user_id('bob')}"})
    assert bob.status_code == 201


def test_blends_need_the_playlist_scopes(api: Blends) -> None:
    reader = bearer(api.token("ann", scope="playlist-read-private"))
    body = {"user_id": api.user_id("bob")}
    refused = api.client.post("/v1/me/blends", json=body, headers=reader)
    assert refused.status_code == 403 and "playlist-modify-private" in refused.json()["error"]["message"]
    assert api.client.get("/v1/me/blends", headers=reader).status_code == 200
    writer = bearer(api.token("ann", scope="playlist-modify-private"))
    assert api.client.get("/v1/me/blends", headers=writer).status_code == 403
    assert api.client.post("/v1/me/blends", json=body, headers=writer).status_code == 201
