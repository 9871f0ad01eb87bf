"""A playlist's cover in the web player, in headless Chromium against a real server with four
half-second tracks, each the first of a demo album: the owner clicks the cover, picks a JPEG, and
sees it on the page and in the sidebar as the API then lists it; a file that is not a JPEG, or
is too large, is refused before anything is sent, and one the server refuses says the server's
reason, all changing nothing; a playlist of four albums shows the mosaic of their covers; a
listener who does not own the playlist sees its cover and no way to change it."""

from __future__ import annotations

import base64
import io
import json
import os
import tempfile
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from tests.e2e.conftest import (
    Browser,
    Listener,
    Live,
    make_listener,
    require_browser,
    serve,
    signed_in_browser,
)
from tonearm.accounts.service import account
from tonearm.audio import synthesize
from tonearm.config import Settings
from tonearm.ingest.demo import demo_tracks
from tonearm.ingest.schemas import Hints
from tonearm.ingest.tasks import IngestContext, ingest_master
from tonearm.kit.db import unit_of_work
from tonearm.runtime import open_runtime

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.timeout(120)]

# What the tests' own API calls may do (the browser's tokens are the player's).
API_SCOPES = (
    "user-read-private playlist-read-private playlist-modify-private playlist-modify-public ugc-image-upload"
)
HERO_IMAGE = '[data-testid="playlist-page"] [data-testid="playlist-cover"] img'
# The colour of the uploaded cover: nothing drawn by the server is this pink.
PINK = (220, 40, 130)
# How far a pixel may be from what it should be after JPEG has been through it (twice for a mosaic).
TOLERANCE = 24


@dataclass(frozen=True)
class Catalog:
    live: Live
    tracks: list[str]  # ids, one per album
    albums: list[str]  # the tracks' albums, in the same order


def _ingest_four_albums(ctx: IngestContext) -> list[str]:
    """The first track of each of the first four demo albums, half a second long."""
    firsts = [track for track in demo_tracks(seconds=0.5) if track.number == 1][:4]
    ids = []
    with tempfile.TemporaryDirectory(prefix="tonearm-covers-") as folder:
        for track in firsts:
            master = Path(folder) / f"{track.album.name}.wav"
            synthesize(track.spec, master)
            hints = Hints(
                name=track.title,
                artists=(track.album.artist,),
                album=track.album.name,
                album_artists=(track.album.artist,),
                album_type=track.album.album_type,
                release_date=track.album.release_date,
                track_number=1,
            )
            ids.append(ingest_master(ctx, master, file_name=master.name, hints=hints).id)
    return ids


@pytest.fixture(scope="module")
def catalog(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Catalog]:
    require_browser()
    settings = Settings(data_dir=tmp_path_factory.mktemp("tonearm-covers-ui"))
    runtime = open_runtime(settings)
    try:
        tracks = _ingest_four_albums(runtime.ingest_context())
    finally:
        runtime.close()
    with serve(settings) as live:
        somebody = make_listener(live)
        albums = [_call(live, somebody, "GET", f"/v1/tracks/{t}")["album"]["id"] for t in tracks]
        assert len(set(albums)) == 4
        yield Catalog(live, tracks, albums)


@pytest.fixture(scope="module")
def live(catalog: Catalog) -> Live:
    return catalog.live


@pytest.fixture(scope="module")
def storage_state(signed_in_state: dict[str, Any]) -> dict[str, Any]:
    """Every test starts signed in as the module's listener, who owns the playlists."""
    return signed_in_state


# ---- the API and the images, as the tests see them ------------------------------------------


def _call(
    live: Live, listener: Listener, method: str, path: str, body: Any = None, *, raw: bytes | None = None
) -> Any:
    """`method` a /v1 path as `listener` with a token of the tests' own; the JSON answer, if any.
    `raw` is sent as it is, as a cover is (base64 text declared image/jpeg)."""
    with unit_of_work(live.session_factory) as session:
        token = account.token_for_name(session, listener.name, scope=API_SCOPES).access_token
    data = raw if raw is not None else None if body is None else json.dumps(body).encode()
    kind = "image/jpeg" if raw is not None else "application/json"
    request = urllib.request.Request(
        live.url + path,
        method=method,
        data=data,
        headers={"Authorization": f"Bearer {token}", "Content-Type": kind},
    )
    with urllib.request.urlopen(request) as answer:
        text = answer.read()
    return json.loads(text) if text else None


def _playlist(
    catalog: Catalog, owner: Listener, name: str, tracks: list[str], *, public: bool = False
) -> str:
    """A playlist of `owner`'s with `tracks`, made through the API; its id."""
    live = catalog.live
    playlist = _call(live, owner, "POST", "/v1/me/playlists", {"name": name, "public": public})
    uris = [f"tonearm:track:{track}" for track in tracks]
    _call(live, owner, "POST", f"/v1/playlists/{playlist['id']}/tracks", {"uris": uris})
    return str(playlist["id"])


def _upload(live: Live, listener: Listener, playlist_id: str, jpeg: bytes) -> None:
    """A cover sent through the API, as Spotify takes it: base64 text."""
    _call(live, listener, "PUT", f"/v1/playlists/{playlist_id}/images", raw=base64.b64encode(jpeg))


def _api_images(catalog: Catalog, listener: Listener, playlist_id: str) -> list[dict[str, Any]]:
    return list(_call(catalog.live, listener, "GET", f"/v1/playlists/{playlist_id}")["images"])


def _fetch(url: str) -> bytes:
    with urllib.request.urlopen(url) as answer:
        return bytes(answer.read())


def _jpeg(size: tuple[int, int], colour: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, format="JPEG", quality=95)
    return out.getvalue()


def _noise_jpeg(side: int) -> bytes:
    """A JPEG that does not compress: random pixels, at best quality."""
    out = io.BytesIO()
    Image.frombytes("RGB", (side, side), os.urandom(side * side * 3)).save(out, format="JPEG", quality=100)
    return out.getvalue()


def _png(colour: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 64), colour).save(out, format="PNG")
    return out.getvalue()


def _album_pixels(
    catalog: Catalog, album: str, side: int, points: list[tuple[int, int]]
) -> list[tuple[int, ...]]:
    """The colours at `points` of the album's cover drawn `side` pixels wide."""
    with Image.open(io.BytesIO(_fetch(f"{catalog.live.url}/images/albums/{album}/640.jpg"))) as cover:
        pixels = cover.convert("RGB").resize((side, side)).load()
    assert pixels is not None
    found = [pixels[point] for point in points]
    return [pixel for pixel in found if isinstance(pixel, tuple)]


def _near(pixel: list[int] | tuple[int, ...], expected: tuple[int, ...]) -> bool:
    return all(abs(a - b) <= TOLERANCE for a, b in zip(pixel, expected, strict=True))


# ---- the page, as a listener sees it ---------------------------------------------------------


def _open(browser: Browser, catalog: Catalog, playlist_id: str, name: str) -> Any:
    from playwright.sync_api import expect

    page = browser.page
    page.goto(f"{catalog.live.url}/#/playlist/{playlist_id}")
    expect(page.get_by_test_id("playlist-name")).to_have_text(name)
    return page


def _shown_image(page: Any, selector: str = HERO_IMAGE) -> dict[str, Any]:
    """The cover image as the browser has it, once loaded: its URL and its size in pixels."""
    image = page.locator(selector)
    image.wait_for()
    page.wait_for_function("(img) => img.complete && img.naturalWidth > 0", arg=image.element_handle())
    return image.evaluate("(img) => ({src: img.src, width: img.naturalWidth, height: img.naturalHeight})")  # type: ignore[no-any-return]


def _pixels(page: Any, points: list[tuple[int, int]], selector: str = HERO_IMAGE) -> list[list[int]]:
    """The colours of the loaded cover image at `points` (in its own pixels), as drawn."""
    return page.locator(selector).evaluate(  # type: ignore[no-any-return]
        """(img, points) => {
            const canvas = document.createElement("canvas");
            canvas.width = img.naturalWidth;
            canvas.height = img.naturalHeight;
            const context = canvas.getContext("2d");
            context.drawImage(img, 0, 0);
            return points.map(([x, y]) => Array.from(context.getImageData(x, y, 1, 1).data.slice(0, 3)));
        }""",
        points,
    )


def _pick(page: Any, path: Path) -> None:
    """Click the cover and choose `path` in the file picker, as the owner does."""
    with page.expect_file_chooser() as chooser:
        page.get_by_test_id("change-cover").click()
    assert chooser.value.element.get_attribute("accept") == "image/jpeg"
    chooser.value.set_files(str(path))


def _cover_puts(page: Any) -> list[str]:
    """The URL of every cover upload the page sends, from now on."""
    puts: list[str] = []
    page.on("request", lambda r: puts.append(r.url) if _is_cover_upload(r) else None)
    return puts


def _is_cover_upload(request: Any) -> bool:
    return request.method == "PUT" and request.url.endswith("/images")  # type: ignore[no-any-return]


# ---- the tests -----------------------------------------------------------------------------------


def test_the_owner_picks_a_jpeg_and_sees_it_as_the_cover_on_the_page_and_in_the_sidebar(
    browser: Browser, catalog: Catalog, listener: Listener, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    playlist_id = _playlist(catalog, listener, "Pink things", catalog.tracks[:1])
    album_cover = f"{catalog.live.url}/images/albums/{catalog.albums[0]}/300.jpg"
    page = _open(browser, catalog, playlist_id, "Pink things")
    # Before: one album, its cover.
    assert _shown_image(page)["src"] == album_cover

    jpeg = _jpeg((80, 60), PINK)
    (tmp_path / "pink.jpg").write_bytes(jpeg)
    with page.expect_response(lambda r: _is_cover_upload(r.request)) as sent:
        _pick(page, tmp_path / "pink.jpg")
    assert sent.value.status == 202

    images = _api_images(catalog, listener, playlist_id)
    assert len(images) == 1 and images[0]["width"] is None and images[0]["height"] is None
    uploaded = images[0]["url"]
    assert uploaded.startswith(f"{catalog.live.url}/images/playlists/{playlist_id}/")
    assert _fetch(uploaded) == jpeg
    expect(page.locator(HERO_IMAGE)).to_have_attribute("src", uploaded)
    shown = _shown_image(page)
    assert (shown["width"], shown["height"]) == (80, 60)
    assert _near(_pixels(page, [(40, 30)])[0], PINK)
    expect(page.get_by_test_id("notice")).to_have_text("Cover changed.")
    expect(page.get_by_test_id("cover-note")).to_be_hidden()

    sidebar = f'[data-testid="sidebar-playlist"][data-id="{playlist_id}"] img'
    expect(page.locator(sidebar)).to_have_attribute("src", uploaded)
    assert _shown_image(page, sidebar)["width"] == 80
    # A visit later shows it too: it is the playlist's cover, not the page's.
    page.reload()
    assert _shown_image(page)["src"] == uploaded
    assert browser.errors == []


def test_a_file_that_is_not_a_jpeg_or_too_large_is_refused_before_sending_and_the_servers_refusal_is_said(
    browser: Browser, catalog: Catalog, listener: Listener, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    playlist_id = _playlist(catalog, listener, "Stays as it is", catalog.tracks[1:2])
    before = _api_images(catalog, listener, playlist_id)
    page = _open(browser, catalog, playlist_id, "Stays as it is")
    shown = _shown_image(page)["src"]
    assert shown == f"{catalog.live.url}/images/albums/{catalog.albums[1]}/300.jpg"
    puts = _cover_puts(page)
    note = page.get_by_test_id("cover-note")

    (tmp_path / "cover.png").write_bytes(_png(PINK))
    _pick(page, tmp_path / "cover.png")
    expect(note).to_have_text("“cover.png” is not a JPEG: a cover must be a JPEG image.")

    large = _noise_jpeg(600)
    assert len(large) > 256 * 1024
    (tmp_path / "large.jpg").write_bytes(large)
    _pick(page, tmp_path / "large.jpg")
    expect(note).to_have_text(f"“large.jpg” is {-(-len(large) // 1024)} KB: a cover may be at most 256 KB.")
    assert puts == []

    # A JPEG cut short looks like one to the player; the server says what is wrong with it.
    (tmp_path / "cut.jpg").write_bytes(_jpeg((300, 300), PINK)[:400])
    with page.expect_response(lambda r: _is_cover_upload(r.request)) as sent:
        _pick(page, tmp_path / "cut.jpg")
    assert sent.value.status == 415
    reason = sent.value.json()["error"]["message"]
    expect(note).to_have_text(f"The cover was not changed: {reason}")

    expect(page.locator(HERO_IMAGE)).to_have_attribute("src", shown)
    assert _shown_image(page)["src"] == shown
    assert _api_images(catalog, listener, playlist_id) == before
    assert len(puts) == 1
    # The browser logs the refused upload; nothing else went wrong.
    assert [e for e in browser.errors if "status of 415" not in e] == []


def test_a_playlist_of_four_albums_shows_the_mosaic_of_their_covers(
    browser: Browser, catalog: Catalog, listener: Listener
) -> None:
    from playwright.sync_api import expect

    playlist_id = _playlist(catalog, listener, "Four albums", catalog.tracks)
    images = _api_images(catalog, listener, playlist_id)
    assert [(i["width"], i["height"]) for i in images] == [(640, 640), (300, 300), (60, 60)]
    page = _open(browser, catalog, playlist_id, "Four albums")
    shown = _shown_image(page)
    # The hero is 180 CSS pixels wide on a 1x screen: the 300-pixel mosaic is the one that fits.
    assert shown["src"] == images[1]["url"]
    assert "/mosaic-" in shown["src"]
    assert (shown["width"], shown["height"]) == (300, 300)

    # Each quarter is the cover of one album, in playlist order, left to right, top to bottom:
    # two spots of each (off the letter in the middle) are as on the album's own cover.
    spots = [(30, 30), (120, 120)]
    for index, album in enumerate(catalog.albums):
        left, top = (index % 2) * 150, (index // 2) * 150
        drawn = _pixels(page, [(left + x, top + y) for x, y in spots])
        expected = _album_pixels(catalog, album, 150, spots)
        for got, want in zip(drawn, expected, strict=True):
            assert _near(got, want), f"quarter {index}: {got} is not album {album}'s {want}"

    sidebar = f'[data-testid="sidebar-playlist"][data-id="{playlist_id}"] img'
    expect(page.locator(sidebar)).to_have_attribute("src", images[2]["url"])
    assert browser.errors == []


def test_a_listener_who_does_not_own_the_playlist_sees_its_cover_and_no_way_to_change_it(
    chromium: Any, catalog: Catalog, listener: Listener
) -> None:
    from playwright.sync_api import expect

    playlist_id = _playlist(catalog, listener, "Shared", catalog.tracks[2:3], public=True)
    _upload(catalog.live, listener, playlist_id, _jpeg((32, 32), PINK))
    uploaded = _api_images(catalog, listener, playlist_id)[0]["url"]
    other = make_listener(catalog.live)
    with signed_in_browser(chromium, catalog.live, other) as visitor:
        page = _open(visitor, catalog, playlist_id, "Shared")
        assert _shown_image(page)["src"] == uploaded
        expect(page.get_by_test_id("follow-playlist")).to_be_visible()
        expect(page.get_by_test_id("change-cover")).to_have_count(0)
        expect(page.get_by_test_id("cover-file")).to_have_count(0)
        assert visitor.errors == []
    # Nor may they through the API.
    with pytest.raises(urllib.error.HTTPError) as refused:
        _upload(catalog.live, other, playlist_id, _jpeg((32, 32), (0, 0, 0)))
    assert refused.value.code == 403
    assert json.load(refused.value)["error"]["message"] == "only the playlist's owner may change its cover"
