"""The event catalogue: envelopes round-trip, unknown kinds and versions are skipped, every
kind names a topic the platform opens."""

from __future__ import annotations

import orjson

from tonearm import events
from tonearm.events import TRACK_PUBLISHED, decode, encode, make


def test_an_event_round_trips_through_its_envelope() -> None:
    event = make(TRACK_PUBLISHED, {"track_id": "t" * 22, "album_id": "a" * 22, "artist_ids": ["r" * 22]})
    back = decode(encode(event))
    assert back == event
    assert back is not None and back.topic == "catalog" and back.name == "track.published"


def test_the_same_event_made_twice_has_two_ids_unless_given_one() -> None:
    payload = {"user_id": "u" * 22}
    first = make(events.USER_ERASED, {**payload, "providers": []})
    second = make(events.USER_ERASED, {**payload, "providers": []})
    assert first.id != second.id
    assert make(events.USER_ERASED, {**payload, "providers": []}, id="fixed").id == "fixed"


def test_an_unknown_kind_or_a_newer_version_decodes_to_none() -> None:
    unknown = orjson.dumps({"type": "track.sung", "v": 1, "id": "x", "at": "", "data": {}})
    newer = orjson.dumps({"type": "track.published", "v": 99, "id": "x", "at": "", "data": {}})
    assert decode(unknown) is None
    assert decode(newer) is None


def test_every_kind_travels_on_a_known_topic_and_playback_has_all_seven() -> None:
    assert {kind.topic for kind in events.ALL_KINDS.values()} <= set(events.TOPICS)
    assert set(events.PLAYBACK) == {
        "play.start",
        "play.progress",
        "play.pause",
        "play.resume",
        "play.seek",
        "play.skip",
        "play.end",
    }
