"""What a listener gets once the model has learnt from plays: Discover Weekly, Release Radar and
Daily Mixes as playlists with a reason on every track, Home, and a radio that plays on; nothing
they may not play and, in discovery, nothing they heard."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest

from tests.recs.conftest import SONGS_EACH, Recs, artist_of
from tonearm.catalog import catalog_feed
from tonearm.kit.db import unit_of_work
from tonearm.kit.time import utcnow


@pytest.fixture(scope="module")
def taught(module_api: Recs) -> Recs:
    return teach(module_api)


def teach(api: Recs) -> Recs:
    """alice streams artists 0 and 1; bob, like her, 0, 1 and 2; carol the folk artists 3-5;
    alice skipped a folk song."""
    api.stream("alice", *range(0, 4), times=3)
    api.stream("alice", *range(6, 9), times=2)
    api.stream("bob", *range(0, 4), *range(6, 10), *range(12, 18), times=2)
    api.stream("dave", *range(1, 5), *range(12, 16), times=2)
    api.stream("carol", *range(18, 36))
    api.skip("alice", 20)
    api.train()
    return api


def test_discover_weekly_is_unheard_playable_tracks_each_with_a_reason(taught: Recs) -> None:
    weekly = taught.made("alice", "discover-weekly")
    numbers = [taught.number(track["id"]) for track in weekly["tracks"]]
    heard = {*range(0, 4), *range(6, 9), 20}
    assert numbers and not heard & set(numbers)
    assert len(numbers) <= 30
    assert max(Counter(artist_of(n) for n in numbers).values()) <= 2
    for track in weekly["tracks"]:
        assert track["reasons"] and all(reason["text"] for reason in track["reasons"])
    # Her taste leads: what listeners like her play (artist 2) comes before folk.
    assert artist_of(numbers[0]) == 2, numbers


def test_discover_weekly_is_a_playlist_tonearm_owns_and_the_listener_cannot_edit(taught: Recs) -> None:
    weekly = taught.made("alice", "discover-weekly")
    playlist = taught.get("alice", f"/v1/playlists/{weekly['playlist']['id']}")
    assert playlist["owner"]["display_name"] == "Tonearm"
    assert [item["track"]["id"] for item in playlist["tracks"]["items"]] == [
        t["id"] for t in weekly["tracks"]
    ]
    answer = taught.call(
        "alice", "POST", f"/v1/playlists/{playlist['id']}/tracks", json={"uris": taught.uris(0)}
    )
    assert answer.status_code == 403
    assert taught.call("bob", "GET", f"/v1/playlists/{playlist['id']}").status_code == 404
    by_playlist = taught.get("alice", f"/v1/me/made-for-you/by-playlist/{playlist['id']}")
    assert by_playlist["key"] == "discover-weekly"
    assert taught.call("bob", "GET", f"/v1/me/made-for-you/by-playlist/{playlist['id']}").status_code == 404


def test_a_reason_names_a_track_the_listener_played_or_a_listener_like_them(taught: Recs) -> None:
    weekly = taught.made("alice", "discover-weekly")
    played = {f"tonearm:track:{taught.tracks[n]}" for n in (*range(0, 4), *range(6, 9))}
    pointed = {reason["uri"] for track in weekly["tracks"] for reason in track["reasons"]}
    assert pointed & played, pointed


def test_a_taken_down_track_is_never_recommended(api: Recs) -> None:
    taught = teach(api)
    with unit_of_work(taught.factory()) as session:
        catalog_feed.take_down(session, taught.tracks[12])
    weekly = taught.made("bob", "discover-weekly")  # built now, after the takedown
    radio = taught.call(
        "alice", "POST", "/v1/me/radio?limit=40", json={"seed_uri": taught.uris(13)[0]}
    ).json()
    everything = [t["id"] for t in weekly["tracks"]] + [t["id"] for t in radio["tracks"]]
    assert taught.tracks[12] not in everything


def test_daily_mixes_mix_favourites_with_tracks_like_them(taught: Recs) -> None:
    mixes = [
        found
        for found in taught.get("alice", "/v1/me/made-for-you")["items"]
        if found["product"] == "daily-mix"
    ]
    assert 1 <= len(mixes) <= 6
    first = mixes[0]["tracks"]
    kinds = {reason["kind"] for track in first for reason in track["reasons"][:1]}
    assert "favourite" in kinds and kinds - {"favourite"}
    assert "Artist" in mixes[0]["description"]


def test_release_radar_says_when_nothing_is_new(taught: Recs) -> None:
    radar = taught.made("alice", "release-radar")
    assert radar["tracks"]
    assert {artist_of(taught.number(t["id"])) for t in radar["tracks"]} <= {0, 1}
    assert all(t["reasons"][0]["kind"] == "latest" for t in radar["tracks"])  # releases are from 2024


def test_radio_starts_with_its_track_and_plays_on_past_the_catalogue(taught: Recs) -> None:
    answer = taught.call("alice", "POST", "/v1/me/radio?limit=10", json={"seed_uri": taught.uris(0)[0]})
    assert answer.status_code == 201, answer.text
    station = answer.json()
    assert station["tracks"][0]["id"] == taught.tracks[0]
    assert station["title"] == "Song 0 Radio"
    assert all(track["reasons"] for track in station["tracks"])
    later = taught.get("alice", f"/v1/me/radio/{station['id']}", offset=60, limit=10)
    assert len(later["tracks"]) == 10  # 36 songs in all: it comes round again
    again = taught.get("alice", f"/v1/me/radio/{station['id']}", offset=0, limit=10)
    assert [t["id"] for t in again["tracks"]] == [t["id"] for t in station["tracks"]]
    assert taught.call("bob", "GET", f"/v1/me/radio/{station['id']}").status_code == 404


def test_radio_from_an_artist_album_or_playlist_and_bad_seeds(taught: Recs) -> None:
    artist = taught.get("alice", f"/v1/tracks/{taught.tracks[0]}")["artists"][0]["id"]
    for seed in (
        f"tonearm:artist:{artist}",
        f"tonearm:album:{taught.get('alice', f'/v1/tracks/{taught.tracks[0]}')['album']['id']}",
    ):
        answer = taught.call("alice", "POST", "/v1/me/radio", json={"seed_uri": seed})
        assert answer.status_code == 201, answer.text
        assert answer.json()["tracks"]
    for bad, status in (("tonearm:show:abc", 400), ("nonsense", 400), (f"tonearm:track:{'A' * 22}", 404)):
        answer = taught.call("alice", "POST", "/v1/me/radio", json={"seed_uri": bad})
        assert answer.status_code == status, (bad, answer.text)


def test_home_has_shelves_that_change_with_the_time_of_day(taught: Recs) -> None:
    morning = taught.get("alice", "/v1/views/home", utc_offset_minutes=0, timestamp=None)
    shelves = {shelf["id"]: shelf for shelf in morning["shelves"]}
    assert {"for-this-time", "made-for-you", "recently-played"} <= set(shelves)
    assert all(item["reasons"] for item in shelves["for-this-time"]["items"])
    titles = [item["name"] for item in shelves["made-for-you"]["items"]]
    assert "Discover Weekly" in titles
    greetings, orders = {}, set()
    for local_hour in (8, 14, 19, 2):  # morning, afternoon, evening, night where the listener is
        offset = (local_hour - utcnow().hour + 12) % 24 - 12
        view = taught.get("alice", "/v1/views/home", utc_offset_minutes=offset * 60)
        greetings[local_hour] = view["greeting"]
        orders.add(tuple(shelf["id"] for shelf in view["shelves"]))
    assert greetings == {8: "Good morning", 14: "Good afternoon", 19: "Good evening", 2: "Good night"}
    assert len(orders) >= 3


def test_a_new_listener_gets_what_is_popular_then_what_they_picked(taught: Recs) -> None:
    home = taught.get("erin", "/v1/views/home")
    ids = [shelf["id"] for shelf in home["shelves"]]
    assert ids[:2] == ["pick-artists", "popular"]
    folk = taught.get("erin", f"/v1/tracks/{taught.tracks[30]}")["artists"][0]["id"]
    assert taught.call("erin", "PUT", "/v1/me/taste/artists", json={"ids": [folk]}).status_code == 204
    weekly = taught.made("erin", "discover-weekly")
    numbers = [taught.number(t["id"]) for t in weekly["tracks"]]
    assert artist_of(numbers[0]) >= 3, numbers  # folk, like the pick
    taste = taught.get("erin", "/v1/me/taste/artists")
    assert [a["id"] for a in taste["artists"]] == [folk] and taste["suggestions"]
    for body, status in (({"ids": []}, 400), ({"ids": ["A" * 22]}, 404), ({"ids": ["bad"]}, 400)):
        assert taught.call("erin", "PUT", "/v1/me/taste/artists", json=body).status_code == status


def test_before_any_model_is_trained_lists_fall_back_to_what_is_popular(api: Recs) -> None:
    api.stream("alice", 0, times=2)
    weekly = api.made("alice", "discover-weekly")
    assert weekly["tracks"]
    assert {t["reasons"][0]["kind"] for t in weekly["tracks"]} == {"popular"}
    assert api.call("alice", "POST", "/v1/me/radio", json={"seed_uri": api.uris(0)[0]}).status_code == 201


def test_the_listener_can_not_reach_another_listeners_lists_by_key(taught: Recs) -> None:
    assert SONGS_EACH == 6
    mine = {found["key"] for found in taught.get("carol", "/v1/me/made-for-you")["items"]}
    assert "discover-weekly" in mine


def test_a_new_listener_is_first_offered_what_their_country_streams(api: Recs) -> None:
    from tests.listening.conftest import play

    for _ in range(3):
        play(api.factory(), api.user_id("bob"), api.tracks[30], utcnow() - timedelta(hours=2), country="DE")
    api.stream("carol", 7, times=2)  # in SE
    api.train()
    home = api.get("erin", "/v1/views/home")  # erin is in SE
    popular = next(shelf for shelf in home["shelves"] if shelf["id"] == "popular")
    assert popular["title"] == "Popular in SE"
    assert popular["items"][0]["id"] == api.tracks[7]
    assert popular["items"][0]["reasons"][0]["text"] == "Popular in SE"
    assert (
        api.tracks[30] != popular["items"][1]["id"]
        or popular["items"][1]["reasons"][0]["text"] != "Popular in SE"
    )
