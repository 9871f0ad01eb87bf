"""The web player reports what it plays as playback events (POST /v1/me/player/events), and the
server makes listening history and counted streams of them: a track played past 30 s is a
stream, one skipped at 5 s is history but not a stream; events made offline are kept (in
IndexedDB, across a reload) and sent once the browser is back online, with their original
timestamps and offline flag.

To reach 30 s of played audio quickly, the long track plays at 4x (the decks' playbackRate, set
from the test): ms_played is media time, so 36 s of audio take 9 s."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import STATE, Browser, Listener, Live, api_get, require_browser, serve
from tonearm.audio import SynthSpec, spec_for_demo, synthesize
from tonearm.config import Settings
from tonearm.ingest.demo import ingest_demo
from tonearm.ingest.schemas import Hints
from tonearm.ingest.tasks import IngestContext, ingest_master
from tonearm.runtime import open_runtime

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.timeout(120)]

EVENTS = "**/v1/me/player/events"
EVENTS_STATE = "window.tonearm.events()"
RATE = 4
STREAM_MS = 30_000


@dataclass(frozen=True)
class Catalog:
    live: Live
    pair: tuple[str, str]  # the demo album: two 6-second tracks
    short_track: str  # "Long Player": a 10-second track...
    long_track: str  # ...then a 36-second one


def _ingest(ctx: IngestContext, folder: Path, name: str, number: int, seconds: float, seed: int) -> str:
    master = folder / f"{name}.wav"
    synthesize(SynthSpec(**{**spec_for_demo(seed).__dict__, "seconds": seconds}), master)
    hints = Hints(
        name=name,
        artists=("Test Pattern",),
        album="Long Player",
        album_artists=("Test Pattern",),
        album_type="album",
        release_date="1990-01-01",
        track_number=number,
    )
    return ingest_master(ctx, master, file_name=master.name, hints=hints).id


@pytest.fixture(scope="module")
def catalog(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Catalog]:
    require_browser()
    settings = Settings(data_dir=tmp_path_factory.mktemp("tonearm-e2e-events"))
    runtime = open_runtime(settings)
    try:
        pair = [result.id for result in ingest_demo(runtime.ingest_context(), seconds=6, count=2)]
        folder = tmp_path_factory.mktemp("masters")
        short = _ingest(runtime.ingest_context(), folder, "Warm-up", 1, 10.0, 5)
        long = _ingest(runtime.ingest_context(), folder, "Marathon", 2, 36.0, 6)
    finally:
        runtime.close()
    with serve(settings) as live:
        yield Catalog(live, (pair[0], pair[1]), short, long)


@pytest.fixture(scope="module")
def live(catalog: Catalog) -> Live:
    return catalog.live


@pytest.fixture(scope="module")
def storage_state(signed_in_state: dict[str, Any]) -> dict[str, Any]:
    """Every test starts signed in."""
    return signed_in_state


def _album_of(live: Live, listener: Listener, track_id: str) -> str:
    return str(api_get(live, listener, f"/v1/tracks/{track_id}")["album"]["id"])


def _posted(page: Any) -> list[dict[str, Any]]:
    """Every event the page POSTs to the events endpoint, as it goes."""
    posted: list[dict[str, Any]] = []

    def note(request: Any) -> None:
        if request.method == "POST" and request.url.endswith("/v1/me/player/events"):
            posted.extend(request.post_data_json.get("events", []))

    page.on("request", note)
    return posted


def _set_rate(page: Any, rate: float) -> None:
    page.evaluate(
        """(rate) => { for (const deck of window.tonearm.player.decks) {
             deck.audio.defaultPlaybackRate = rate; deck.audio.playbackRate = rate; } }""",
        rate,
    )


def _eventually(check: Callable[[], Any], seconds: float = 3.0) -> Any:
    """`check()` once it is truthy, polled for up to `seconds` (events reach the history through
    the event log's consumer)."""
    deadline = time.monotonic() + seconds
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.1)


def _history(live: Live, listener: Listener) -> list[dict[str, Any]]:
    return list(api_get(live, listener, "/v1/me/player/recently-played?limit=50")["items"])


def _streams(live: Live, listener: Listener, track_id: str) -> int:
    """How many streams of the track the server counted for the listener."""
    from tonearm.accounts.service import account
    from tonearm.kit.db import unit_of_work
    from tonearm.listening import listening

    with unit_of_work(live.session_factory) as session:
        user = account.get_by_name(session, listener.name)
        days = listening.stream_days(session, user.id)
        return sum(int(str(day["streams"])) for day in days if day["track_id"] == track_id)


def test_a_play_past_30_seconds_is_a_stream_and_a_skip_at_5_seconds_is_not(
    browser: Browser, catalog: Catalog, listener: Listener
) -> None:
    from playwright.sync_api import expect

    live, page = catalog.live, browser.page
    posted = _posted(page)
    page.goto(f"{live.url}/#/album/{_album_of(live, listener, catalog.short_track)}")
    rows = page.get_by_test_id("track-row")
    expect(rows).to_have_count(2)

    # The 10-second track, skipped with Next at 5 s (at normal speed).
    rows.first.click()
    page.wait_for_function(
        f"(id) => {STATE}.trackId === id && !{STATE}.paused && {STATE}.currentTime >= 5",
        arg=catalog.short_track,
    )
    page.get_by_test_id("next").click()
    # The 36-second one, at 4x, to its end.
    _set_rate(page, RATE)
    page.wait_for_function(f"(id) => {STATE}.trackId === id && !{STATE}.paused", arg=catalog.long_track)
    page.wait_for_function(f"{STATE}.paused && {STATE}.currentTime > 35", timeout=30_000)
    stats = page.evaluate("window.tonearm.flushEvents()")
    assert stats["queued"] == 0 and stats["rejected"] == 0, stats

    by_track: dict[str, list[dict[str, Any]]] = {}
    for event in posted:
        by_track.setdefault(event["track_id"], []).append(event)
    short = by_track[catalog.short_track]
    assert [e["type"] for e in short] == ["play.start", "play.skip"], short
    assert 4_900 <= short[-1]["ms_played"] <= 6_000, short
    long = by_track[catalog.long_track]
    types = [e["type"] for e in long]
    assert types[0] == "play.start" and types[-1] == "play.end", types
    assert types.count("play.progress") == 3, types  # at 10, 20 and 30 s of audio
    # Media time: 36 s of audio, though it took 9 s.
    assert long[-1]["ms_played"] == pytest.approx(36_000, abs=300), long[-1]
    device = page.evaluate("localStorage.getItem('tonearm.device_id')")
    assert {e["device_id"] for e in posted} == {device}
    assert all(e["offline"] is False for e in posted)
    album = _album_of(live, listener, catalog.long_track)
    assert {e["context_uri"] for e in short + long} == {f"tonearm:album:{album}"}

    # Both are history; only the long one is a stream.
    played = _eventually(
        lambda: (
            {item["track"]["id"] for item in _history(live, listener)}
            >= {catalog.short_track, catalog.long_track}
        )
    )
    assert played, _history(live, listener)
    assert _eventually(lambda: _streams(live, listener, catalog.long_track) == 1)
    assert _streams(live, listener, catalog.short_track) == 0
    assert browser.errors == []


def test_events_made_offline_survive_a_reload_and_are_sent_when_back_online(
    browser: Browser, catalog: Catalog, listener: Listener
) -> None:
    from playwright.sync_api import expect

    live, page = catalog.live, browser.page
    first, second = catalog.pair
    page.goto(f"{live.url}/#/album/{_album_of(live, listener, first)}")
    rows = page.get_by_test_id("track-row")
    expect(rows).to_have_count(2)

    # Play the first track; once the second is prefetched (one 6-second segment: all of it),
    # go offline: the join into it, and its end, happen offline.
    rows.first.click()
    page.wait_for_function(
        "window.tonearm.player.decks.some((deck) => deck.index === 1 && deck.ready)", timeout=10_000
    )
    page.context.set_offline(True)
    page.wait_for_function("!navigator.onLine")
    # The second track's end (a little after its element ended: its delay line plays out first).
    page.wait_for_function(
        f"(id) => {EVENTS_STATE}.pending.some((e) => e.type === 'play.end' && e.track_id === id)",
        arg=second,
        timeout=20_000,
    )
    page.evaluate("window.tonearm.flushEvents()")
    queued = page.evaluate(EVENTS_STATE)
    offline = [e for e in queued["pending"] if e["offline"]]
    assert [(e["type"], e["track_id"]) for e in offline] == [
        ("play.end", first),
        ("play.start", second),
        ("play.end", second),
    ], queued["pending"]
    assert offline[-1]["ms_played"] == pytest.approx(6_000, abs=100)

    # Back online, but the events endpoint does not answer yet: they are still kept after a
    # reload (IndexedDB), as they were.
    held: list[Any] = []
    page.route(EVENTS, lambda route: held.append(route))
    page.context.set_offline(False)
    page.reload()
    page.wait_for_function(f"window.tonearm !== undefined && {EVENTS_STATE}.queued >= 3")
    kept = page.evaluate(EVENTS_STATE)["pending"]
    assert [e for e in kept if e["offline"]] == offline

    # The endpoint answers: they are sent, with their original timestamps and offline flag.
    page.unroute(EVENTS)
    for route in held:
        with contextlib.suppress(Exception):  # the request of the page before the reload is gone
            route.continue_()
    page.evaluate("window.tonearm.flushEvents()")
    page.wait_for_function(f"{EVENTS_STATE}.queued === 0")
    sent = page.evaluate(EVENTS_STATE)
    assert sent["rejected"] == 0, sent
    assert {r["event_id"] for r in sent["lastResults"]} >= {e["event_id"] for e in offline}

    history = _eventually(
        lambda: [item for item in _history(live, listener) if item["track"]["id"] == second]
    )
    assert history, _history(live, listener)
    # Played when it was, not when it reached the server.
    assert history[0]["played_at"] == offline[1]["timestamp"]
    assert browser.errors == []
