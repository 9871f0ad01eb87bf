"""Home, the made-for-you lists and radio in the web player, in headless Chromium against a real
server: a listener who streamed a few tracks (applied as the playback consumer applies them),
with the model trained on their plays and two other listeners', opens the player on Home, sees
its shelves and a reason that names what they played, opens Discover Weekly and sees a reason on
its rows, and starts a radio from a track's menu that plays and grows past its first page. A
brand-new listener picks two artists, presses Done and gets recommendations.

The catalogue is 40 tracks by five artists. Ingesting each through the real pipeline would take
minutes, so one demo track is ingested and the others are published with its renditions under
their own names: every track plays the same second of real audio."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any

import pytest

from tests.e2e.conftest import Browser, Listener, Live, make_listener, require_browser, serve, sign_in
from tests.listening.conftest import play
from tonearm.accounts.service import account
from tonearm.catalog import catalog as catalog_service
from tonearm.catalog.media import NewTrack
from tonearm.config import Settings
from tonearm.ingest.demo import ingest_demo
from tonearm.kit.db import unit_of_work
from tonearm.kit.time import utcnow
from tonearm.recs import train
from tonearm.runtime import open_runtime

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.timeout(120)]

ARTISTS = ("Neon Harbour", "Glass Orchard", "Tidal Static", "Moss Choir", "Copper Lanterns")
GENRES = ("synthpop", "synthpop", "synthpop", "folk", "folk")
SONGS_EACH = 8
FAN_PLAYS = (0, 1, 2, 8, 9)  # the fan's: three songs of the first artist, two of the second
RADIO_PAGE = 25  # what POST /v1/me/radio answers with, unless asked otherwise


@dataclass(frozen=True)
class Catalog:
    live: Live
    tracks: list[str]  # ids; track n is by ARTISTS[n // SONGS_EACH]
    names: dict[str, str]  # id -> name
    artist_ids: dict[str, str]  # name -> id


def _ingest_one(settings: Settings) -> NewTrack:
    """Ingest one demo track through the pipeline, and what it published."""
    published: list[NewTrack] = []
    publish = catalog_service.publish

    def noting(session: Any, new: NewTrack) -> str:
        published.append(new)
        return publish(session, new)

    runtime = open_runtime(settings)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(catalog_service, "publish", noting)
        try:
            ingest_demo(runtime.ingest_context(), seconds=1, count=1)
        finally:
            runtime.close()
    return published[0]


def _song(real: NewTrack, number: int) -> NewTrack:
    artist = ARTISTS[number // SONGS_EACH]
    return replace(
        real,
        master_sha256=f"{number:064x}",
        name=f"{artist.split()[0]} Song {number % SONGS_EACH + 1}",
        artist_names=(artist,),
        album_name=f"{artist} Sessions",
        album_artist_names=(artist,),
        track_number=number % SONGS_EACH + 1,
        genres=(GENRES[number // SONGS_EACH],),
        tempo_bpm=(124.0 if number < 24 else 82.0) + number,
    )


@pytest.fixture(scope="module")
def catalog(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Catalog]:
    require_browser()
    settings = Settings(data_dir=tmp_path_factory.mktemp("tonearm-home-ui"))
    real = _ingest_one(settings)
    with serve(settings) as live:
        with unit_of_work(live.session_factory) as session:
            songs = [_song(real, n) for n in range(len(ARTISTS) * SONGS_EACH)]
            ids = [catalog_service.publish(session, song) for song in songs]
            artist_ids = {name: catalog_service.artist_id_for(name) for name in ARTISTS}
        yield Catalog(live, ids, {i: s.name for i, s in zip(ids, songs, strict=True)}, artist_ids)


@pytest.fixture(scope="module")
def live(catalog: Catalog) -> Live:
    return catalog.live


def _user_id(live: Live, listener: Listener) -> str:
    with unit_of_work(live.session_factory) as session:
        return account.get_by_name(session, listener.name).id


def _stream(live: Live, listener: Listener, tracks: list[str], times: int) -> None:
    user_id = _user_id(live, listener)
    for hours, track in enumerate(tracks):
        for day in range(times):
            play(live.session_factory, user_id, track, utcnow() - timedelta(days=day, hours=hours + 1))


@pytest.fixture(scope="module")
def fan(catalog: Catalog) -> Listener:
    """A listener of the first two synthpop artists, among two others with wider tastes; the
    model trained on all three."""
    live, tracks = catalog.live, catalog.tracks
    fan = make_listener(live)
    _stream(live, fan, [tracks[n] for n in FAN_PLAYS], times=3)
    for others in ([*tracks[0:3], *tracks[16:22]], [*tracks[8:12], *tracks[20:24], tracks[30]]):
        _stream(live, make_listener(live), others, times=2)
    train(live.session_factory, live.app.state.blobs)
    return fan


def _shelf(page: Any, shelf_id: str) -> Any:
    return page.locator(f'[data-testid="shelf"][data-shelf="{shelf_id}"]')


def test_home_shows_shelves_with_reasons_and_discover_weekly_says_why(
    browser: Browser, live: Live, catalog: Catalog, fan: Listener
) -> None:
    from playwright.sync_api import expect

    page = browser.page
    sign_in(browser, live, fan)
    expect(page.get_by_test_id("greeting")).to_have_text(
        re.compile(r"^Good (morning|afternoon|evening|night)")
    )
    assert page.get_by_test_id("shelf").count() >= 2
    expect(_shelf(page, "pick-artists")).to_have_count(0)
    # A recommended item says why, naming a track the listener played.
    played = [catalog.names[catalog.tracks[n]] for n in FAN_PLAYS]
    reasons = page.get_by_test_id("home").get_by_test_id("reason")
    expect(reasons.first).to_be_visible()
    texts = reasons.evaluate_all("(all) => all.map((r) => r.title)")
    assert any(name in text for text in texts for name in played), texts

    # Discover Weekly, from the made-for-you shelf, opens as a playlist of Tonearm's with reasons.
    mix = _shelf(page, "made-for-you").get_by_test_id("home-card").filter(has_text="Discover Weekly")
    mix.click()
    expect(page.get_by_test_id("playlist-name")).to_have_text("Discover Weekly")
    expect(page.get_by_test_id("playlist-owner")).to_have_text("Tonearm")
    rows = page.get_by_test_id("playlist-tracks").get_by_test_id("track-row")
    expect(rows.first).to_be_visible()
    expect(rows.first.get_by_test_id("reason")).not_to_be_empty()
    expect(page.get_by_test_id("edit-details")).to_have_count(0)
    expect(page.get_by_test_id("remove-item")).to_have_count(0)
    assert browser.errors == []


def test_go_to_radio_plays_the_station_and_the_queue_grows_past_its_first_page(
    browser: Browser, live: Live, catalog: Catalog, fan: Listener
) -> None:
    from playwright.sync_api import expect

    page = browser.page
    sign_in(browser, live, fan)
    played = catalog.names[catalog.tracks[0]]
    page.goto(f"{live.url}/#/album/{_album_of(live, fan, catalog.tracks[0])}")
    row = page.locator(f'[data-testid="track-row"][data-track-id="{catalog.tracks[0]}"]')
    row.click(button="right")
    with page.expect_response(
        lambda r: r.request.method == "POST" and r.url.endswith("/v1/me/radio")
    ) as started:
        page.get_by_test_id("context-menu").get_by_test_id("menu-radio").click()
    assert started.value.status == 201
    expect(page.get_by_test_id("now-title")).to_have_text(played)
    expect(page.get_by_test_id("now-context")).to_have_text(f"Playing from {played} Radio")
    page.wait_for_function("window.tonearm.state().paused === false")

    page.get_by_test_id("queue-toggle").click()
    items = page.get_by_test_id("queue").get_by_test_id("queue-item")
    expect(page.get_by_test_id("queue-context")).to_have_text(f"Playing from {played} Radio")
    first_page = items.count()
    assert 10 < first_page <= RADIO_PAGE
    # The radio's own tracks say why they are there.
    expect(items.nth(1).get_by_test_id("reason")).not_to_be_empty()
    # Near the end of the page, the station's next one is added and it plays on.
    with page.expect_response(lambda r: "/v1/me/radio/" in r.url and r.status == 200):
        items.nth(first_page - 3).click()
    expect(items).to_have_count(first_page + RADIO_PAGE)
    page.wait_for_function("window.tonearm.state().paused === false")
    assert browser.errors == []


def test_a_new_listener_picks_two_artists_and_then_gets_recommendations(
    browser: Browser, live: Live, catalog: Catalog, fan: Listener
) -> None:
    from playwright.sync_api import expect

    page = browser.page
    newcomer = make_listener(live)
    sign_in(browser, live, newcomer)
    picks = _shelf(page, "pick-artists").get_by_test_id("pick-artist")
    expect(picks.first).to_be_visible()
    timely = _shelf(page, "for-this-time").get_by_test_id("home-card")
    before = timely.all_inner_texts()
    chosen = [catalog.artist_ids["Moss Choir"], catalog.artist_ids["Copper Lanterns"]]
    for artist_id in chosen:
        toggle = picks.and_(page.locator(f'[data-id="{artist_id}"]'))
        toggle.click()
        expect(toggle).to_have_attribute("aria-pressed", "true")
    expect(page.get_by_test_id("pick-count")).to_have_text("2 picked")
    with page.expect_response(
        lambda r: r.request.method == "PUT" and r.url.endswith("/v1/me/taste/artists")
    ) as saved:
        page.get_by_test_id("pick-done").click()
    assert saved.value.status == 204
    # Home again: the picks stay picked, and a shelf picked for this time of day comes from
    # them, each item saying why.
    expect(page.get_by_test_id("pick-count")).to_have_text("2 picked")
    picked = re.compile("Moss Choir|Copper Lanterns")
    for n in range(4):
        expect(timely.nth(n)).to_contain_text(picked)
        expect(timely.nth(n).get_by_test_id("reason")).not_to_be_empty()
    assert timely.all_inner_texts() != before
    assert browser.errors == []


def _album_of(live: Live, listener: Listener, track_id: str) -> str:
    from tests.e2e.conftest import api_get

    return str(api_get(live, listener, f"/v1/tracks/{track_id}")["album"]["id"])
