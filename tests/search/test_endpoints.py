"""What a listener sees from /v1/search and /v1/search/suggest."""

from __future__ import annotations

import statistics
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.catalog_factory import make_track, publish
from tests.search.conftest import settle, until
from tonearm.catalog.feed import feed
from tonearm.kit.db import unit_of_work


def suggest(client: TestClient, q: str, **params: Any) -> list[tuple[str, str]]:
    response = client.get("/v1/search/suggest", params={"q": q, **params})
    assert response.status_code == 200, response.text
    return [(item["type"], item["name"]) for item in response.json()["items"]]


def track_names(client: TestClient, q: str, **params: Any) -> list[str]:
    response = client.get("/v1/search", params={"q": q, "type": "track", **params})
    assert response.status_code == 200, response.text
    return [item["name"] for item in response.json()["tracks"]["items"]]


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("m", ("track", "Mr. Brightside")),
        ("mr bri", ("track", "Mr. Brightside")),
        ("Mr. Brightside", ("track", "Mr. Brightside")),
        ("somebody to", ("track", "Somebody Told Me")),
        ("thunder", ("track", "Thunderstruck")),
    ],
)
def test_the_last_word_matches_as_a_prefix(reader: TestClient, typed: str, expected: tuple[str, str]) -> None:
    assert suggest(reader, typed)[0] == expected


def test_a_finished_word_is_not_a_prefix(reader: TestClient) -> None:
    assert ("track", "Thunderstruck") not in suggest(reader, "thunder ")


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("beyonce", ("artist", "Beyoncé")),
        ("BEYONCÉ", ("artist", "Beyoncé")),
        ("acdc", ("artist", "AC/DC")),
        ("ac/dc", ("artist", "AC/DC")),
        ("ac dc", ("artist", "AC/DC")),
        ("motley crue", ("artist", "Mötley Crüe")),
        ("dr feelgood", ("album", "Dr. Feelgood")),
    ],
)
def test_case_diacritics_and_punctuation_fold(
    reader: TestClient, typed: str, expected: tuple[str, str]
) -> None:
    assert expected in suggest(reader, typed)[:3]


@pytest.mark.parametrize(
    ("typed", "found"),
    [
        ("brightsdie", True),  # one transposition in 10 letters
        ("brigthside killers", True),  # one edit in an earlier word
        ("thundrstrck", True),  # two edits in 13 letters
        ("kikstart", True),  # one edit from 5 letters
        ("hlao", False),  # 4 letters: no typo allowed
        ("thnderstruck", True),  # a letter missing
        ("itro", True),  # a 5-letter word with a letter missing is still one edit from 5 letters
        ("ihtro", True),
        ("thndrstrk", False),  # three edits
        ("kiksart", False),  # two edits in 7 letters
    ],
)
def test_typos_are_tolerated_by_word_length(reader: TestClient, typed: str, found: bool) -> None:
    names = [name for _, name in suggest(reader, typed + " ")]
    wanted = {"brightsdie": "Mr. Brightside", "brigthside killers": "Mr. Brightside"}.get(typed)
    matched = any(name in (wanted, "Thunderstruck", "Kickstart My Heart", "Halo", "Intro") for name in names)
    assert matched is found, names


def test_popularity_orders_equal_matches(reader: TestClient) -> None:
    body = reader.get("/v1/search", params={"q": "intro", "type": "track"}).json()
    artists = [item["artists"][0]["name"] for item in body["tracks"]["items"]]
    assert artists == ["Everybody Knows", "Nobody Famous"]


def test_an_exact_name_beats_a_more_popular_longer_one(reader: TestClient) -> None:
    assert track_names(reader, "halo")[:2] == ["Halo", "Halo Theme Extended Remix"]


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("artist:killers", {"Mr. Brightside", "Somebody Told Me"}),
        ('artist:"the killers" somebody', {"Somebody Told Me"}),
        ("album:themes", {"Halo Theme Extended Remix"}),
        ("track:halo", {"Halo", "Halo Theme Extended Remix"}),
        ("halo year:2008", {"Halo"}),
        ("year:1989-1990", {"Thunderstruck", "Kickstart My Heart"}),
        ("isrc:USIR20400274", {"Mr. Brightside"}),
        ('"told me"', {"Somebody Told Me"}),
        ("tag:new", {"Fresh Out Today"}),
        ("intro tag:hipster", {"Intro"}),
    ],
)
def test_field_filters(reader: TestClient, q: str, expected: set[str]) -> None:
    assert set(track_names(reader, q)) == expected


def test_tag_hipster_keeps_only_the_least_popular(reader: TestClient) -> None:
    body = reader.get("/v1/search", params={"q": "intro tag:hipster", "type": "track"}).json()
    assert [item["popularity"] for item in body["tracks"]["items"]] == [5]


def test_artist_filter_finds_the_artist_itself(reader: TestClient) -> None:
    body = reader.get("/v1/search", params={"q": "artist:killers", "type": "artist"}).json()
    assert [item["name"] for item in body["artists"]["items"]] == ["The Killers"]


def test_markets_leave_out_what_cannot_play_there(reader: TestClient) -> None:
    assert track_names(reader, "only in sweden", market="SE") == ["Only In Sweden"]
    assert track_names(reader, "only in sweden", market="DE") == []
    assert ("album", "Hemma") not in suggest(reader, "hemma", market="DE")
    assert ("album", "Hemma") in suggest(reader, "hemma", market="SE")


def test_unplayable_tracks_are_flagged_when_asked_for(reader: TestClient) -> None:
    params = {"q": "only in sweden", "type": "track", "market": "DE", "include_unplayable": "true"}
    [item] = reader.get("/v1/search", params=params).json()["tracks"]["items"]
    assert item["is_playable"] is False
    assert item["restrictions"] == {"reason": "market"}


def test_a_takedown_disappears_and_a_new_track_appears_within_a_second(
    client: TestClient, tracks: dict[str, str]
) -> None:
    factory = client.app.state.session_factory  # type: ignore[attr-defined]
    brightside = tracks["Mr. Brightside/The Killers"]

    def listed() -> bool:
        return ("track", "Mr. Brightside") in suggest(client, "brightside")

    gone, appeared = [], []
    for round_ in range(3):
        with unit_of_work(factory) as session:
            feed.take_down(session, brightside)
        gone.append(until(lambda: not listed(), timeout=5.0))
        single = f"Brand Spanking Single {round_}"
        with unit_of_work(factory) as session:
            publish(session, make_track(single, artist_names=("Fresh Face",)))
        found = lambda name=single: ("track", name) in suggest(client, "spanking")  # noqa: E731
        appeared.append(until(found, timeout=5.0))
        with unit_of_work(factory) as session:
            feed.restore(session, brightside)
        until(listed, timeout=5.0)
    # A shared CI machine can stall any one round; the typical round is what must stay under a second.
    assert statistics.median(gone) < 1.0, gone
    assert statistics.median(appeared) < 1.0, appeared
    with unit_of_work(factory) as session:
        feed.take_down(session, brightside)
    settle(client)
    # Every market, and market-less searches too.
    assert track_names(client, "brightside", market="US") == []
    assert track_names(client, "brightside") == []


def test_a_takedown_in_one_territory_keeps_the_track_elsewhere(
    client: TestClient, tracks: dict[str, str]
) -> None:
    factory = client.app.state.session_factory  # type: ignore[attr-defined]
    with unit_of_work(factory) as session:
        feed.take_down(session, tracks["Mr. Brightside/The Killers"], "GB")
    settle(client)
    assert track_names(client, "brightside", market="GB") == []
    assert track_names(client, "brightside", market="US") == ["Mr. Brightside"]


def test_did_you_mean_when_nothing_matches(reader: TestClient) -> None:
    body = reader.get("/v1/search", params={"q": "kilelrz ", "type": "track,artist"}).json()
    assert body["tracks"]["total"] == 0
    assert body["did_you_mean"] == "killers"
    # Type-ahead respells within its own distances: one edit for a 4-letter word.
    assert reader.get("/v1/search/suggest", params={"q": "hlao "}).json()["did_you_mean"] == "halo"
    assert "did_you_mean" not in reader.get("/v1/search", params={"q": "killers", "type": "track"}).json()


def test_spotify_shape_with_absolute_paging_links(reader: TestClient) -> None:
    body = reader.get(
        "/v1/search", params={"q": "the", "type": "track,artist,album,playlist", "limit": 1, "offset": 1}
    ).json()
    assert set(body) == {"tracks", "artists", "albums", "playlists"}
    page = body["tracks"]
    assert page["limit"] == 1 and page["offset"] == 1 and page["total"] >= 3
    assert page["next"].startswith("http://testserver/v1/search?q=the&type=track&offset=2&limit=1")
    assert page["previous"] == "http://testserver/v1/search?q=the&type=track&offset=0&limit=1"
    assert page["items"][0]["type"] == "track" and page["items"][0]["album"]["type"] == "album"
    assert body["playlists"] == {**body["playlists"], "items": [], "total": 0}
    following = reader.get(page["next"]).json()["tracks"]
    assert following["offset"] == 2 and following["items"][0]["id"] != page["items"][0]["id"]


def test_suggest_mixes_types_with_what_a_row_needs(reader: TestClient) -> None:
    items = reader.get("/v1/search/suggest", params={"q": "killers"}).json()["items"]
    kinds = {item["type"] for item in items}
    assert kinds == {"track", "artist", "album"}
    track = next(item for item in items if item["type"] == "track")
    assert track["uri"] == f"tonearm:track:{track['id']}"
    assert track["artists"][0]["name"] == "The Killers" and track["album"]["name"] == "Hot Fuss"
    assert len(reader.get("/v1/search/suggest", params={"q": "the", "limit": 2}).json()["items"]) == 2


def test_a_broad_prefix_looks_at_the_popular_tier_first(
    reader: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """At catalog scale a prefix most documents share ("th") looks only at the popular tier,
    through its head terms; here the tiny catalog counts as broad from 2 documents on."""
    from tonearm.search import matcher

    # "th": Thunderstruck (85), The Killers' tracks (90, 70), Halo Theme (80); not the artist
    # and albums, whose popularity is 0, that the whole catalog would add.
    assert ("album", "The Razors Edge") in suggest(reader, "th", limit=20)
    monkeypatch.setattr(matcher, "BROAD_TIERS", ((2, 70), (1, 50)))
    assert suggest(reader, "th", limit=20) == [
        ("track", "Thunderstruck"),
        ("track", "Mr. Brightside"),
        ("track", "Somebody Told Me"),
        ("track", "Halo Theme Extended Remix"),
    ]
    # A whole word within the tier ("the"), and a longer prefix (through the term dictionary).
    assert ("track", "Mr. Brightside") in suggest(reader, "the killers")
    assert suggest(reader, "thunders")[0] == ("track", "Thunderstruck")
    # A prefix the tier has nothing for falls back to the whole catalog.
    assert ("track", "Kickstart My Heart") in suggest(reader, "kick")


@pytest.mark.parametrize(
    ("path", "params", "says"),
    [
        ("/v1/search", {"q": "", "type": "track"}, "q must not be empty"),
        ("/v1/search", {"q": "   ", "type": "track"}, "q must not be empty"),
        ("/v1/search", {"q": "x" * 10_240, "type": "track"}, "at most 500"),
        ("/v1/search", {"q": 'mr "bright', "type": "track"}, "unbalanced quote"),
        ("/v1/search", {"q": "genre:rock", "type": "track"}, "unknown filter 'genre:'"),
        ("/v1/search", {"q": "artist:", "type": "track"}, "needs a value"),
        ("/v1/search", {"q": "year:20x0", "type": "track"}, "is not a year"),
        ("/v1/search", {"q": "year:2010-2000", "type": "track"}, "ends before it starts"),
        ("/v1/search", {"q": "isrc:123", "type": "track"}, "is not an ISRC"),
        ("/v1/search", {"q": "tag:old", "type": "track"}, "is not a tag"),
        ("/v1/search", {"q": "halo", "type": "song"}, "type 'song' is not one of"),
        ("/v1/search", {"q": "halo", "type": ","}, "type must name"),
        ("/v1/search", {"q": "halo"}, "type"),
        ("/v1/search", {"q": "halo", "type": "track", "limit": 0}, "limit"),
        ("/v1/search", {"q": "halo", "type": "track", "limit": 51}, "limit"),
        ("/v1/search", {"q": "halo", "type": "track", "offset": -1}, "offset"),
        ("/v1/search", {"q": "halo", "type": "track", "offset": 1001}, "offset"),
        ("/v1/search", {"q": "halo", "type": "track", "limit": "ten"}, "limit"),
        ("/v1/search", {"q": "halo", "type": "track", "market": "XX"}, "market"),
        ("/v1/search/suggest", {"q": ""}, "q must not be empty"),
        ("/v1/search/suggest", {"q": "a" * 600}, "at most 500"),
        ("/v1/search/suggest", {"q": "halo", "limit": 21}, "limit"),
    ],
)
def test_bad_queries_are_400s_that_say_what_is_wrong(
    reader: TestClient, path: str, params: dict[str, Any], says: str
) -> None:
    response = reader.get(path, params=params)
    assert response.status_code == 400, response.text
    assert says in response.json()["error"]["message"]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(min_size=1, max_size=60))
def test_random_unicode_never_errors(reader: TestClient, text: str) -> None:
    for path, params in (("/v1/search/suggest", {}), ("/v1/search", {"type": "track,artist,album"})):
        response = reader.get(path, params={"q": text, **params})
        structural = '"' in text or ":" in text or not text.strip()
        assert response.status_code == 200 or (structural and response.status_code == 400), response.text
