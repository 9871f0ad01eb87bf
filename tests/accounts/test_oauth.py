"""The OAuth 2.0 flows as an app and a browser see them, and each way they are refused."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import update

from tests.accounts.conftest import (
    PASSWORD,
    REDIRECT,
    App,
    authorize,
    consent_form,
    make_app,
    make_user,
    pkce_pair,
    sign_in,
)
from tonearm.accounts.models import Token
from tonearm.kit.db import unit_of_work
from tonearm.kit.time import utcnow


def exchange(client: TestClient, app: App, code: str, verifier: str | None) -> dict[str, object]:
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": REDIRECT,
        "client_id": app.client_id,
    }
    if verifier:
        form["code_verifier"] = verifier
    auth = (app.client_id, app.secret) if app.secret else None
    response = client.post("/api/token", data=form, auth=auth)
    return {"status": response.status_code, **response.json()}


def me(client: TestClient, token: object) -> tuple[int, dict[str, object]]:
    response = client.get("/v1/me", headers={"Authorization": f"Bearer {token}"})
    return response.status_code, response.json()


def test_a_public_app_completes_the_pkce_flow_and_reads_the_user(client: TestClient, listener: str) -> None:
    app = make_app(client, public=True)
    verifier, challenge = pkce_pair()
    sign_in(client, "ada")
    code = authorize(client, app, scope="user-read-private user-read-email", challenge=challenge)
    token = exchange(client, app, code, verifier)
    assert token["status"] == 200 and token["token_type"] == "Bearer" and token["expires_in"] == 3600
    assert token["scope"] == "user-read-private user-read-email" and token["refresh_token"]
    status, user = me(client, token["access_token"])
    assert status == 200
    assert user["id"] == listener and user["email"] == "ada@example.org"
    assert (
        user["country"] == "SE" and user["product"] == "premium" and user["uri"] == f"tonearm:user:{listener}"
    )


def test_reusing_a_code_is_refused_and_revokes_what_it_issued(client: TestClient, listener: str) -> None:
    app = make_app(client, public=True)
    verifier, challenge = pkce_pair()
    sign_in(client, "ada")
    code = authorize(client, app, scope="user-read-private", challenge=challenge)
    first = exchange(client, app, code, verifier)
    assert me(client, first["access_token"])[0] == 200
    again = exchange(client, app, code, verifier)
    assert again["status"] == 400 and again["error"] == "invalid_grant"
    status, body = me(client, first["access_token"])
    assert status == 401 and "revoked" in body["error"]["message"]


def test_a_wrong_pkce_verifier_or_none_is_refused(client: TestClient, listener: str) -> None:
    app = make_app(client, public=True)
    _, challenge = pkce_pair()
    sign_in(client, "ada")
    wrong = exchange(client, app, authorize(client, app, scope="", challenge=challenge), "x" * 50)
    assert wrong["status"] == 400 and wrong["error"] == "invalid_grant"
    missing = exchange(client, app, authorize(client, app, scope="", challenge=challenge), None)
    assert missing["status"] == 400 and missing["error"] == "invalid_request"


def test_a_public_app_must_send_a_pkce_challenge(client: TestClient, listener: str) -> None:
    app = make_app(client, public=True)
    sign_in(client, "ada")
    params = {"client_id": app.client_id, "response_type": "code", "redirect_uri": REDIRECT}
    page = client.get("/authorize", params=params, follow_redirects=False)
    assert page.status_code == 400 and "PKCE" in page.text


def test_a_redirect_uri_not_registered_is_shown_an_error_never_followed(
    client: TestClient, listener: str
) -> None:
    app = make_app(client, public=True)
    _, challenge = pkce_pair()
    sign_in(client, "ada")
    params = {
        "client_id": app.client_id,
        "response_type": "code",
        "redirect_uri": "https://evil.example/steal",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    page = client.get("/authorize", params=params, follow_redirects=False)
    assert page.status_code == 400 and "location" not in page.headers
    assert "redirect" in page.text.lower()


def test_the_token_exchange_checks_the_redirect_uri_too(client: TestClient, listener: str) -> None:
    app = make_app(client, public=True, redirect_uris=(REDIRECT, "http://127.0.0.1:8765/other"))
    verifier, challenge = pkce_pair()
    sign_in(client, "ada")
    code = authorize(client, app, scope="", challenge=challenge)
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": "http://127.0.0.1:8765/other"}
    answer = client.post("/api/token", data=form | {"client_id": app.client_id, "code_verifier": verifier})
    assert answer.status_code == 400 and answer.json()["error"] == "invalid_grant"


def test_denying_consent_redirects_with_access_denied(client: TestClient, listener: str) -> None:
    app = make_app(client, public=True)
    _, challenge = pkce_pair()
    sign_in(client, "ada")
    authorize(client, app, scope="streaming", challenge=challenge, decision="deny")


def test_the_consent_form_is_refused_without_its_own_csrf_token(client: TestClient, listener: str) -> None:
    app = make_app(client, public=True)
    _, challenge = pkce_pair()
    sign_in(client, "ada")
    params = {"client_id": app.client_id, "response_type": "code", "redirect_uri": REDIRECT}
    params |= {"code_challenge": challenge, "code_challenge_method": "S256"}
    form = consent_form(client, params) | {"decision": "allow", "csrf": "forged"}
    answer = client.post("/authorize", data=form, follow_redirects=False)
    assert answer.status_code == 403 and "location" not in answer.headers


def test_authorize_sends_a_visitor_to_sign_in_first(client: TestClient) -> None:
    answer = client.get("/authorize", params={"client_id": "x"}, follow_redirects=False)
    assert answer.status_code == 307 and answer.headers["location"].startswith("/login?next=%2Fauthorize")


def test_a_refresh_token_rotates_and_the_old_one_stops_working(client: TestClient, listener: str) -> None:
    app = make_app(client, public=True)
    verifier, challenge = pkce_pair()
    sign_in(client, "ada")
    first = exchange(
        client, app, authorize(client, app, scope="user-read-private", challenge=challenge), verifier
    )
    form = {
        "grant_type": "refresh_token",
        "refresh_token": first["refresh_token"],
        "client_id": app.client_id,
    }
    renewed = client.post("/api/token", data=form)
    assert renewed.status_code == 200, renewed.text
    assert renewed.json()["refresh_token"] != first["refresh_token"]
    assert me(client, renewed.json()["access_token"])[0] == 200
    assert client.post("/api/token", data=form).json()["error"] == "invalid_grant"


def test_client_credentials_give_an_app_token_that_is_no_user(client: TestClient, listener: str) -> None:
    app = make_app(client, public=False)
    answer = client.post(
        "/api/token", data={"grant_type": "client_credentials"}, auth=(app.client_id, app.secret)
    )
    assert answer.status_code == 200 and "refresh_token" not in answer.json()
    token = answer.json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get(f"/v1/users/{listener}", headers=headers).json()["id"] == listener
    wrong = client.post("/api/token", data={"grant_type": "client_credentials"}, auth=(app.client_id, "nope"))
    assert wrong.status_code == 401 and wrong.json()["error"] == "invalid_client"


def test_a_client_secret_in_the_url_is_refused(client: TestClient) -> None:
    app = make_app(client, public=False)
    answer = client.post(
        "/api/token",
        params={"client_secret": app.secret},
        data={"grant_type": "client_credentials", "client_id": app.client_id},
    )
    assert answer.status_code == 400 and "never in the URL" in answer.json()["error"]["message"]


def test_missing_expired_and_revoked_tokens_are_401_and_a_missing_scope_403(
    client: TestClient, listener: str
) -> None:
    from tonearm.accounts.service import account

    factory = client.app.state.session_factory  # type: ignore[attr-defined]
    assert client.get("/v1/me").status_code == 401
    assert client.get("/v1/me").headers["www-authenticate"].startswith("Bearer")
    assert me(client, "not-a-token")[0] == 401
    with unit_of_work(factory) as session:
        narrow = account.token_for_name(session, "ada", scope="streaming").access_token
        expiring = account.token_for_name(session, "ada", scope="user-read-private").access_token
        revoked = account.token_for_name(session, "ada", scope="user-read-private").access_token
        account.revoke(session, revoked)
        session.execute(
            update(Token)
            .where(Token.scope == "user-read-private", Token.revoked_at.is_(None))
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )
    status, body = me(client, narrow)
    assert status == 403 and "user-read-private" in body["error"]["message"]
    assert me(client, expiring) == (401, {"error": {"status": 401, "message": "the access token expired"}})
    assert me(client, revoked)[1]["error"]["message"] == "the access token has been revoked"


def test_another_users_profile_shows_only_public_fields(client: TestClient, listener: str) -> None:
    other = make_user(client, "bob", email="bob@example.org")
    from tonearm.accounts.service import account

    with unit_of_work(client.app.state.session_factory) as session:  # type: ignore[attr-defined]
        token = account.token_for_name(session, "ada", scope="user-read-private user-read-email").access_token
    profile = client.get(f"/v1/users/{other}", headers={"Authorization": f"Bearer {token}"}).json()
    assert profile["id"] == other and "email" not in profile and "country" not in profile


def test_repeated_wrong_passwords_lock_sign_in_for_a_while(client: TestClient, listener: str) -> None:
    for _ in range(5):
        wrong = client.post("/login", data={"name": "ada", "password": "guess-guess"}, follow_redirects=False)
        assert wrong.status_code == 401 and "wrong name or password" in wrong.text
    locked = client.post("/login", data={"name": "ada", "password": "guess-guess"}, follow_redirects=False)
    assert locked.status_code == 429 and int(locked.headers["retry-after"]) >= 1
    # While locked even the right password waits, and says nothing about being right.
    right = client.post("/login", data={"name": "ada", "password": PASSWORD}, follow_redirects=False)
    assert right.status_code == 429 and "try again later" in right.text


def test_sign_up_creates_a_listener_and_signs_in(client: TestClient) -> None:
    answer = client.post(
        "/signup",
        data={"name": "newcomer", "password": "long enough", "country": "no", "next": "/"},
        follow_redirects=False,
    )
    assert answer.status_code == 303 and "tonearm_session" in answer.cookies
    taken = client.post("/signup", data={"name": "newcomer", "password": "long enough", "country": "NO"})
    assert taken.status_code == 400 and "taken" in taken.text
    short = client.post("/signup", data={"name": "other", "password": "short", "country": "NO"})
    assert short.status_code == 400 and "at least 8" in short.text


def test_an_app_revokes_its_own_tokens_and_no_one_elses(client: TestClient, listener: str) -> None:
    app = make_app(client, public=True)
    verifier, challenge = pkce_pair()
    sign_in(client, "ada")
    code = authorize(client, app, scope="user-read-private", challenge=challenge)
    tokens = client.post(
        "/api/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT,
            "client_id": app.client_id,
            "code_verifier": verifier,
        },
    ).json()
    other = make_app(client, public=True)
    # Another app cannot revoke it: the token stays good.
    refused = client.post(
        "/api/revoke", data={"token": tokens["refresh_token"], "client_id": other.client_id}
    )
    assert refused.status_code == 400 and refused.json()["error"] == "invalid_grant"
    assert me(client, tokens["access_token"])[0] == 200
    revoked = client.post("/api/revoke", data={"token": tokens["refresh_token"], "client_id": app.client_id})
    assert revoked.status_code == 200
    # The refresh token and its access token both stop working.
    assert me(client, tokens["access_token"])[0] == 401
    refresh = client.post(
        "/api/token",
        data={
            "grant_type": "refresh_token",
            "refresh_token": tokens["refresh_token"],
            "client_id": app.client_id,
        },
    )
    assert refresh.status_code == 400
    # An unknown token is not an error (RFC 7009), and says nothing about tokens that exist.
    unknown = client.post("/api/revoke", data={"token": "nothing-like-it", "client_id": app.client_id})
    assert unknown.status_code == 200


def test_an_app_with_a_secret_leaves_it_out_only_when_it_proves_pkce(
    client: TestClient, listener: str
) -> None:
    app = make_app(client, public=False)
    sign_in(client, "ada")
    plain = authorize(client, app, scope="user-read-private", challenge=None)
    exchange = {"grant_type": "authorization_code", "redirect_uri": REDIRECT, "client_id": app.client_id}
    without_secret = client.post("/api/token", data={**exchange, "code": plain})
    assert without_secret.status_code in (400, 401) and without_secret.json()["error"] == "invalid_client"
    # A verifier with no challenge behind it proves nothing.
    forged = client.post("/api/token", data={**exchange, "code": plain, "code_verifier": "x" * 43})
    assert forged.status_code == 400 and forged.json()["error"] == "invalid_request", forged.text
    verifier, challenge = pkce_pair()
    proven = authorize(client, app, scope="user-read-private", challenge=challenge)
    wrong = client.post("/api/token", data={**exchange, "code": proven, "code_verifier": pkce_pair()[0]})
    assert wrong.status_code == 400
    proven = authorize(client, app, scope="user-read-private", challenge=challenge)
    tokens = client.post("/api/token", data={**exchange, "code": proven, "code_verifier": verifier})
    assert tokens.status_code == 200 and me(client, tokens.json()["access_token"])[0] == 200
