"""A user's own data: GET /v1/me/export hands over all of it (accounts' own parts and every
registered provider's sections) and no secret; an erasure goes through every provider, then
removes the accounts rows and records `user.erased` in the outbox. Only the platform's own apps
may ask, for the signed-in user."""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass
from typing import Any

import orjson
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tests.accounts.conftest import REDIRECT, App, RecordingProvider, authorize, sign_in
from tests.listening.conftest import (
    PASSWORD,
    app_only_token,
    bearer,
    factory,
    first_party_token,
    make_user,
    third_party_token,
)
from tonearm.accounts.models import AuthorizationCode, OAuthClient, Token, User, UserArtist
from tonearm.accounts.privacy import check_providers, privacy
from tonearm.accounts.service import WEB_CLIENT_ID, account
from tonearm.catalog.service import catalog
from tonearm.kit.db import unit_of_work
from tonearm.kit.outbox import OutboxRow

SCOPE = "user-read-private user-read-recently-played"
Providers = tuple[RecordingProvider, RecordingProvider]


@dataclass(frozen=True)
class People:
    ada: str
    bo: str
    ada_token: str
    bo_token: str
    ada_app: App


def _own_app_and_artist(sessions: sessionmaker[Session], ada: str) -> App:
    with unit_of_work(sessions) as session:
        account.link_artist(session, "ada", catalog.ensure_artist(session, "Ada Lovelace Trio"))
        app, secret = account.create_client(session, "Ada's Jukebox", redirect_uris=[REDIRECT], owner_id=ada)
        return App(app.client_id, secret)


@pytest.fixture
def people(api: TestClient, providers: Providers) -> People:
    """ada: an artist link, an app of her own that she also signed in to (a code), a token from
    an outside app, rows with both providers. bo: a row with the first, and a token."""
    sessions = factory(api)
    ada = make_user(sessions, "ada", email="ada@example.org", display_name="Ada L.")
    bo = make_user(sessions, "bo", email="bo@example.org", country="DE")
    ada_app = _own_app_and_artist(sessions, ada)
    sign_in(api, "ada", PASSWORD)
    authorize(api, ada_app, scope="user-read-private", challenge=None)
    third_party_token(sessions, ada, "user-read-email")
    listening, playlists = providers
    listening.rows |= {ada: 2, bo: 1}
    playlists.rows[ada] = 3
    return People(
        ada=ada,
        bo=bo,
        ada_token=first_party_token(sessions, "ada", SCOPE),
        bo_token=first_party_token(sessions, "bo", SCOPE),
        ada_app=ada_app,
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


def export(api: TestClient, token: str, **params: str) -> dict[str, Any]:
    answer = api.get("/v1/me/export", params=params, headers=bearer(token))
    assert answer.status_code == 200, answer.text
    assert answer.headers["cache-control"] == "no-store"
    return answer.json()


def test_the_export_holds_the_users_profile_links_apps_and_tokens(api: TestClient, people: People) -> None:
    data = export(api, people.ada_token)
    user = data["user"]
    assert user["id"] == people.ada and user["name"] == "ada" and user["email"] == "ada@example.org"
    assert user["display_name"] == "Ada L." and user["country"] == "SE" and user["product"] == "premium"
    assert {"role", "explicit_content", "failed_logins", "locked_until", "created_at"} <= set(user)
    assert user["erasure_due_at"] is None and "password_hash" not in user
    assert [artist["name"] for artist in data["artists"]] == ["Ada Lovelace Trio"]
    [app] = data["apps"]
    assert app["client_id"] == people.ada_app.client_id and app["name"] == "Ada's Jukebox"
    assert app["confidential"] is True and app["redirect_uris"] == [REDIRECT]
    issued = {token["app_name"]: token for token in data["tokens"]}
    assert set(issued) == {"Outside App", "Tonearm CLI"}
    outside = issued["Outside App"]
    assert outside["scope"] == "user-read-email" and outside["has_refresh_token"] is True
    assert outside["revoked_at"] is None and outside["issued_at"] < outside["expires_at"]
    [code] = data["authorization_codes"]
    assert code["client_id"] == people.ada_app.client_id and code["scope"] == "user-read-private"


def test_every_registered_provider_is_asked_and_its_sections_join_the_export(
    api: TestClient, people: People, providers: Providers
) -> None:
    data = export(api, people.ada_token)
    listening, playlists = providers
    assert listening.calls == playlists.calls == [("export", people.ada)]
    accounts_parts = {"format", "exported_at", "user", "artists", "apps", "tokens", "authorization_codes"}
    assert set(data) == accounts_parts | {"listening_history", "playlists", "followed_playlists"}
    assert data["format"] == "tonearm-export/1"
    assert [row["row"] for row in data["listening_history"]] == [0, 1]
    assert len(data["playlists"]) == len(data["followed_playlists"]) == 3


def test_the_export_holds_no_secret_and_nothing_of_another_user(api: TestClient, people: People) -> None:
    body = api.get("/v1/me/export", headers=bearer(people.ada_token)).text
    hashes = secrets_in_database(factory(api))
    assert len(hashes) >= 7
    assert not [value for value in hashes if value in body]
    assert people.ada_app.secret and people.ada_app.secret not in body
    assert people.ada_token not in body
    for theirs in (people.bo, '"bo"', "bo@example.org", people.bo_token):
        assert theirs not in body


def test_the_zip_export_holds_the_same_json_and_a_readme_naming_every_section(
    api: TestClient, people: People
) -> None:
    answer = api.get("/v1/me/export", params={"format": "zip"}, headers=bearer(people.ada_token))
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/zip"
    assert answer.headers["content-disposition"].startswith('attachment; filename="tonearm-export-')
    with zipfile.ZipFile(io.BytesIO(answer.content)) as archive:
        assert sorted(archive.namelist()) == ["README.txt", "tonearm-export.json"]
        text = archive.read("tonearm-export.json").decode()
        readme = archive.read("README.txt").decode()
    for section in ("user", "tokens", "listening_history", "playlists", "followed_playlists"):
        assert f"  {section} " in readme
    plain = export(api, people.ada_token)
    assert {**json.loads(text), "exported_at": None} == {**plain, "exported_at": None}
    assert not [value for value in secrets_in_database(factory(api)) if value in text]


def test_an_unknown_export_format_is_a_400(api: TestClient, people: People) -> None:
    answer = api.get("/v1/me/export", params={"format": "xml"}, headers=bearer(people.ada_token))
    assert answer.status_code == 400 and "format" in answer.json()["error"]["message"]


def test_the_web_player_may_export_too(api: TestClient, people: People) -> None:
    with unit_of_work(factory(api)) as session:
        token = account.issue_token(session, client_id=WEB_CLIENT_ID, user_id=people.ada, scope=SCOPE)
    assert export(api, token.access_token)["user"]["id"] == people.ada


def test_the_export_works_before_any_provider_is_registered(api: TestClient, people: People) -> None:
    del api.app.state.personal_data  # type: ignore[attr-defined]
    assert "listening_history" not in export(api, people.ada_token)


PRIVATE_ROUTES = [
    ("GET", "/v1/me/export"),
    ("DELETE", "/v1/me"),
    ("GET", "/v1/me/erasure"),
    ("DELETE", "/v1/me/erasure"),
]


@pytest.mark.parametrize(("method", "path"), PRIVATE_ROUTES)
def test_an_outside_app_is_refused_even_with_the_scope(
    api: TestClient, people: People, method: str, path: str
) -> None:
    outside = third_party_token(factory(api), people.ada, SCOPE)
    answer = api.request(method, path, headers=bearer(outside), json={"password": PASSWORD})
    assert answer.status_code == 403
    assert "only Tonearm's own apps" in answer.json()["error"]["message"]
    assert export(api, people.ada_token)["user"]["erasure_due_at"] is None


@pytest.mark.parametrize(("method", "path"), PRIVATE_ROUTES)
def test_no_token_is_a_401_and_an_apps_own_or_unscoped_token_a_403(
    api: TestClient, people: People, method: str, path: str
) -> None:
    assert api.request(method, path).status_code == 401
    app_only = api.request(method, path, headers=bearer(app_only_token(factory(api), "user-read-private")))
    assert app_only.status_code == 403 and "user's access token" in app_only.json()["error"]["message"]
    unscoped = first_party_token(factory(api), "ada", "user-read-email")
    answer = api.request(method, path, headers=bearer(unscoped))
    assert answer.status_code == 403 and "user-read-private" in answer.json()["error"]["message"]


# ---- erasure, on each database ----
@pytest.fixture
def ada(session_factory: sessionmaker[Session]) -> str:
    """ada with an artist link, an app of her own, a token of the CLI and one of an outside app."""
    ada = make_user(session_factory, "ada")
    with unit_of_work(session_factory) as session:
        account.link_artist(session, "ada", catalog.ensure_artist(session, "Ada Artist"))
        account.create_client(session, "Mine", redirect_uris=[], owner_id=ada)
    first_party_token(session_factory, "ada", "user-read-private")
    third_party_token(session_factory, ada, "user-read-private")
    return ada


def test_erasure_calls_every_provider_then_removes_every_row_keyed_to_the_user(
    session_factory: sessionmaker[Session], ada: str, providers: Providers
) -> None:
    listening, playlists = providers
    listening.rows[ada], playlists.rows[ada] = 4, 1
    with unit_of_work(session_factory) as session:
        erased = privacy.erase(session, ada, providers=providers)
    assert erased.model_dump() == {
        "user": 1,
        "tokens": 2,
        "authorization_codes": 0,
        "artist_links": 1,
        "apps_released": 1,
        "providers": {"listening": 4, "playlists": 1},
    }
    assert listening.calls == playlists.calls == [("erase", ada)]
    assert listening.saw_user == playlists.saw_user == [True]
    with unit_of_work(session_factory) as session:
        assert session.get(User, ada) is None
        for model in (Token, AuthorizationCode, UserArtist):
            assert session.scalars(select(model).where(model.user_id == ada)).all() == []
        [app] = session.scalars(select(OAuthClient).where(OAuthClient.name == "Mine"))
        assert app.owner_id is None


def test_erasure_records_user_erased_in_the_outbox_with_every_provider(
    session_factory: sessionmaker[Session], ada: str, providers: Providers
) -> None:
    with unit_of_work(session_factory) as session:
        privacy.erase(session, ada, providers=providers)
    with unit_of_work(session_factory) as session:
        [row] = session.scalars(select(OutboxRow).where(OutboxRow.type == "user.erased"))
    assert row.topic == "accounts"
    envelope = orjson.loads(row.body)
    assert envelope["data"] == {"user_id": ada, "providers": ["listening", "playlists", "accounts"]}


class _Failing(RecordingProvider):
    def erase(self, session: Session, user_id: str) -> int:
        raise RuntimeError("the playlists database is down")


def test_a_provider_that_fails_undoes_the_whole_erasure_and_its_event(
    session_factory: sessionmaker[Session], ada: str, providers: Providers
) -> None:
    failing = _Failing("playlists", ("playlists",))
    with pytest.raises(RuntimeError), unit_of_work(session_factory) as session:
        privacy.erase(session, ada, providers=(providers[0], failing))
    with unit_of_work(session_factory) as session:
        assert session.get(User, ada) is not None
        assert session.scalars(select(OutboxRow).where(OutboxRow.type == "user.erased")).all() == []


@pytest.mark.parametrize(
    ("second", "problem"),
    [
        (RecordingProvider("listening", ("history",)), "named 'listening' is registered twice"),
        (RecordingProvider("accounts", ("profile",)), "named 'accounts' is registered twice"),
        (RecordingProvider("charts", ("listening_history",)), "section 'listening_history'"),
        (RecordingProvider("charts", ("tokens",)), "section 'tokens'"),
    ],
)
def test_providers_may_not_share_a_name_or_a_section(
    providers: Providers, second: RecordingProvider, problem: str
) -> None:
    check_providers(providers)
    with pytest.raises(ValueError, match=problem):
        check_providers((providers[0], second))
