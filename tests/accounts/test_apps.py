"""Apps registered over the API (/v1/me/apps): the secret shown once and working, the owner's
alone to list and delete, and no third-party app minting more."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.accounts.conftest import REDIRECT, make_user
from tests.auth import bearer, user_token
from tonearm.accounts.service import account
from tonearm.kit.db import unit_of_work


def _third_party_token(client: TestClient, user: str) -> str:
    with unit_of_work(client.app.state.session_factory) as session:  # type: ignore[attr-defined]
        app, _ = account.create_client(session, "Someone's App", redirect_uris=[REDIRECT])
        user_id = account.get_by_name(session, user).id
        return account.issue_token(
            session, client_id=app.client_id, user_id=user_id, scope="user-read-private"
        ).access_token


def test_a_registered_app_gets_its_secret_once_and_can_use_it(client: TestClient) -> None:
    dev = bearer(user_token(client.app, "dev"))
    made = client.post("/v1/me/apps", json={"name": "My Tool", "redirect_uris": [REDIRECT]}, headers=dev)
    assert made.status_code == 201, made.text
    app = made.json()
    assert app["public"] is False and len(app["client_secret"]) == 32
    listed = client.get("/v1/me/apps", headers=dev).json()["items"]
    assert [(a["client_id"], a["name"]) for a in listed] == [(app["client_id"], "My Tool")]
    assert "client_secret" not in listed[0]
    token = client.post(
        "/api/token",
        data={"grant_type": "client_credentials"},
        auth=(app["client_id"], app["client_secret"]),
    )
    assert token.status_code == 200 and token.json()["token_type"] == "Bearer"
    public = client.post("/v1/me/apps", json={"name": "Phone", "public": True}, headers=dev).json()
    assert public["public"] is True and "client_secret" not in public


def test_deleting_an_app_stops_its_tokens(client: TestClient) -> None:
    dev = bearer(user_token(client.app, "dev"))
    app = client.post("/v1/me/apps", json={"name": "Short-lived"}, headers=dev).json()
    issued = client.post(
        "/api/token", data={"grant_type": "client_credentials"}, auth=(app["client_id"], app["client_secret"])
    ).json()["access_token"]
    assert client.get("/v1/browse/new-releases", headers=bearer(issued)).status_code == 200
    assert client.delete(f"/v1/me/apps/{app['client_id']}", headers=dev).status_code == 204
    assert client.get("/v1/browse/new-releases", headers=bearer(issued)).status_code == 401
    assert client.get("/v1/me/apps", headers=dev).json()["items"] == []


def test_another_users_app_can_be_neither_seen_nor_deleted(client: TestClient) -> None:
    owner, intruder = bearer(user_token(client.app, "owner")), bearer(user_token(client.app, "intruder"))
    app = client.post("/v1/me/apps", json={"name": "Mine"}, headers=owner).json()
    assert client.get("/v1/me/apps", headers=intruder).json()["items"] == []
    refused = client.delete(f"/v1/me/apps/{app['client_id']}", headers=intruder)
    assert refused.status_code == 404
    assert [a["name"] for a in client.get("/v1/me/apps", headers=owner).json()["items"]] == ["Mine"]


def test_a_third_party_app_cannot_register_apps_in_its_users_name(client: TestClient) -> None:
    make_user(client, "ada")
    token = bearer(_third_party_token(client, "ada"))
    refused = client.post("/v1/me/apps", json={"name": "Spawn"}, headers=token)
    assert refused.status_code == 403 and "third-party" in refused.json()["error"]["message"]
    assert client.post("/v1/me/apps", json={"name": "Spawn"}).status_code == 401


def test_bad_registrations_are_refused_with_the_reason(client: TestClient) -> None:
    dev = bearer(user_token(client.app, "dev"))
    cases = [
        ({"name": "x", "redirect_uris": ["not a uri"]}, "must be absolute"),
        ({"name": "x", "redirect_uris": ["https://a.example/cb#frag"]}, "without a fragment"),
        ({"name": "x", "redirect_uris": ["https://a.example/" + "a" * 2000]}, "at most 2000"),
        ({"name": ""}, "name"),
        ({"name": "x", "public": "sometimes"}, "public"),
        ({"name": "x", "owner_id": "someone-else"}, "owner_id"),
        ({"name": "x", "redirect_uris": [f"https://a.example/{n}" for n in range(21)]}, "redirect_uris"),
    ]
    for body, reason in cases:
        answer = client.post("/v1/me/apps", json=body, headers=dev)
        assert answer.status_code == 400, (body, answer.text)
        assert reason in answer.json()["error"]["message"], (body, answer.text)
    assert client.get("/v1/me/apps", headers=dev).json()["items"] == []
