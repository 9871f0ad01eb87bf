"""Playlist covers: the owner's uploaded JPEG, else a 2×2 mosaic of the first four albums' covers
(one album's cover below four albums), served to <img> tags with cache headers, and every bad
upload refused with the cover unchanged."""

from __future__ import annotations

import base64
import io
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from PIL import Image

from tests.auth import EVERY_SCOPE, bearer, user_token
from tests.catalog_factory import make_track, publish
from tests.playlists.conftest import Api
from tonearm.config import Settings
from tonearm.kit.db import unit_of_work


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    """Six tracks, each on an album of its own."""
    from tonearm.app import create_app

    folder = tmp_path_factory.mktemp("covers")
    app = create_app(Settings(data_dir=folder / "var", rate_limit_url="off", signing_keys="k1:secret"))
    with TestClient(app, base_url="http://testserver") as client:
        tracks = [make_track(f"Song {n}", album_name=f"Album {n}", track_number=1) for n in range(6)]
        with unit_of_work(app.state.session_factory) as session:
            ids = publish(session, *tracks)
        yield Api(client, ids)


def _jpeg(color: tuple[int, int, int], size: int = 300) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (size, size), color).save(out, format="JPEG")
    return out.getvalue()


def _image(api: Api, url: str, **headers: str) -> tuple[int, bytes, dict[str, str]]:
    # No token: <img> tags send none.
    answer = api.client.get(url.removeprefix("http://testserver"), headers={"Authorization": "", **headers})
    return answer.status_code, answer.content, dict(answer.headers)


def _images(api: Api, user: str, playlist_id: str) -> list[dict[str, object]]:
    answer = api.call(user, "GET", f"/v1/playlists/{playlist_id}")
    assert answer.status_code == 200, answer.text
    return list(answer.json()["images"])


def _upload(api: Api, user: str, playlist_id: str, body: bytes) -> int:
    answer = api.call(
        user,
        "PUT",
        f"/v1/playlists/{playlist_id}/images",
        content=body,
        headers={"Content-Type": "image/jpeg"},
    )
    return int(answer.status_code)


def _pixel(jpeg: bytes, x: int, y: int) -> tuple[int, int, int]:
    with Image.open(io.BytesIO(jpeg)) as image:
        r, g, b = image.convert("RGB").getpixel((x, y))  # type: ignore[misc]
        return int(r), int(g), int(b)


def _close(a: tuple[int, int, int], b: tuple[int, int, int], within: int = 24) -> bool:
    return all(abs(x - y) <= within for x, y in zip(a, b, strict=True))


def test_an_album_cover_is_a_jpeg_in_three_sizes_cached_and_revalidated(api: Api) -> None:
    album = api.call("ada", "GET", f"/v1/tracks/{api.tracks[0]}").json()["album"]
    assert [image["width"] for image in album["images"]] == [640, 300, 64]
    status, body, headers = _image(api, album["images"][1]["url"])
    assert status == 200 and headers["content-type"] == "image/jpeg"
    with Image.open(io.BytesIO(body)) as image:
        assert (image.format, image.size) == ("JPEG", (300, 300))
    assert "max-age" in headers["cache-control"]
    again, empty, _ = _image(api, album["images"][1]["url"], **{"If-None-Match": headers["etag"]})
    assert (again, empty) == (304, b"")
    assert _image(api, album["images"][0]["url"].replace("/640.jpg", "/123.jpg"))[0] == 404


def test_the_cover_follows_the_albums_until_one_is_uploaded(api: Api) -> None:
    playlist = api.create("ada")
    assert playlist["images"] == []
    api.call("ada", "POST", f"/v1/playlists/{playlist['id']}/tracks", json={"uris": api.uris(0)})
    [first, *_] = _images(api, "ada", playlist["id"])
    assert "/images/albums/" in str(first["url"])  # one album: its cover

    api.call("ada", "POST", f"/v1/playlists/{playlist['id']}/tracks", json={"uris": api.uris(1, 2, 3)})
    mosaic = _images(api, "ada", playlist["id"])
    assert [image["width"] for image in mosaic] == [640, 300, 60]
    status, grid, headers = _image(api, str(mosaic[0]["url"]))
    assert status == 200 and "immutable" in headers["cache-control"]
    # Each quadrant is the cover of one of the first four albums, in order.
    for quadrant, track_number in enumerate((0, 1, 2, 3)):
        album = api.call("ada", "GET", f"/v1/tracks/{api.tracks[track_number]}").json()["album"]
        cover = _image(api, album["images"][0]["url"])[1]
        x, y = (quadrant % 2) * 320 + 20, (quadrant // 2) * 320 + 20
        assert _close(_pixel(grid, x, y), _pixel(cover, 40, 40)), quadrant

    # A move that changes the first four albums names a new mosaic; the old URL is gone.
    api.call(
        "ada", "POST", f"/v1/playlists/{playlist['id']}/tracks", json={"uris": api.uris(4), "position": 0}
    )
    moved = _images(api, "ada", playlist["id"])
    assert moved[0]["url"] != mosaic[0]["url"]
    assert _image(api, str(mosaic[0]["url"]))[0] == 404
    assert _image(api, str(moved[0]["url"]))[0] == 200

    # An uploaded cover replaces the mosaic, byte for byte, and is cached for good.
    uploaded = _jpeg((200, 30, 30))
    assert _upload(api, "ada", playlist["id"], base64.b64encode(uploaded)) == 202
    [own] = _images(api, "ada", playlist["id"])
    status, body, headers = _image(api, str(own["url"]))
    assert (status, body) == (200, uploaded)
    assert "immutable" in headers["cache-control"]
    listed = api.call("ada", "GET", f"/v1/playlists/{playlist['id']}/images").json()
    assert listed == [own]
    # A data: URL, as a browser's FileReader makes it, is taken too.
    second = _jpeg((30, 200, 30))
    assert _upload(api, "ada", playlist["id"], b"data:image/jpeg;base64," + base64.b64encode(second)) == 202
    [newer] = _images(api, "ada", playlist["id"])
    assert _image(api, str(newer["url"]))[1] == second
    # And base64 wrapped in 76-character lines, as MIME tools write it.
    third = _jpeg((30, 30, 200))
    wrapped = base64.encodebytes(third)
    assert b"\n" in wrapped and _upload(api, "ada", playlist["id"], wrapped) == 202
    assert _image(api, str(_images(api, "ada", playlist["id"])[0]["url"]))[1] == third
    assert _image(api, str(own["url"]))[0] == 404


def test_bad_uploads_are_refused_and_the_cover_is_unchanged(api: Api) -> None:
    playlist = api.create("grace")
    good = _jpeg((10, 10, 200))
    assert _upload(api, "grace", playlist["id"], base64.b64encode(good)) == 202
    before = _images(api, "grace", playlist["id"])

    png = io.BytesIO()
    Image.new("RGB", (64, 64)).save(png, format="PNG")
    ten_mb = base64.b64encode(b"\xff\xd8" + bytes(10 * 1024 * 1024))
    cases = {
        "ten megabytes": (ten_mb, 413),
        "just over 256 KB": (base64.b64encode(b"\xff\xd8" + bytes(256 * 1024)), 413),
        "a PNG": (base64.b64encode(png.getvalue()), 415),
        "a truncated JPEG": (base64.b64encode(good[: len(good) // 2]), 415),
        "not base64": (b"this is not base64 !!!", 400),
        "empty": (b"", 400),
    }
    for name, (body, status) in cases.items():
        answer = api.call(
            "grace",
            "PUT",
            f"/v1/playlists/{playlist['id']}/images",
            content=body,
            headers={"Content-Type": "image/jpeg"},
        )
        assert answer.status_code == status, name
        assert answer.json()["error"]["message"], name
        assert _images(api, "grace", playlist["id"]) == before, name


def test_only_the_owner_uploads_and_a_private_playlist_is_not_there_for_others(api: Api) -> None:
    shared = api.create("owner", collaborative=True, public=False)
    api.call(
        "owner",
        "POST",
        f"/v1/playlists/{shared['id']}/collaborators",
        json={"user_id": api.user_id("helper")},
    )
    body = base64.b64encode(_jpeg((1, 2, 3)))
    assert _upload(api, "helper", shared["id"], body) == 403  # a collaborator edits items, not the cover
    assert _upload(api, "stranger", shared["id"], body) == 404
    no_scope = user_token(api.client.app, "owner", scope=EVERY_SCOPE.replace("ugc-image-upload", ""))
    answer = api.client.put(
        f"/v1/playlists/{shared['id']}/images",
        content=body,
        headers={**bearer(no_scope), "Content-Type": "image/jpeg"},
    )
    assert answer.status_code == 403 and "ugc-image-upload" in answer.json()["error"]["message"]
    assert _images(api, "owner", shared["id"]) == []
    # A made-up key names nothing.
    assert _image(api, f"/images/playlists/{shared['id']}/{'0' * 20}.jpg")[0] == 404
