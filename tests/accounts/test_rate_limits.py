"""Quotas per user per app, by category, counted in process or in Redis: the 429 a client sees,
with Retry-After, and whose budget each request spends."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from tests.auth import bearer, user_token
from tonearm.accounts.service import account
from tonearm.config import Settings
from tonearm.kit.db import unit_of_work
from tonearm.kit.limits import LIMITS

SEARCH = ("/v1/search", {"q": "anything", "type": "track"})


def _client(settings: Settings) -> Iterator[TestClient]:
    from tonearm.app import create_app

    with TestClient(create_app(settings), base_url="http://testserver") as client:
        yield client


@pytest.fixture(params=["memory", "redis"])
def limits_url(request: pytest.FixtureRequest) -> str:
    if request.param == "memory":
        return "memory://"
    url: str = request.getfixturevalue("redis_url")
    return url


@pytest.fixture
def limited(settings: Settings, limits_url: str) -> Iterator[TestClient]:
    yield from _client(settings.model_copy(update={"rate_limit_url": limits_url}))


def _search(client: TestClient, token: str) -> int:
    path, params = SEARCH
    return client.get(path, params=params, headers=bearer(token)).status_code


def test_the_31st_search_in_30_seconds_gets_429_with_retry_after(limited: TestClient) -> None:
    token = user_token(limited.app, "ada")
    assert LIMITS["search"].requests == 30
    assert [_search(limited, token) for _ in range(30)] == [200] * 30
    path, params = SEARCH
    refused = limited.get(path, params=params, headers=bearer(token))
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["retry-after"]) <= 30
    assert refused.json()["error"]["status"] == 429
    assert "30 search requests per 30 s" in refused.json()["error"]["message"]


def test_each_user_each_app_and_each_category_has_its_own_budget(limited: TestClient) -> None:
    ada, bob = user_token(limited.app, "ada"), user_token(limited.app, "bob")
    for _ in range(30):
        _search(limited, ada)
    assert _search(limited, ada) == 429
    # Another user, and the same user's standard requests, are not held back.
    assert _search(limited, bob) == 200
    assert limited.get("/v1/me", headers=bearer(ada)).status_code == 200
    # The same user through another app spends that app's budget.
    with unit_of_work(limited.app.state.session_factory) as session:  # type: ignore[attr-defined]
        app, _ = account.create_client(session, "Other App", redirect_uris=[])
        user_id = account.get_by_name(session, "ada").id
        other = account.issue_token(session, client_id=app.client_id, user_id=user_id, scope="").access_token
    assert _search(limited, other) == 200


def test_standard_requests_allow_100_per_30_seconds(limited: TestClient) -> None:
    token = bearer(user_token(limited.app, "ada"))
    answers = [limited.get("/v1/browse/new-releases", headers=token).status_code for _ in range(101)]
    assert answers == [200] * 100 + [429]


def test_the_players_routes_allow_50_per_30_seconds_beside_the_standard_budget(limited: TestClient) -> None:
    token = bearer(user_token(limited.app, "ada"))
    answers = [limited.get("/v1/me/player/recently-played", headers=token).status_code for _ in range(51)]
    assert answers == [200] * 50 + [429]
    assert "50 player requests per 30 s" in limited.get("/v1/me/player/recently-played", headers=token).text
    assert limited.get("/v1/me", headers=token).status_code == 200


def test_processes_sharing_redis_share_one_budget(settings: Settings, redis_url: str) -> None:
    shared = settings.model_copy(update={"rate_limit_url": redis_url})
    first = _client(shared)
    one = next(first)
    token = user_token(one.app, "ada")
    # A second app (as another server process would be) on the same database and the same Redis.
    second = _client(shared)
    two = next(second)
    try:
        assert [_search(one, token) for _ in range(20)] == [200] * 20
        assert [_search(two, token) for _ in range(10)] == [200] * 10
        assert _search(one, token) == 429
        assert _search(two, token) == 429
    finally:
        for generator in (second, first):
            generator.close()


def test_a_redis_outage_lets_requests_through(settings: Settings) -> None:
    nowhere = settings.model_copy(update={"rate_limit_url": "redis://127.0.0.1:1/0"})
    for client in _client(nowhere):
        token = user_token(client.app, "ada")
        assert _search(client, token) == 200


def test_limits_are_per_category_as_configured() -> None:
    assert {name: (quota.requests, quota.window_seconds) for name, quota in LIMITS.items()} == {
        "standard": (100, 30),
        "search": (30, 30),
        "player": (50, 30),
        "playlist": (25, 30),
    }
