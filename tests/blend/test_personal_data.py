"""A member's blends are in their export, and go with their erasure: for both members, since each
blend's mix is half theirs; the playlist goes or stays as the playlists domain decides."""

from __future__ import annotations

from typing import Any

import orjson

from tests.blend.conftest import Blends
from tonearm.accounts.privacy import privacy
from tonearm.kit.db import unit_of_work


def _export(api: Blends, user: str) -> dict[str, Any]:
    providers = api.client.app.state.personal_data  # type: ignore[attr-defined]
    with unit_of_work(api.factory()) as session:
        return privacy.export(session, api.user_id(user), providers=providers).model_dump()


def _erase(api: Blends, user: str) -> None:
    providers = api.client.app.state.personal_data  # type: ignore[attr-defined]
    user_id = api.user_id(user)
    with unit_of_work(api.factory()) as session:
        privacy.erase(session, user_id, providers=providers)


def test_the_export_holds_my_blends_with_their_tracks_and_reasons(api: Blends) -> None:
    api.save("ann", 0)
    accepted = api.accepted("ann", "bob")
    api.invite("cat", "bob")
    blends = _export(api, "bob")["blends"]
    assert [(b["role"], b["status"], b["with_user_id"]) for b in blends] == [
        ("invitee", "active", api.user_id("ann")),
        ("invitee", "pending", api.user_id("cat")),
    ]
    assert blends[0]["id"] == accepted["id"] and blends[0]["playlist_id"] == accepted["playlist"]["id"]
    assert blends[0]["tracks"] == [{"track_id": api.tracks[0], "reason": "inviter"}]


def test_an_erased_invitee_leaves_every_blend_and_the_inviter_keeps_the_playlist(api: Blends) -> None:
    api.save("ann", 0)
    accepted = api.accepted("ann", "bob")
    pending = api.invite("cat", "bob")
    _erase(api, "bob")
    assert api.call("ann", "GET", f"/v1/blends/{accepted['id']}").status_code == 404
    assert api.call("cat", "GET", f"/v1/blends/{pending['id']}").status_code == 404
    assert api.call("ann", "GET", "/v1/me/blends").json()["total"] == 0
    assert api.songs_in("ann", accepted["playlist"]["id"]) == [0]


def test_an_erased_inviter_takes_the_blend_and_their_playlist_with_them(api: Blends) -> None:
    api.save("bob", 1)
    accepted = api.accepted("ann", "bob")
    _erase(api, "ann")
    assert api.call("bob", "GET", f"/v1/blends/{accepted['id']}").status_code == 404
    # The playlist was ann's: it goes as the playlists domain erases hers.
    assert api.call("bob", "GET", f"/v1/playlists/{accepted['playlist']['id']}").status_code == 404
    # bob can blend with someone else, and nothing of the blend with ann is in his export.
    assert api.invite("bob", "cat")["status"] == "pending"
    assert accepted["id"] not in orjson.dumps(_export(api, "bob")).decode()
