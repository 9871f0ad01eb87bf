"""GET /v1/me/player/recently-played as Spotify clients read it: newest first, paged by
unix-millisecond cursors, only the caller's own plays."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient

from tests.listening.conftest import (
    app_only_token,
    bearer,
    factory,
    first_party_token,
    make_tracks,
    make_user,
    play,
    third_party_token,
)
from tonearm.accounts.service import CLI_CLIENT_ID
from tonearm.kit.time import iso_ms

PATH = "/v1/me/player/recently-played"
SCOPE = "user-read-recently-played"
# Yesterday noon: within the history the retention job keeps (a fixed date ages out of it, and
# the app's retention pass at start-up would then delete the plays under the test).
START = (datetime.now(UTC) - timedelta(days=1)).replace(hour=12, minute=0, second=0, microsecond=0)
ISO_Z = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


def ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


@pytest.fixture
def history(api: TestClient) -> dict[str, object]:
    """ada played five tracks a minute apart (Track 1 first); bo played one of his own."""
    sessions = factory(api)
    tracks = make_tracks(sessions, *(f"Track {n}" for n in range(1, 6)), "Bo's Song")
    ada, bo = make_user(sessions, "ada"), make_user(sessions, "bo")
    for minute, track_id in enumerate(tracks[:5]):
        play(sessions, ada, track_id, START + timedelta(minutes=minute), client_id=CLI_CLIENT_ID)
    play(sessions, bo, tracks[5], START, client_id=CLI_CLIENT_ID)
    return {"tracks": tracks, "ada": ada, "token": first_party_token(sessions, "ada", SCOPE)}


def get(api: TestClient, token: object, **params: object) -> tuple[int, dict[str, object]]:
    answer = api.get(PATH, params=params, headers=bearer(str(token)))
    return answer.status_code, answer.json()


def names(page: dict[str, object]) -> list[str]:
    return [item["track"]["name"] for item in page["items"]]  # type: ignore[attr-defined,index]


def test_recently_played_has_spotifys_shape_newest_first(api: TestClient, history: dict[str, object]) -> None:
    status, page = get(api, history["token"])
    assert status == 200
    assert names(page) == ["Track 5", "Track 4", "Track 3", "Track 2", "Track 1"]
    newest = page["items"][0]  # type: ignore[index]
    assert newest["played_at"] == iso_ms(START + timedelta(minutes=4)) and newest["context"] is None
    assert all(ISO_Z.match(item["played_at"]) for item in page["items"])  # type: ignore[attr-defined]
    track = newest["track"]
    assert track["type"] == "track" and track["id"] == history["tracks"][4]  # type: ignore[index]
    assert track["uri"] == f"tonearm:track:{track['id']}" and track["artists"][0]["name"] == "Track 5 Band"
    assert track["album"]["name"] == "Album"
    assert page["limit"] == 20 and page["next"] is None
    assert page["href"] == f"http://testserver{PATH}?limit=20"
    assert page["cursors"] == {
        "after": str(ms(START + timedelta(minutes=4))),
        "before": str(ms(START)),
    }


def test_the_next_link_pages_back_through_the_history(api: TestClient, history: dict[str, object]) -> None:
    status, first = get(api, history["token"], limit=2)
    assert status == 200 and names(first) == ["Track 5", "Track 4"]
    query = parse_qs(urlsplit(str(first["next"])).query)
    assert query == {"limit": ["2"], "before": [first["cursors"]["before"]]}  # type: ignore[index]
    second = api.get(str(first["next"]), headers=bearer(str(history["token"]))).json()
    assert names(second) == ["Track 3", "Track 2"]
    last = api.get(str(second["next"]), headers=bearer(str(history["token"]))).json()
    assert names(last) == ["Track 1"] and last["next"] is None


def test_the_after_cursor_returns_only_later_plays(api: TestClient, history: dict[str, object]) -> None:
    status, page = get(api, history["token"], after=ms(START + timedelta(minutes=1)), limit=2)
    # The two plays just after the cursor, shown newest first, so paging forward skips none.
    assert status == 200 and names(page) == ["Track 4", "Track 3"]
    status, newer = get(api, history["token"], after=page["cursors"]["after"])  # type: ignore[index]
    assert names(newer) == ["Track 5"]
    status, none = get(api, history["token"], after=ms(START + timedelta(hours=1)))
    assert status == 200 and none["items"] == [] and none["cursors"] == {"after": None, "before": None}


def test_a_user_sees_only_their_own_plays(api: TestClient, history: dict[str, object]) -> None:
    bo_token = first_party_token(factory(api), "bo", SCOPE)
    assert names(get(api, bo_token)[1]) == ["Bo's Song"]
    assert "Bo's Song" not in names(get(api, history["token"])[1])


@pytest.mark.parametrize(
    ("params", "complaint"),
    [
        ({"before": "yesterday"}, "before"),
        ({"after": -1}, "after"),
        ({"before": 10**16}, "before"),
        ({"before": 1, "after": 2}, "not both"),
        ({"limit": 0}, "limit"),
        ({"limit": 51}, "limit"),
    ],
)
def test_a_bad_cursor_or_limit_is_a_400_that_says_which(
    api: TestClient, history: dict[str, object], params: dict[str, object], complaint: str
) -> None:
    status, body = get(api, history["token"], **params)
    assert status == 400 and complaint in body["error"]["message"]  # type: ignore[index]


def test_recently_played_needs_a_users_token_with_its_scope(
    api: TestClient, history: dict[str, object]
) -> None:
    sessions = factory(api)
    assert api.get(PATH).status_code == 401
    status, body = get(api, first_party_token(sessions, "ada", "user-read-private"))
    assert status == 403 and SCOPE in body["error"]["message"]  # type: ignore[index]
    status, body = get(api, app_only_token(sessions, SCOPE))
    assert status == 403 and "user" in body["error"]["message"]  # type: ignore[index]
    # Spotify's scope, so an outside app the user authorised may read it.
    outside = third_party_token(sessions, str(history["ada"]), SCOPE)
    assert names(get(api, outside)[1])[0] == "Track 5"
