"""A user's own erasure is never one bare call: DELETE /v1/me needs the password (or a sign-in
within the last 5 minutes) and only schedules the erasure 7 days out; signing in again or
DELETE /v1/me/erasure calls it off, and the due job erases through every provider."""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import orjson
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tests.accounts.conftest import RecordingProvider, pkce_pair, sign_in
from tests.listening.conftest import PASSWORD, bearer, factory, first_party_token, make_user
from tonearm.accounts.models import Token, User
from tonearm.accounts.privacy import privacy
from tonearm.accounts.service import WEB_CLIENT_ID, digest
from tonearm.accounts.tasks import ErasureJob, run_due
from tonearm.kit.db import unit_of_work
from tonearm.kit.outbox import OutboxRow
from tonearm.kit.time import as_utc, utcnow

SCOPE = "user-read-private"
WEEK = timedelta(days=7)
Providers = tuple[RecordingProvider, RecordingProvider]


def web_player_token(api: TestClient, name: str) -> dict[str, str]:
    """Sign in with the password, then go through the web player's own OAuth flow (PKCE)."""
    sign_in(api, name, PASSWORD)
    verifier, challenge = pkce_pair()
    redirect = "http://testserver/"
    params = {"client_id": WEB_CLIENT_ID, "response_type": "code", "redirect_uri": redirect, "scope": SCOPE}
    params |= {"code_challenge": challenge, "code_challenge_method": "S256"}
    answer = api.get("/authorize", params=params, follow_redirects=False)
    assert answer.status_code == 303, answer.text
    [code] = parse_qs(urlsplit(answer.headers["location"]).query)["code"]
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect}
    issued = api.post("/api/token", data=form | {"client_id": WEB_CLIENT_ID, "code_verifier": verifier})
    assert issued.status_code == 200, issued.text
    return issued.json()  # type: ignore[no-any-return]


def user(sessions: sessionmaker[Session], user_id: str) -> User | None:
    with unit_of_work(sessions) as session:
        return session.get(User, user_id)


def delete_me(api: TestClient, token: str, body: object = None, path: str = "/v1/me") -> tuple[int, dict]:  # type: ignore[type-arg]
    answer = api.request("DELETE", path, headers=bearer(token), json=body)
    return answer.status_code, answer.json()


@pytest.fixture
def ada(api: TestClient, providers: Providers) -> str:
    ada = make_user(factory(api), "ada")
    providers[0].rows[ada] = 3
    return ada


@pytest.fixture
def cli_token(api: TestClient, ada: str) -> str:
    """A token of the CLI's app: issued by an operator, no sign-in behind it."""
    return first_party_token(factory(api), "ada", SCOPE)


@pytest.mark.parametrize("path", ["/v1/me", "/v1/me/"])
@pytest.mark.parametrize("body", [None, {}, {"password": ""}, {"confirm": True}, {"password": None}])
def test_a_token_alone_cannot_erase_or_schedule_anything(
    api: TestClient, ada: str, cli_token: str, providers: Providers, path: str, body: object
) -> None:
    status, answer = delete_me(api, cli_token, body, path)
    assert status == 400
    assert '{"password": "..."}' in answer["error"]["message"]
    found = user(factory(api), ada)
    assert found is not None and found.erasure_due_at is None
    assert api.get("/v1/me", headers=bearer(cli_token)).status_code == 200
    assert run_due(factory(api), providers, now=utcnow() + 2 * WEEK) == 0
    assert providers[0].calls == providers[1].calls == []


def test_a_body_that_is_not_json_is_a_400(api: TestClient, ada: str, cli_token: str) -> None:
    answer = api.request("DELETE", "/v1/me", headers=bearer(cli_token), content=b"yes please")
    assert answer.status_code == 400
    assert user(factory(api), ada).erasure_due_at is None  # type: ignore[union-attr]


def test_a_wrong_password_is_a_403_and_counts_towards_the_sign_in_lock(
    api: TestClient, ada: str, cli_token: str
) -> None:
    status, answer = delete_me(api, cli_token, {"password": "not the password"})
    assert status == 403 and "not your password" in answer["error"]["message"]
    found = user(factory(api), ada)
    assert found is not None and found.erasure_due_at is None and found.failed_logins == 1
    for _ in range(5):
        delete_me(api, cli_token, {"password": "still not it"})
    status, _answer = delete_me(api, cli_token, {"password": PASSWORD})
    assert status == 429
    assert user(factory(api), ada).erasure_due_at is None  # type: ignore[union-attr]


def test_the_password_schedules_the_erasure_a_week_out_and_nothing_goes_yet(
    api: TestClient, ada: str, cli_token: str, providers: Providers
) -> None:
    before = utcnow()
    answer = api.request("DELETE", "/v1/me", headers=bearer(cli_token), json={"password": PASSWORD})
    assert answer.status_code == 202 and answer.headers["location"] == "/v1/me/erasure"
    erase_at = datetime.fromisoformat(answer.json()["erase_at"])
    assert before + WEEK - timedelta(seconds=1) <= erase_at <= utcnow() + WEEK
    assert api.get("/v1/me/erasure", headers=bearer(cli_token)).json() == answer.json()
    # The account works meanwhile, and its export stays available.
    export = api.get("/v1/me/export", headers=bearer(cli_token)).json()
    assert export["user"]["erasure_due_at"] == answer.json()["erase_at"]
    assert len(export["listening_history"]) == 3
    assert run_due(factory(api), providers, now=erase_at - timedelta(seconds=1)) == 0
    assert user(factory(api), ada) is not None
    assert ("erase", ada) not in providers[0].calls


def test_asking_again_keeps_the_first_date(api: TestClient, ada: str, cli_token: str) -> None:
    _status, first = delete_me(api, cli_token, {"password": PASSWORD})
    status, again = delete_me(api, cli_token, {"password": PASSWORD})
    assert status == 202 and again == first


def test_a_sign_in_within_five_minutes_stands_for_the_password(api: TestClient, ada: str) -> None:
    token = web_player_token(api, "ada")["access_token"]
    status, answer = delete_me(api, token)
    assert status == 202 and "erase_at" in answer
    assert user(factory(api), ada).erasure_due_at is not None  # type: ignore[union-attr]


def test_an_older_sign_in_needs_the_password(api: TestClient, ada: str) -> None:
    token = web_player_token(api, "ada")["access_token"]
    with unit_of_work(factory(api)) as session:
        row = session.scalars(select(Token).where(Token.access_hash == digest(token))).one()
        row.authenticated_at = utcnow() - timedelta(minutes=6)
    assert delete_me(api, token)[0] == 400
    assert delete_me(api, token, {"password": "wrong"})[0] == 403
    assert delete_me(api, token, {"password": PASSWORD})[0] == 202


def test_a_refreshed_token_keeps_the_time_of_its_sign_in(api: TestClient, ada: str) -> None:
    first = web_player_token(api, "ada")
    form = {
        "grant_type": "refresh_token",
        "refresh_token": first["refresh_token"],
        "client_id": WEB_CLIENT_ID,
    }
    refreshed = api.post("/api/token", data=form).json()
    with unit_of_work(factory(api)) as session:
        times = [
            session.scalars(select(Token.authenticated_at).where(Token.access_hash == digest(token))).one()
            for token in (first["access_token"], refreshed["access_token"])
        ]
    assert times[0] is not None and times[0] == times[1]
    assert abs(as_utc(times[0]) - utcnow()) < timedelta(minutes=1)


def test_signing_in_again_calls_the_erasure_off(
    api: TestClient, ada: str, cli_token: str, providers: Providers
) -> None:
    assert delete_me(api, cli_token, {"password": PASSWORD})[0] == 202
    sign_in(api, "ada", PASSWORD)
    assert user(factory(api), ada).erasure_due_at is None  # type: ignore[union-attr]
    assert api.get("/v1/me/erasure", headers=bearer(cli_token)).status_code == 404
    assert run_due(factory(api), providers, now=utcnow() + 2 * WEEK) == 0
    assert user(factory(api), ada) is not None


def test_a_failed_sign_in_leaves_the_erasure_scheduled(api: TestClient, ada: str, cli_token: str) -> None:
    assert delete_me(api, cli_token, {"password": PASSWORD})[0] == 202
    api.post("/login", data={"name": "ada", "password": "a guess"}, follow_redirects=False)
    assert user(factory(api), ada).erasure_due_at is not None  # type: ignore[union-attr]


def test_delete_me_erasure_calls_it_off(
    api: TestClient, ada: str, cli_token: str, providers: Providers
) -> None:
    assert delete_me(api, cli_token, {"password": PASSWORD})[0] == 202
    answer = api.delete("/v1/me/erasure", headers=bearer(cli_token))
    assert answer.status_code == 204
    assert api.get("/v1/me/erasure", headers=bearer(cli_token)).status_code == 404
    assert api.delete("/v1/me/erasure", headers=bearer(cli_token)).status_code == 204
    assert run_due(factory(api), providers, now=utcnow() + 2 * WEEK) == 0


def test_once_due_the_account_goes_through_every_provider(
    api: TestClient, ada: str, cli_token: str, providers: Providers
) -> None:
    _status, scheduled = delete_me(api, cli_token, {"password": PASSWORD})
    # erase_at is shown to the millisecond.
    due = datetime.fromisoformat(scheduled["erase_at"]) + timedelta(milliseconds=1)
    assert run_due(factory(api), providers, now=due) == 1
    assert user(factory(api), ada) is None
    assert providers[0].calls == providers[1].calls == [("erase", ada)]
    assert api.get("/v1/me", headers=bearer(cli_token)).status_code == 401
    assert run_due(factory(api), providers, now=due) == 0


# ---- the due job, on each database ----
def _schedule(sessions: sessionmaker[Session], user_id: str, *, days_ago: int) -> None:
    with unit_of_work(sessions) as session:
        privacy.schedule_erasure(
            session, user_id, password=PASSWORD, signed_in_at=None, now=utcnow() - timedelta(days=days_ago)
        )


def test_run_due_erases_only_what_is_due_and_records_user_erased(
    session_factory: sessionmaker[Session], providers: Providers
) -> None:
    due, waiting, kept = (make_user(session_factory, name) for name in ("ada", "bo", "cy"))
    _schedule(session_factory, due, days_ago=8)
    _schedule(session_factory, waiting, days_ago=6)
    assert run_due(session_factory, providers) == 1
    assert [user(session_factory, who) is None for who in (due, waiting, kept)] == [True, False, False]
    assert providers[0].calls == providers[1].calls == [("erase", due)]
    with unit_of_work(session_factory) as session:
        [row] = session.scalars(select(OutboxRow).where(OutboxRow.type == "user.erased"))
    assert orjson.loads(row.body)["data"] == {
        "user_id": due,
        "providers": ["listening", "playlists", "accounts"],
    }


class _FailsFor(RecordingProvider):
    def erase(self, session: Session, user_id: str) -> int:
        if user_id == self.sections[0]:
            raise RuntimeError("cannot erase this one today")
        return super().erase(session, user_id)


def test_one_failing_erasure_neither_undoes_nor_holds_up_the_others(
    session_factory: sessionmaker[Session],
) -> None:
    ada, bo = make_user(session_factory, "ada"), make_user(session_factory, "bo")
    _schedule(session_factory, ada, days_ago=9)
    _schedule(session_factory, bo, days_ago=8)
    assert run_due(session_factory, (_FailsFor("flaky", (ada,)),)) == 1
    assert user(session_factory, ada) is not None and user(session_factory, bo) is None
    assert user(session_factory, ada).erasure_due_at is not None  # type: ignore[union-attr]


def test_the_erasure_job_erases_due_accounts_in_the_background(
    session_factory: sessionmaker[Session], providers: Providers
) -> None:
    ada = make_user(session_factory, "ada")
    _schedule(session_factory, ada, days_ago=8)
    job = ErasureJob(session_factory, lambda: providers, interval_seconds=0.05)
    job.start()
    try:
        deadline = time.monotonic() + 10
        while user(session_factory, ada) is not None and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        job.stop()
    assert user(session_factory, ada) is None
    assert providers[0].calls == [("erase", ada)]
