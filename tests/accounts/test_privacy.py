"""A user's own data: GET /v1/me/export hands over all of it and no secret; DELETE /v1/me
erases it, keeping only the anonymous tallies royalties need. Only the platform's own apps may
ask, for the signed-in user."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tests.accounts.conftest import REDIRECT, App, authorize, sign_in
from tests.listening.conftest import (
    PASSWORD,
    app_only_token,
    bearer,
    factory,
    first_party_token,
    make_tracks,
    make_user,
    play,
    third_party_token,
)
from tonearm.accounts.models import AuthorizationCode, OAuthClient, Token, User, UserArtist
from tonearm.accounts.privacy import privacy
from tonearm.accounts.service import CLI_CLIENT_ID, WEB_CLIENT_ID, account
from tonearm.catalog.service import catalog
from tonearm.config import Settings
from tonearm.kit.db import unit_of_work
from tonearm.listening.service import listening

PLAYED = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
SCOPE = "user-read-private user-read-recently-played"


@dataclass(frozen=True)
class People:
    ada: str
    bo: str
    ada_token: str
    bo_token: str
    ada_app: App
    bo_song: str


@pytest.fixture
def api(settings: Settings) -> Iterator[TestClient]:
    from tonearm.app import create_app

    with TestClient(create_app(settings), base_url="http://testserver") as client:
        yield client


def _own_app_and_artist(sessions: sessionmaker[Session], ada: str) -> App:
    with unit_of_work(sessions) as session:
        account.link_artist(session, "ada", catalog.ensure_artist(session, "Ada Lovelace Trio"))
        app, secret = account.create_client(session, "Ada's Jukebox", redirect_uris=[REDIRECT], owner_id=ada)
        return App(app.client_id, secret)


@pytest.fixture
def people(api: TestClient) -> People:
    """ada: an artist link, an app of her own that she also signed in to (a code), a token from
    an outside app, two plays. bo: a play and a token of his own."""
    sessions = factory(api)
    ada_song, bo_song = make_tracks(sessions, "Ada Song", "Bo Song")
    ada = make_user(sessions, "ada", email="ada@example.org", display_name="Ada L.")
    bo = make_user(sessions, "bo", email="bo@example.org", country="DE")
    ada_app = _own_app_and_artist(sessions, ada)
    sign_in(api, "ada", PASSWORD)
    authorize(api, ada_app, scope="user-read-private", challenge=None)
    third_party_token(sessions, ada, "user-read-email")
    play(sessions, ada, ada_song, PLAYED, client_id=CLI_CLIENT_ID)
    play(sessions, ada, ada_song, PLAYED.replace(hour=13), client_id=WEB_CLIENT_ID)
    play(sessions, bo, bo_song, PLAYED, country="DE", client_id=CLI_CLIENT_ID)
    return People(
        ada=ada,
        bo=bo,
        ada_token=first_party_token(sessions, "ada", SCOPE),
        bo_token=first_party_token(sessions, "bo", SCOPE),
        ada_app=ada_app,
        bo_song=bo_song,
    )


def secrets_in_database(sessions: sessionmaker[Session]) -> list[str]:
    """Every stored hash of a password, token, code or app secret, whoever's."""
    with unit_of_work(sessions) as session:
        found = [
            *session.scalars(select(User.password_hash)),
            *session.scalars(select(Token.access_hash)),
            *session.scalars(select(Token.refresh_hash)),
            *session.scalars(select(AuthorizationCode.code_hash)),
            *session.scalars(select(OAuthClient.secret_hash)),
        ]
    return [value for value in found if value]


def export(api: TestClient, token: str, **params: str) -> dict[str, object]:
    answer = api.get("/v1/me/export", params=params, headers=bearer(token))
    assert answer.status_code == 200, answer.text
    assert answer.headers["cache-control"] == "no-store"
    return answer.json()  # type: ignore[no-any-return]


def test_the_export_holds_the_users_profile_links_apps_tokens_and_history(
    api: TestClient, people: People
) -> None:
    data = export(api, people.ada_token)
    user = data["user"]
    assert user["id"] == people.ada and user["name"] == "ada" and user["email"] == "ada@example.org"  # type: ignore[index]
    assert user["display_name"] == "Ada L." and user["country"] == "SE" and user["product"] == "premium"  # type: ignore[index]
    assert {"role", "explicit_content", "failed_logins", "locked_until", "created_at"} <= set(user)  # type: ignore[arg-type]
    assert "password_hash" not in user  # type: ignore[operator]
    assert [artist["name"] for artist in data["artists"]] == ["Ada Lovelace Trio"]  # type: ignore[attr-defined,index]
    [app] = data["apps"]  # type: ignore[misc]
    assert app["client_id"] == people.ada_app.client_id and app["name"] == "Ada's Jukebox"
    assert app["confidential"] is True and app["redirect_uris"] == [REDIRECT]
    issued = {token["app_name"]: token for token in data["tokens"]}  # type: ignore[attr-defined]
    assert set(issued) == {"Outside App", "Tonearm CLI"}
    outside = issued["Outside App"]
    assert outside["scope"] == "user-read-email" and outside["has_refresh_token"] is True
    assert outside["revoked_at"] is None and outside["issued_at"] < outside["expires_at"]
    [code] = data["authorization_codes"]  # type: ignore[misc]
    assert code["client_id"] == people.ada_app.client_id and code["scope"] == "user-read-private"
    history = data["listening_history"]
    assert [(p["track_name"], p["played_at"], p["client_id"]) for p in history] == [  # type: ignore[attr-defined]
        ("Ada Song", "2026-03-01T12:00:00.000Z", CLI_CLIENT_ID),
        ("Ada Song", "2026-03-01T13:00:00.000Z", WEB_CLIENT_ID),
    ]


def test_the_export_holds_no_secret_and_nothing_of_another_user(api: TestClient, people: People) -> None:
    body = api.get("/v1/me/export", headers=bearer(people.ada_token)).text
    hashes = secrets_in_database(factory(api))
    assert len(hashes) >= 7
    assert not [value for value in hashes if value in body]
    assert people.ada_app.secret and people.ada_app.secret not in body
    assert people.ada_token not in body
    for theirs in (people.bo, '"bo"', "bo@example.org", "Bo Song", people.bo_song, people.bo_token):
        assert theirs not in body


def test_the_zip_export_holds_the_same_json_and_a_readme(api: TestClient, people: People) -> None:
    answer = api.get("/v1/me/export", params={"format": "zip"}, headers=bearer(people.ada_token))
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/zip"
    assert answer.headers["content-disposition"].startswith('attachment; filename="tonearm-export-')
    with zipfile.ZipFile(io.BytesIO(answer.content)) as archive:
        assert sorted(archive.namelist()) == ["README.txt", "tonearm-export.json"]
        text = archive.read("tonearm-export.json").decode()
        assert "listening_history" in archive.read("README.txt").decode()
    plain = export(api, people.ada_token)
    assert {**json.loads(text), "exported_at": None} == {**plain, "exported_at": None}
    assert not [value for value in secrets_in_database(factory(api)) if value in text]


def test_an_unknown_export_format_is_a_400(api: TestClient, people: People) -> None:
    answer = api.get("/v1/me/export", params={"format": "xml"}, headers=bearer(people.ada_token))
    assert answer.status_code == 400 and "format" in answer.json()["error"]["message"]


def test_the_web_player_may_export_too(api: TestClient, people: People) -> None:
    with unit_of_work(factory(api)) as session:
        token = account.issue_token(session, client_id=WEB_CLIENT_ID, user_id=people.ada, scope=SCOPE)
    assert export(api, token.access_token)["user"]["id"] == people.ada  # type: ignore[index]


@pytest.mark.parametrize(("method", "path"), [("GET", "/v1/me/export"), ("DELETE", "/v1/me")])
def test_an_outside_app_is_refused_even_with_the_scope(
    api: TestClient, people: People, method: str, path: str
) -> None:
    outside = third_party_token(factory(api), people.ada, SCOPE)
    answer = api.request(method, path, headers=bearer(outside))
    assert answer.status_code == 403
    assert "only Tonearm's own apps" in answer.json()["error"]["message"]
    assert export(api, people.ada_token)["user"]["id"] == people.ada  # type: ignore[index]


@pytest.mark.parametrize(("method", "path"), [("GET", "/v1/me/export"), ("DELETE", "/v1/me")])
def test_no_token_is_a_401_and_an_apps_own_or_unscoped_token_a_403(
    api: TestClient, people: People, method: str, path: str
) -> None:
    assert api.request(method, path).status_code == 401
    app_only = api.request(method, path, headers=bearer(app_only_token(factory(api), "user-read-private")))
    assert app_only.status_code == 403 and "user's access token" in app_only.json()["error"]["message"]
    unscoped = first_party_token(factory(api), "ada", "user-read-email")
    answer = api.request(method, path, headers=bearer(unscoped))
    assert answer.status_code == 403 and "user-read-private" in answer.json()["error"]["message"]


def test_deleting_the_account_erases_it_and_keeps_only_anonymous_tallies(
    api: TestClient, people: People
) -> None:
    sessions = factory(api)
    with unit_of_work(sessions) as session:
        tallied = sum(tally.plays for tally in listening.tallies(session))
    assert api.get("/v1/me", headers=bearer(people.ada_token)).status_code == 200

    answer = api.delete("/v1/me", headers=bearer(people.ada_token))

    assert answer.status_code == 204 and answer.content == b""
    for path in ("/v1/me", "/v1/me/export", "/v1/me/player/recently-played"):
        assert api.get(path, headers=bearer(people.ada_token)).status_code == 401
    signed_in = api.post("/login", data={"name": "ada", "password": PASSWORD}, follow_redirects=False)
    assert signed_in.status_code == 401
    with unit_of_work(sessions) as session:
        assert session.get(User, people.ada) is None
        for model in (Token, AuthorizationCode, UserArtist):
            assert session.scalars(select(model).where(model.user_id == people.ada)).all() == []
        app = session.get(OAuthClient, people.ada_app.client_id)
        assert app is not None and app.owner_id is None
        assert listening.history(session, people.ada) == []
        assert sum(tally.plays for tally in listening.tallies(session)) == tallied == 3
    bo = export(api, people.bo_token)
    assert bo["user"]["name"] == "bo" and len(bo["listening_history"]) == 1  # type: ignore[arg-type,index]


def test_erasure_on_each_database_removes_every_row_keyed_to_the_user(
    session_factory: sessionmaker[Session],
) -> None:
    [song] = make_tracks(session_factory, "Song")
    ada = make_user(session_factory, "ada")
    with unit_of_work(session_factory) as session:
        account.link_artist(session, "ada", catalog.ensure_artist(session, "Ada Artist"))
        account.create_client(session, "Mine", redirect_uris=[], owner_id=ada)
    first_party_token(session_factory, "ada", "user-read-private")
    third_party_token(session_factory, ada, "user-read-private")
    play(session_factory, ada, song, PLAYED)
    with unit_of_work(session_factory) as session:
        erased = privacy.erase(session, ada)
    assert erased.model_dump() == {
        "user": 1,
        "tokens": 2,
        "authorization_codes": 0,
        "artist_links": 1,
        "apps_released": 1,
        "plays": 1,
    }
    with unit_of_work(session_factory) as session:
        assert session.get(User, ada) is None
        assert [tally.plays for tally in listening.tallies(session)] == [1]
