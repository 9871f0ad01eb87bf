"""Friends' activity comes from the playback topic: a friend's play shows within 2 s, a pause
shows as played, a private session hides it, and only people I follow are shown."""

from __future__ import annotations

import time
import uuid
from typing import Any

from tests.playlists.conftest import Api
from tonearm.kit.time import iso_ms, utcnow


def _play(api: Api, user: str, track: str, kind: str = "play.start", device: str = "phone") -> None:
    event = {
        "type": kind,
        "event_id": uuid.uuid4().hex,
        "track_id": track,
        "context_uri": None,
        "device_id": f"{user}-{device}",
        "position_ms": 0,
        "ms_played": 0,
        "timestamp": iso_ms(utcnow()),
        "offline": False,
    }
    answer = api.call(user, "POST", "/v1/me/player/events", json={"events": [event]})
    assert answer.status_code == 200 and answer.json()["events"][0]["status"] == "accepted", answer.text


def _activity(api: Api, user: str) -> list[dict[str, Any]]:
    answer = api.call(user, "GET", "/v1/me/friends/activity")
    assert answer.status_code == 200, answer.text
    return list(answer.json()["friends"])


def _until(check: Any, seconds: float = 2.0) -> float:
    started = time.monotonic()
    while not check():
        assert time.monotonic() - started < seconds, "not shown in time"
        time.sleep(0.02)
    return time.monotonic() - started


def test_a_friends_play_shows_within_two_seconds_and_a_pause_as_played(api: Api) -> None:
    api.call("ann", "PUT", f"/v1/me/following?type=user&ids={api.user_id('bob')}")
    _play(api, "bob", api.tracks[0])
    took = _until(lambda: [f["track"]["id"] for f in _activity(api, "ann")] == [api.tracks[0]])
    assert took < 2.0
    [friend] = _activity(api, "ann")
    assert friend["user"]["id"] == api.user_id("bob") and friend["playing_now"] is True
    _play(api, "bob", api.tracks[0], kind="play.pause")
    _until(lambda: _activity(api, "ann")[0]["playing_now"] is False)
    # Someone ann does not follow is not shown.
    _play(api, "carol", api.tracks[1])
    time.sleep(0.5)
    assert [f["user"]["id"] for f in _activity(api, "ann")] == [api.user_id("bob")]


def test_a_private_session_hides_what_a_friend_plays(api: Api) -> None:
    api.call("ann", "PUT", f"/v1/me/following?type=user&ids={api.user_id('bob')}")
    _play(api, "bob", api.tracks[2])
    _until(lambda: len(_activity(api, "ann")) == 1)
    assert api.call("bob", "PUT", "/v1/me/player/private-session", json={"enabled": True}).status_code == 200
    assert _activity(api, "ann") == []
    _play(api, "bob", api.tracks[3])
    time.sleep(0.5)
    assert _activity(api, "ann") == []
    assert api.call("bob", "GET", "/v1/me/player/private-session").json() == {"enabled": True}
    api.call("bob", "PUT", "/v1/me/player/private-session", json={"enabled": False})
    _play(api, "bob", api.tracks[4])
    _until(lambda: [f["track"]["id"] for f in _activity(api, "ann")] == [api.tracks[4]])
