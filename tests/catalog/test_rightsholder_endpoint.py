"""GET and PUT /v1/admin/tracks/{id}/rights: a track's rightsholder and splits, for admins."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.auth import bearer, user_token
from tests.catalog_factory import make_track, publish
from tonearm.kit.db import unit_of_work

UNKNOWN = "0" * 22
HALVES = [
    {"party": "Ada", "role": "artist", "share_percent": 50.0},
    {"party": "Bo", "role": "producer", "share_percent": 50},
]


@pytest.fixture
def track_id(client: TestClient) -> str:
    with unit_of_work(client.app.state.session_factory) as session:  # type: ignore[attr-defined]
        [found] = publish(session, make_track("Paid Song"))
    return found


@pytest.fixture
def admin(client: TestClient) -> dict[str, str]:
    return bearer(user_token(client.app, "boss", role="admin"))


def _put(client: TestClient, track_id: str, admin: dict[str, str], splits: list[dict[str, Any]]) -> Any:
    body = {"rightsholder": {"name": "Some Label", "kind": "label"}, "splits": splits}
    return client.put(f"/v1/admin/tracks/{track_id}/rights", json=body, headers=admin)


def test_an_admin_sets_and_reads_a_tracks_rightsholder_and_splits(
    client: TestClient, track_id: str, admin: dict[str, str]
) -> None:
    before = client.get(f"/v1/admin/tracks/{track_id}/rights", headers=admin).json()
    assert before == {"id": track_id, "uri": f"tonearm:track:{track_id}", "rightsholder": None, "splits": []}

    put = _put(client, track_id, admin, HALVES)
    assert put.status_code == 200, put.text
    body = client.get(f"/v1/admin/tracks/{track_id}/rights", headers=admin).json()
    assert body == put.json()
    assert body["rightsholder"]["name"] == "Some Label" and body["rightsholder"]["kind"] == "label"
    assert body["splits"] == [
        {"party": "Ada", "role": "artist", "share_bp": 5000, "share_percent": 50.0},
        {"party": "Bo", "role": "producer", "share_bp": 5000, "share_percent": 50.0},
    ]


def test_no_splits_give_the_rightsholder_everything(
    client: TestClient, track_id: str, admin: dict[str, str]
) -> None:
    body = _put(client, track_id, admin, []).json()
    assert body["splits"] == [
        {"party": "Some Label", "role": "label", "share_bp": 10000, "share_percent": 100.0}
    ]


@pytest.mark.parametrize(
    ("splits", "message"),
    [
        ([{**HALVES[0], "share_percent": 49}, HALVES[1]], "the splits add up to 99 %, not 100 %"),
        ([{**HALVES[0], "share_percent": 51}, HALVES[1]], "the splits add up to 101 %, not 100 %"),
        ([HALVES[0], {**HALVES[0], "party": "ada"}], "'ada' is named twice as artist"),
        ([{**HALVES[0], "share_percent": 33.333}, HALVES[1]], "at most two decimals"),
        ([{**HALVES[0], "party": ""}, HALVES[1]], "party"),
    ],
)
def test_bad_splits_are_a_400_and_change_nothing(
    client: TestClient, track_id: str, admin: dict[str, str], splits: list[dict[str, Any]], message: str
) -> None:
    assert _put(client, track_id, admin, HALVES).status_code == 200
    refused = client.put(
        f"/v1/admin/tracks/{track_id}/rights",
        json={"rightsholder": {"name": "Other Label"}, "splits": splits},
        headers=admin,
    )
    assert refused.status_code == 400
    assert message in refused.json()["error"]["message"]
    body = client.get(f"/v1/admin/tracks/{track_id}/rights", headers=admin).json()
    assert body["rightsholder"]["name"] == "Some Label"
    assert [split["party"] for split in body["splits"]] == ["Ada", "Bo"]


def test_an_unknown_track_is_a_404(client: TestClient, admin: dict[str, str]) -> None:
    read = client.get(f"/v1/admin/tracks/{UNKNOWN}/rights", headers=admin)
    assert read.status_code == 404 and UNKNOWN in read.json()["error"]["message"]
    assert _put(client, UNKNOWN, admin, HALVES).status_code == 404


def test_only_an_admin_may_see_or_change_rights(client: TestClient, track_id: str) -> None:
    listener = bearer(user_token(client.app, "ada"))
    for response in (
        client.get(f"/v1/admin/tracks/{track_id}/rights", headers=listener),
        _put(client, track_id, listener, HALVES),
        client.get(f"/v1/admin/tracks/{track_id}/rights"),  # the test app's own token: no user at all
    ):
        assert response.status_code == 403
        assert response.json()["error"]["message"] == "only an admin account may do this"
