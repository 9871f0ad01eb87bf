"""The web player in a real headless Chromium against a real server on a short demo catalog:
browse to the first album, play its first track, and check the next one starts on its own."""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tonearm.app import WEB_DIST, create_app
from tonearm.config import Settings
from tonearm.ingest.demo import ingest_demo
from tonearm.runtime import open_runtime

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.timeout(120)]

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--autoplay-policy=no-user-gesture-required",
]
STATE = "window.tonearm.state()"


def _require_browser() -> None:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing (install the Debian chromium package)")
    if not (WEB_DIST / "index.html").exists():
        pytest.skip(
            f"{WEB_DIST / 'index.html'} is missing: build the player with "
            "`cd src/tonearm/web && npm ci && npm run build` (or `make web`)"
        )
    pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A Tonearm server on a free port, serving a 3-track demo catalog of 6-second tracks."""
    _require_browser()
    import uvicorn

    settings = Settings(data_dir=tmp_path_factory.mktemp("tonearm-e2e"))
    runtime = open_runtime(settings)
    try:
        ingest_demo(runtime.ingest_context(), seconds=6, count=3)
    finally:
        runtime.close()

    app = create_app(settings)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off", ws="none")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 15
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the test server did not start")
            time.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
        app.state.runtime.close()


@dataclass
class Browser:
    page: Any
    errors: list[str] = field(default_factory=list)


@pytest.fixture
def browser(base_url: str) -> Iterator[Browser]:
    """A page in headless Chromium that notes every console error and uncaught exception."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = chromium.new_context(viewport={"width": 1280, "height": 800}).new_page()
            page.set_default_timeout(15_000)
            browser = Browser(page)
            page.on(
                "console",
                lambda message: (
                    browser.errors.append(f"console: {message.text}") if message.type == "error" else None
                ),
            )
            page.on("pageerror", lambda error: browser.errors.append(f"uncaught: {error}"))
            yield browser
        finally:
            chromium.close()


def test_plays_an_album_and_goes_on_to_the_next_track_by_itself(browser: Browser, base_url: str) -> None:
    from playwright.sync_api import expect

    page = browser.page

    page.goto(f"{base_url}/")
    expect(page.get_by_test_id("artist-card").first).to_be_visible()

    # Browse: all albums -> the first album -> its tracks.
    page.get_by_test_id("nav-albums").click()
    page.get_by_test_id("album-card").first.click()
    rows = page.get_by_test_id("track-row")
    expect(rows).to_have_count(3)
    titles = [title.strip() for title in page.get_by_test_id("track-title").all_inner_texts()]

    # Play the first track: its clock must move.
    rows.first.click()
    page.wait_for_function(f"{STATE}.trackId !== null && !{STATE}.paused && {STATE}.currentTime > 0.3")
    first = page.evaluate(STATE)
    assert first["title"] == titles[0]
    expect(page.get_by_test_id("now-title")).to_have_text(titles[0])
    time.sleep(0.6)
    assert page.evaluate(STATE)["currentTime"] > first["currentTime"] + 0.3

    # The rendition in use is shown, from the hls.js level playing.
    expect(page.get_by_test_id("quality")).to_have_text(re.compile(r"^(AAC|Opus|FLAC) "))
    assert page.evaluate(STATE)["level"] >= 0

    # Volume is the manifest's loudness gain times the slider, applied in Web Audio.
    gain_db = page.evaluate(
        "async (id) => (await (await fetch(`/v1/tracks/${id}/manifest`)).json()).loudness.gain_db",
        first["trackId"],
    )
    state = page.evaluate(STATE)
    assert state["gain"] == pytest.approx(10 ** (gain_db / 20) * state["volume"], rel=1e-6)
    graph = page.evaluate(
        "[window.tonearm.player.current.loudness.gain.value,"
        " window.tonearm.player.audioGraph().output.gain.value]"
    )
    assert graph == pytest.approx([10 ** (gain_db / 20), state["volume"]], rel=1e-4)

    # No click: the second track must take over when the first ends, and keep playing.
    page.wait_for_function(
        f"(title) => {STATE}.title === title && !{STATE}.paused && {STATE}.currentTime > 0.3",
        arg=titles[1],
        timeout=20_000,
    )
    second = page.evaluate(STATE)
    assert second["queueIndex"] == 1
    expect(page.get_by_test_id("now-title")).to_have_text(titles[1])
    time.sleep(0.6)
    assert page.evaluate(STATE)["currentTime"] > second["currentTime"] + 0.3

    # It was joined on the audio clock, before the first track's `ended` event.
    joins = page.evaluate(STATE)["joins"]
    assert len(joins) == 1, joins
    assert joins[0]["to"] == second["trackId"]
    assert abs(joins[0]["gapMs"]) < 30, joins

    assert browser.errors == []


# An AudioWorklet on the player's output that keeps every sample with its frame number.
RECORDER = """
window.startRecorder = async () => {
  const { context, output } = window.tonearm.player.audioGraph();
  const code = `registerProcessor("recorder", class extends AudioWorkletProcessor {
    constructor() { super(); this.chunks = []; this.first = -1; }
    process(inputs) {
      if (this.first < 0) this.first = currentFrame;
      const input = inputs[0] && inputs[0][0];
      this.chunks.push(input ? input.slice() : new Float32Array(128));
      if (this.chunks.length === 64) {
        this.port.postMessage({ first: this.first, chunks: this.chunks });
        this.chunks = []; this.first = -1;
      }
      return true;
    }
  });`;
  await context.audioWorklet.addModule(URL.createObjectURL(new Blob([code], { type: "text/javascript" })));
  const node = new AudioWorkletNode(context, "recorder");
  window.recorded = { rate: context.sampleRate, parts: [] };
  node.port.onmessage = (event) => window.recorded.parts.push(event.data);
  output.connect(node);
  node.connect(context.destination);
};
window.recording = () => {
  const parts = window.recorded.parts;
  const start = parts[0].first;
  const last = parts[parts.length - 1];
  const out = new Float32Array(last.first - start + last.chunks.length * 128);
  for (const part of parts) {
    part.chunks.forEach((chunk, i) => out.set(chunk, part.first - start + i * 128));
  }
  return { rate: window.recorded.rate, samples: Array.from(out) };
};
"""


def _locate(recording: Any, track: Any) -> tuple[int, float]:
    """Where (in samples) `track` starts inside `recording`, found from a half-second excerpt
    taken 1.5 s in, and how well it matched (normalised correlation, 1.0 is identical)."""
    import numpy as np
    from scipy.signal import fftconvolve

    offset = int(1.5 * 44_100)
    excerpt = track[offset : offset + 22_050]
    correlation = fftconvolve(recording, excerpt[::-1], mode="valid")
    energy = fftconvolve(recording**2, np.ones(len(excerpt)), mode="valid")
    score = correlation / (np.sqrt(np.maximum(energy, 1e-12) * np.sum(excerpt**2)))
    best = int(np.argmax(score))
    return best - offset, float(score[best])


def test_joins_are_sample_exact(browser: Browser, base_url: str) -> None:
    """Record what the player outputs and find each track in it by cross-correlation with its
    FLAC rendition: the next track must start on the sample after the previous one's last."""
    import io
    import json
    import urllib.request

    import numpy as np
    import soundfile

    page = browser.page
    page.add_init_script(RECORDER)
    page.goto(f"{base_url}/#/albums")
    page.get_by_test_id("album-card").first.click()
    rows = page.get_by_test_id("track-row")
    track_ids = [rows.nth(i).get_attribute("data-track-id") for i in range(rows.count())]
    page.evaluate("window.tonearm.player.ensureAudio()")
    page.evaluate("window.startRecorder()")
    rows.first.click()
    page.wait_for_function(
        f"{STATE}.queueIndex === 2 && {STATE}.currentTime > 2.5 && !{STATE}.paused", timeout=25_000
    )
    recorded = page.evaluate("window.recording()")
    recording = np.asarray(recorded["samples"], dtype=np.float64)
    assert recorded["rate"] == 44_100

    starts, lengths = [], []
    for track_id in track_ids:
        with urllib.request.urlopen(f"{base_url}/v1/tracks/{track_id}/manifest?product=premium") as answer:
            flac = next(r for r in json.load(answer)["renditions"] if r["codec"] == "flac")
        with urllib.request.urlopen(flac["url"]) as answer:
            samples, rate = soundfile.read(io.BytesIO(answer.read()))
        assert rate == 44_100
        start, match = _locate(recording, samples[:, 0])
        assert match > 0.9, f"track {track_id} not found in the recording ({match:.3f})"
        starts.append(start)
        lengths.append(len(samples))

    gaps_ms = [(starts[i + 1] - (starts[i] + lengths[i])) / 44.1 for i in range(len(track_ids) - 1)]
    assert all(abs(gap) < 1.5 for gap in gaps_ms), gaps_ms
    assert browser.errors == []
