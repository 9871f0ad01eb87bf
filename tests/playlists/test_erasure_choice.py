"""What an erased owner's playlists become: gone with them by default, or, as they chose, their
public ones stay, owned by nobody and closed to edits; their collaborators keep copies of
their own either way."""

from __future__ import annotations

import orjson

from tests.playlists.conftest import Api
from tonearm.kit.db import unit_of_work


def _erase(api: Api, name: str) -> None:
    from tonearm.accounts.privacy import privacy

    app = api.client.app
    user_id = api.user_id(name)
    with unit_of_work(app.state.session_factory) as session:  # type: ignore[attr-defined]
        privacy.erase(session, user_id, providers=app.state.personal_data)  # type: ignore[attr-defined]


def _names(api: Api, user: str) -> list[str]:
    return [p["name"] for p in api.call(user, "GET", "/v1/me/playlists?limit=50").json()["items"]]


def test_by_default_the_playlists_go_and_collaborators_keep_copies(shared_api: Api) -> None:
    api = shared_api
    assert api.call("erin", "GET", "/v1/me/playlists/on-erasure").json() == {"public_playlists": "erase"}
    public = api.create("erin", name="Erin's public")
    together = api.create("erin", name="Together", public=False, collaborative=True)
    api.call(
        "erin", "POST", f"/v1/playlists/{together['id']}/collaborators", json={"user_id": api.user_id("finn")}
    )
    api.call("erin", "POST", f"/v1/playlists/{together['id']}/tracks", json={"uris": api.uris(0, 1)})
    api.call("finn", "POST", f"/v1/playlists/{together['id']}/tracks", json={"uris": api.uris(2)})
    api.call("finn", "PUT", f"/v1/playlists/{public['id']}/followers")

    _erase(api, "erin")
    assert api.call("finn", "GET", f"/v1/playlists/{public['id']}").status_code == 404
    assert api.call("finn", "GET", f"/v1/playlists/{together['id']}").status_code == 404
    # Finn's copy: his own, private, with the items in order; his own additions still his,
    # Erin's in nobody's name.
    [copy] = [
        p
        for p in api.call("finn", "GET", "/v1/me/playlists?limit=50").json()["items"]
        if p["name"] == "Together"
    ]
    assert copy["owner"]["id"] == api.user_id("finn") and copy["public"] is False
    items = api.call("finn", "GET", f"/v1/playlists/{copy['id']}/tracks").json()["items"]
    assert [i["track"]["id"] for i in items] == [api.tracks[0], api.tracks[1], api.tracks[2]]
    assert [i["added_by"] and i["added_by"]["id"] for i in items] == [None, None, api.user_id("finn")]


def test_an_owner_may_leave_public_playlists_to_nobody(shared_api: Api) -> None:
    api = shared_api
    answer = api.call("gus", "PUT", "/v1/me/playlists/on-erasure", json={"public_playlists": "keep"})
    assert answer.status_code == 200
    assert api.call("gus", "GET", "/v1/me/playlists/on-erasure").json() == {"public_playlists": "keep"}
    kept = api.create("gus", name="Gus forever", collaborative=False)
    api.call("gus", "POST", f"/v1/playlists/{kept['id']}/tracks", json={"uris": api.uris(3, 4)})
    private = api.create("gus", name="Gus private", public=False)
    api.call("hana", "PUT", f"/v1/playlists/{kept['id']}/followers")
    gus = api.user_id("gus")

    _erase(api, "gus")
    shown = api.call("hana", "GET", f"/v1/playlists/{kept['id']}").json()
    assert shown["owner"]["display_name"] == "Tonearm" and shown["collaborative"] is False
    assert [i["track"]["id"] for i in shown["tracks"]["items"]] == [api.tracks[3], api.tracks[4]]
    assert gus not in orjson.dumps(shown).decode()
    history = api.call("hana", "GET", f"/v1/playlists/{kept['id']}/snapshots").json()
    assert gus not in orjson.dumps(history).decode()
    assert "Gus forever" in _names(api, "hana")  # Hana still follows it
    # Nobody can change it any more.
    change = api.call("hana", "POST", f"/v1/playlists/{kept['id']}/tracks", json={"uris": api.uris(5)})
    assert change.status_code == 403
    assert api.call("hana", "GET", f"/v1/playlists/{private['id']}").status_code == 404


def test_a_bad_choice_is_refused(shared_api: Api) -> None:
    answer = shared_api.call(
        "ivy", "PUT", "/v1/me/playlists/on-erasure", json={"public_playlists": "give away"}
    )
    assert answer.status_code == 400 and answer.json()["error"]["message"]
    assert shared_api.call("ivy", "GET", "/v1/me/playlists/on-erasure").json() == {
        "public_playlists": "erase"
    }
