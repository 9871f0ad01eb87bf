"""The catalog's Spotify-shaped read API."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from tests.catalog_factory import make_track, publish
from tonearm.catalog.models import Right
from tonearm.kit.db import unit_of_work

ID = re.compile(r"^[0-9A-Za-z]{22}$")


@pytest.fixture
def album_of_25(client: TestClient) -> list[str]:
    factory = client.app.state.session_factory  # type: ignore[attr-defined]
    with unit_of_work(factory) as session:
        ids = publish(
            session,
            *[
                make_track(f"Song {n:02d}", track_number=n, isrc="GBAYE0601498" if n == 1 else None)
                for n in range(1, 26)
            ],
        )
        session.add(Right(track_id=ids[1], territory="DE", allowed=False))
    return ids


def test_a_track_has_spotifys_fields_and_uri(client: TestClient, album_of_25: list[str]) -> None:
    body = client.get(f"/v1/tracks/{album_of_25[0]}").json()
    assert ID.match(body["id"])
    assert body["uri"] == f"tonearm:track:{body['id']}"
    assert body["href"] == f"http://testserver/v1/tracks/{body['id']}"
    assert body["type"] == "track"
    assert body["external_ids"] == {"isrc": "GBAYE0601498"}
    assert body["album"]["album_type"] == "album"
    assert body["album"]["release_date_precision"] == "day"
    assert body["album"]["total_tracks"] == 25
    assert body["artists"][0]["name"] == "Artist"
    assert {"disc_number", "track_number", "duration_ms", "explicit", "popularity"} <= body.keys()
    assert "SE" in body["available_markets"]


def test_market_decides_is_playable_and_the_restriction(client: TestClient, album_of_25: list[str]) -> None:
    blocked = client.get(f"/v1/tracks/{album_of_25[1]}", params={"market": "DE"}).json()
    assert blocked["is_playable"] is False
    assert blocked["restrictions"] == {"reason": "market"}
    fine = client.get(f"/v1/tracks/{album_of_25[1]}", params={"market": "fr"}).json()
    assert fine["is_playable"] is True
    assert fine.get("restrictions") is None


def test_several_tracks_keep_order_and_unknown_ids_are_null(
    client: TestClient, album_of_25: list[str]
) -> None:
    unknown = "0" * 22
    body = client.get("/v1/tracks", params={"ids": f"{album_of_25[2]},{unknown},{album_of_25[0]}"}).json()
    assert [t and t["id"] for t in body["tracks"]] == [album_of_25[2], None, album_of_25[0]]


def test_album_tracks_page_to_the_end_by_absolute_next_links(
    client: TestClient, album_of_25: list[str]
) -> None:
    album_id = client.get(f"/v1/tracks/{album_of_25[0]}").json()["album"]["id"]
    url: str | None = f"http://testserver/v1/albums/{album_id}/tracks?limit=10"
    names: list[str] = []
    while url:
        page = client.get(url).json()
        assert page["total"] == 25
        names += [item["name"] for item in page["items"]]
        url = page["next"]
        assert url is None or url.startswith("http://testserver/v1/albums/")
    assert names == [f"Song {n:02d}" for n in range(1, 26)]
    last = client.get(f"/v1/albums/{album_id}/tracks", params={"limit": 10, "offset": 20}).json()
    assert last["previous"].endswith("offset=10&limit=10")


def test_an_album_embeds_its_first_tracks_and_artists(client: TestClient, album_of_25: list[str]) -> None:
    album_id = client.get(f"/v1/tracks/{album_of_25[0]}").json()["album"]["id"]
    album = client.get(f"/v1/albums/{album_id}").json()
    assert album["uri"] == f"tonearm:album:{album_id}"
    assert album["tracks"]["total"] == 25
    assert len(album["tracks"]["items"]) == 25
    assert album["artists"][0]["name"] == "Artist"


def test_an_artist_and_their_albums(client: TestClient, album_of_25: list[str]) -> None:
    artist_id = client.get(f"/v1/tracks/{album_of_25[0]}").json()["artists"][0]["id"]
    artist = client.get(f"/v1/artists/{artist_id}").json()
    assert artist["name"] == "Artist"
    assert artist["followers"] == {"href": None, "total": 0}
    albums = client.get(f"/v1/artists/{artist_id}/albums", params={"include_groups": "album,single"}).json()
    assert [a["name"] for a in albums["items"]] == ["Album"]
    singles = client.get(f"/v1/artists/{artist_id}/albums", params={"include_groups": "single"}).json()
    assert singles["total"] == 0


def test_a_trailing_slash_is_accepted(client: TestClient, album_of_25: list[str]) -> None:
    response = client.get(f"/v1/tracks/{album_of_25[0]}/")
    assert response.status_code == 200
    assert response.json()["id"] == album_of_25[0]


def test_a_uri_works_where_an_id_is_expected(client: TestClient, album_of_25: list[str]) -> None:
    assert client.get(f"/v1/tracks/tonearm:track:{album_of_25[0]}").status_code == 200


@pytest.mark.parametrize(
    ("path", "status", "fragment"),
    [
        ("/v1/tracks/" + "0" * 22, 404, "not found"),
        ("/v1/tracks/short", 400, "22 base62"),
        ("/v1/tracks/" + "!" * 22, 400, "22 base62"),
        ("/v1/albums/" + "0" * 22, 404, "not found"),
        ("/v1/artists/" + "0" * 22 + "/albums", 404, "not found"),
        ("/v1/tracks?ids=", 400, "at least one"),
        ("/v1/tracks?ids=" + ",".join(["0" * 22] * 51), 400, "at most 50"),
        ("/v1/albums?ids=" + ",".join(["0" * 22] * 21), 400, "at most 20"),
        ("/v1/tracks/" + "0" * 22 + "?market=ZZ", 400, "ISO 3166"),
        ("/v1/browse/new-releases?limit=0", 400, "limit"),
        ("/v1/browse/new-releases?limit=abc", 400, "limit"),
        ("/v1/browse/artists?offset=-1", 400, "offset"),
        ("/v1/artists/" + "0" * 22 + "/albums?include_groups=bogus", 400, "include_groups"),
        ("/v1/no-such-thing", 404, "Not Found"),
    ],
)
def test_bad_requests_get_spotify_shaped_errors(
    client: TestClient, path: str, status: int, fragment: str
) -> None:
    response = client.get(path)
    assert response.status_code == status
    error = response.json()["error"]
    assert error["status"] == status
    assert fragment in error["message"]


def test_browsing_lists_every_artist_and_album(client: TestClient, album_of_25: list[str]) -> None:
    with unit_of_work(client.app.state.session_factory) as session:  # type: ignore[attr-defined]
        publish(
            session,
            make_track(
                "Solo",
                artist_names=("Zed",),
                album_name="Zed Single",
                album_artist_names=("Zed",),
                album_type="single",
            ),
        )
    artists = client.get("/v1/browse/artists").json()
    assert [a["name"] for a in artists["items"]] == ["Artist", "Zed"]
    albums = client.get("/v1/browse/new-releases").json()["albums"]
    assert {a["name"] for a in albums["items"]} == {"Album", "Zed Single"}


def test_openapi_describes_the_catalog(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert {
        "/v1/tracks/{track_id}",
        "/v1/albums/{album_id}/tracks",
        "/v1/artists/{artist_id}/albums",
    } <= paths.keys()


def test_an_offset_too_large_for_any_database_is_a_400(client: TestClient) -> None:
    response = client.get("/v1/browse/new-releases", params={"offset": 16424384901089247232})
    assert response.status_code == 400
    assert "offset" in response.json()["error"]["message"]
