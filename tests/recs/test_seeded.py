"""Spotify's seeded recommendations and related artists, and what they refuse."""

from __future__ import annotations

import pytest

from tests.catalog_factory import make_track, publish
from tests.recs.conftest import Recs, artist_of, features
from tonearm.config import Settings
from tonearm.kit.db import unit_of_work


@pytest.fixture(scope="module")
def taught(module_api: Recs) -> Recs:
    return teach(module_api)


def teach(api: Recs) -> Recs:
    api.stream("alice", *range(0, 6), times=2)
    api.stream("bob", *range(0, 12), times=2)
    api.stream("carol", *range(18, 30))
    api.train()
    return api


def _artist(api: Recs, number: int) -> str:
    return str(api.get("alice", f"/v1/tracks/{api.tracks[number]}")["artists"][0]["id"])


def test_seed_tracks_give_tracks_like_them_with_reasons_and_the_seeds_described(taught: Recs) -> None:
    found = taught.get("alice", "/v1/recommendations", seed_tracks=taught.tracks[0], limit=10)
    numbers = [taught.number(t["id"]) for t in found["tracks"]]
    assert numbers and 0 not in numbers
    assert all(t["reasons"] for t in found["tracks"])
    assert found["seeds"][0]["id"] == taught.tracks[0] and found["seeds"][0]["type"] == "track"
    assert found["seeds"][0]["initialPoolSize"] >= found["seeds"][0]["afterFilteringSize"] >= len(numbers)


def test_min_max_and_target_shape_the_result(taught: Recs) -> None:
    slow = taught.get("alice", "/v1/recommendations", seed_genres="synthpop,folk", max_tempo=125, limit=50)
    assert slow["tracks"] and all(features(taught.number(t["id"])).tempo <= 125 for t in slow["tracks"])
    acoustic = taught.get(
        "alice", "/v1/recommendations", seed_tracks=taught.tracks[0], target_acousticness=0.9
    )
    top = [artist_of(taught.number(t["id"])) for t in acoustic["tracks"][:3]]
    assert all(artist >= 3 for artist in top), top


def test_related_artists_are_others_with_the_same_listeners(taught: Recs) -> None:
    artist = _artist(taught, 0)
    related = taught.get("alice", f"/v1/artists/{artist}/related-artists")["artists"]
    ids = [a["id"] for a in related]
    assert ids and artist not in ids
    assert ids[0] == _artist(taught, 6)
    assert taught.call("alice", "GET", f"/v1/artists/{'A' * 22}/related-artists").status_code == 404


def test_genre_seeds_are_the_catalogues_genres(taught: Recs) -> None:
    assert taught.get("alice", "/v1/recommendations/available-genre-seeds")["genres"] == ["folk", "synthpop"]


@pytest.mark.parametrize(
    ("params", "says"),
    [
        ({}, "1 to 5 seeds"),
        ({"seed_genres": "a,b,c", "seed_tracks": "{0},{1},{2}"}, "at most 5"),
        ({"seed_genres": "polka"}, "unknown seed genre"),
        ({"seed_tracks": "A" * 22}, "unknown seed track"),
        ({"seed_artists": "not-an-id"}, "invalid artist id"),
        ({"seed_genres": "folk", "target_energy": "1.5"}, "between 0 and 1"),
        ({"seed_genres": "folk", "min_tempo": "120", "max_tempo": "90"}, "min_tempo is above max_tempo"),
        ({"seed_genres": "folk", "target_sparkle": "1"}, "no tunable attribute"),
        ({"seed_genres": "folk", "min_energy": "lots"}, "must be a number"),
    ],
)
def test_bad_seeds_and_targets_are_a_400_that_says_why(
    taught: Recs, params: dict[str, str], says: str
) -> None:
    filled = {k: v.format(*taught.tracks) for k, v in params.items()}
    answer = taught.call("alice", "GET", "/v1/recommendations", params=filled)
    assert answer.status_code == 400, answer.text
    assert says in answer.json()["error"]["message"]


def test_a_catalogue_of_one_track_recommends_nothing_but_does_not_fail(settings: Settings) -> None:
    from fastapi.testclient import TestClient

    from tonearm.app import create_app

    app = create_app(settings)
    with TestClient(app, base_url="http://testserver") as client:
        with unit_of_work(app.state.session_factory) as session:
            (only,) = publish(session, make_track("Alone", duration_ms=240_000, samples=240 * 48000))
        api = Recs(client, [only])
        api.stream("alice", 0, times=2)
        api.train()
        found = api.get("alice", "/v1/recommendations", seed_tracks=only)
        assert found["tracks"] == [] and found["seeds"][0]["initialPoolSize"] == 0
        weekly = api.made("alice", "discover-weekly")
        assert weekly["tracks"] == []  # she heard the only track
        station = api.call("alice", "POST", "/v1/me/radio", json={"seed_uri": f"tonearm:track:{only}"})
        assert station.status_code == 201 and [t["id"] for t in station.json()["tracks"]] == [only]
        assert api.get("alice", "/v1/views/home")["shelves"]
