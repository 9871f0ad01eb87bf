"""Playlists on the platform: their events reach the log, their changes spend their own quota,
and a user's playlists, follows and library are in their export and go with their erasure."""

from __future__ import annotations

from collections.abc import Iterator

import orjson
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.auth import bearer, user_token
from tests.catalog_factory import make_track, publish
from tests.playlists.conftest import Api
from tonearm.config import Settings
from tonearm.kit.db import unit_of_work
from tonearm.kit.limits import LIMITS
from tonearm.kit.outbox import OutboxRow
from tonearm.kit.relay import OutboxRelay


def test_every_change_is_a_playlist_changed_event_on_the_log(api: Api) -> None:
    app = api.client.app
    playlist = api.create("ann")
    added = api.call(
        "ann", "POST", f"/v1/playlists/{playlist['id']}/tracks", json={"uris": api.uris(0)}
    ).json()
    api.call("ann", "PUT", f"/v1/playlists/{playlist['id']}", json={"name": "New name"})
    OutboxRelay(app.state.session_factory, app.state.event_log).drain()  # type: ignore[attr-defined]
    log = app.state.event_log  # type: ignore[attr-defined]
    messages = log.read("catalog", after=0, limit=1000)
    events = [e for e in (orjson.loads(m.payload) for m in messages) if e["type"] == "playlist.changed"]
    mine = [e["data"] for e in events if e["data"]["playlist_id"] == playlist["id"]]
    assert [e["fields"] for e in mine] == [["created"], ["items"], ["name"]]
    assert mine[1]["snapshot_id"] == added["snapshot_id"]
    with unit_of_work(app.state.session_factory) as session:  # type: ignore[attr-defined]
        assert session.scalars(select(OutboxRow).where(OutboxRow.type == "playlist.changed")).all() == []


@pytest.fixture
def limited(settings: Settings) -> Iterator[TestClient]:
    from tonearm.app import create_app

    with TestClient(create_app(settings.model_copy(update={"rate_limit_url": "memory://"}))) as client:
        yield client


def test_playlist_changes_count_in_their_own_rate_limit_category(limited: TestClient) -> None:
    token = user_token(limited.app, "busy")
    with unit_of_work(limited.app.state.session_factory) as session:  # type: ignore[attr-defined]
        [track] = publish(session, make_track("Only"))
    created = limited.post("/v1/me/playlists", json={"name": "Quota"}, headers=bearer(token))
    assert created.status_code == 201
    path = f"/v1/playlists/{created.json()['id']}/tracks"
    quota = LIMITS["playlist"].requests
    answers = [
        limited.post(path, json={"uris": [f"spotify:track:{track}"]}, headers=bearer(token)).status_code
        for _ in range(quota)
    ]
    # Creating the playlist spent one of the same budget.
    assert answers[: quota - 1] == [201] * (quota - 1) and answers[-1] == 429
    refused = limited.post(path, json={"uris": [f"spotify:track:{track}"]}, headers=bearer(token))
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1
    # Reading is another budget: still open.
    assert limited.get(path, headers=bearer(token)).status_code == 200


def test_export_holds_playlists_follows_and_library_and_erasure_removes_them(api: Api) -> None:
    from tonearm.accounts.privacy import privacy

    app = api.client.app
    mine = api.create("ann", name="Mine")
    api.call("ann", "POST", f"/v1/playlists/{mine['id']}/tracks", json={"uris": api.uris(0, 1)})
    shared = api.create("bob", name="Bob's", public=False, collaborative=True)
    api.call(
        "bob", "POST", f"/v1/playlists/{shared['id']}/collaborators", json={"user_id": api.user_id("ann")}
    )
    api.call("ann", "POST", f"/v1/playlists/{shared['id']}/tracks", json={"uris": api.uris(2)})
    api.call("ann", "PUT", f"/v1/me/tracks?ids={api.tracks[3]}")
    api.call("ann", "PUT", f"/v1/me/following?type=user&ids={api.user_id('bob')}")
    ann = api.user_id("ann")
    providers = app.state.personal_data  # type: ignore[attr-defined]
    with unit_of_work(app.state.session_factory) as session:  # type: ignore[attr-defined]
        exported = privacy.export(session, ann, providers=providers).model_dump()
    text = orjson.dumps(exported).decode()
    assert (
        mine["id"] in text and shared["id"] in text and api.tracks[3] in text and api.user_id("bob") in text
    )
    with unit_of_work(app.state.session_factory) as session:  # type: ignore[attr-defined]
        privacy.erase(session, ann, providers=providers)
    # Her playlist went with her; what she added to Bob's stays there, in nobody's name, and
    # the history no longer names her.
    assert api.call("bob", "GET", f"/v1/playlists/{mine['id']}").status_code == 404
    items = api.call("bob", "GET", f"/v1/playlists/{shared['id']}/tracks").json()["items"]
    assert [(i["track"]["id"], i["added_by"]) for i in items] == [(api.tracks[2], None)]
    history = api.call("bob", "GET", f"/v1/playlists/{shared['id']}/snapshots").json()
    assert ann not in orjson.dumps(history).decode()
    first = history["items"][-1]["snapshot_id"]
    diff = api.call("bob", "GET", f"/v1/playlists/{shared['id']}/diff?from={first}").json()
    assert [entry["added_by"] for entry in diff["added"]] == [None]
