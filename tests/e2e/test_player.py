"""The web player in a real headless Chromium against a real server on a short demo catalog,
signed in as a premium listener: browse to the first album, play its first track, and check the
next one starts on its own; record what it plays to check gapless joins and mid-track switches
between renditions."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
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


@dataclass(frozen=True)
class Server:
    live: Live
    long_track: str  # the id of a 20-second track, 4 HLS segments long


def _ingest_long_track(ctx: IngestContext, folder: Path) -> str:
    """One 20-second track (the demo's are 6 s, a single HLS segment) on an album of its own,
    dated so that it is listed last."""
    master = folder / "long.wav"
    synthesize(SynthSpec(**{**spec_for_demo(4).__dict__, "seconds": 20.0}), master)
    hints = Hints(
        name="Switchback",
        artists=("Test Pattern",),
        album="Switchback",
        album_artists=("Test Pattern",),
        album_type="single",
        release_date="1990-01-01",
        track_number=1,
    )
    return ingest_master(ctx, master, file_name=master.name, hints=hints).id


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A Tonearm server on a free port, serving a 3-track demo catalog of 6-second tracks and
    one 20-second track on another album."""
    require_browser()
    settings = Settings(data_dir=tmp_path_factory.mktemp("tonearm-e2e"))
    runtime = open_runtime(settings)
    try:
        ingest_demo(runtime.ingest_context(), seconds=6, count=3)
        long_track = _ingest_long_track(runtime.ingest_context(), tmp_path_factory.mktemp("master"))
    finally:
        runtime.close()
    with serve(settings) as live:
        yield Server(live, long_track)


@pytest.fixture(scope="module")
def live(server: Server) -> Live:
    return server.live


@pytest.fixture(scope="module")
def storage_state(signed_in_state: dict[str, Any]) -> dict[str, Any]:
    """Every test starts signed in."""
    return signed_in_state


def test_plays_an_album_and_goes_on_to_the_next_track_by_itself(
    browser: Browser, live: Live, listener: Listener
) -> None:
    from playwright.sync_api import expect

    page = browser.page

    page.goto(f"{live.url}/#/artists")
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
    gain_db = api_get(live, listener, f"/v1/tracks/{first['trackId']}/manifest")["loudness"]["gain_db"]
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


def _locate(recording: Any, track: Any, at: float = 1.5) -> tuple[int, float]:
    """Where (in samples) `track` starts inside `recording`, found from a half-second excerpt
    taken `at` seconds in, and how well it matched (normalised correlation, 1.0 is identical)."""
    import numpy as np
    from scipy.signal import fftconvolve

    offset = int(at * 44_100)
    excerpt = track[offset : offset + 22_050]
    correlation = fftconvolve(recording, excerpt[::-1], mode="valid")
    energy = fftconvolve(recording**2, np.ones(len(excerpt)), mode="valid")
    score = correlation / (np.sqrt(np.maximum(energy, 1e-12) * np.sum(excerpt**2)))
    best = int(np.argmax(score))
    return best - offset, float(score[best])


def _flac_of(live: Live, listener: Listener, track_id: str) -> Any:
    """The track's FLAC rendition (a premium listener's manifest has it), decoded (the first
    channel), as the reference."""
    import io
    import urllib.request

    import soundfile

    manifest = api_get(live, listener, f"/v1/tracks/{track_id}/manifest")
    flac = next(r for r in manifest["renditions"] if r["codec"] == "flac")
    with urllib.request.urlopen(flac["url"]) as answer:
        samples, rate = soundfile.read(io.BytesIO(answer.read()))
    assert rate == 44_100
    return samples[:, 0]


def test_joins_are_sample_exact(browser: Browser, live: Live, listener: Listener) -> None:
    """Record what the player outputs and find each track in it by cross-correlation with its
    FLAC rendition: the next track must start on the sample after the previous one's last."""
    import numpy as np

    page = browser.page
    page.add_init_script(RECORDER)
    page.goto(f"{live.url}/#/albums")
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
        assert track_id is not None
        samples = _flac_of(live, listener, track_id)
        start, match = _locate(recording, samples)
        assert match > 0.9, f"track {track_id} not found in the recording ({match:.3f})"
        starts.append(start)
        lengths.append(len(samples))

    gaps_ms = [(starts[i + 1] - (starts[i] + lengths[i])) / 44.1 for i in range(len(track_ids) - 1)]
    # What the player thought of each join tells a timing miss from a wrong measurement.
    assert all(abs(gap) < 1.5 for gap in gaps_ms), (gaps_ms, page.evaluate(f"{STATE}.joins"))
    assert browser.errors == []


# For each hls.js instance the player makes: buffer little ahead, so each segment loads shortly
# before it plays, and load segment n from the rendition plan[n] names, as hls.js's ABR would
# when the bandwidth changes; note each level switch as it plays.
SWITCHER = """(plan) => {
  window.switches = [];
  window.tonearm.player.onHls = (hls) => {
    const level = (codec) => hls.levels.findIndex((l) => l.audioCodec.toLowerCase().startsWith(codec));
    Object.assign(hls.config, { maxBufferLength: 2, maxMaxBufferLength: 2 });
    hls.once("hlsManifestParsed", () => {
      hls.startLevel = level(plan[0]);
      hls.loadLevel = level(plan[0]);
    });
    hls.on("hlsFragLoaded", (_event, data) => {
      const next = plan[data.frag.sn + 1];
      if (data.frag.sn !== "initSegment" && next) hls.loadLevel = level(next);
    });
    hls.on("hlsLevelSwitched", (_event, data) => {
      const audio = window.tonearm.player.current.audio;
      window.switches.push([hls.levels[data.level].audioCodec, audio.currentTime]);
    });
  };
}"""


def test_switching_renditions_mid_track_neither_skips_nor_repeats(
    browser: Browser, server: Server, listener: Listener
) -> None:
    """Play the 20-second track with its four 6-second segments from AAC, FLAC, Opus and AAC
    again, and record it: the music after each switch must sit where the track says, within a
    millisecond. (The AAC timeline starts with ~40 ms of encoder priming, the others' did not;
    and Chromium dropped 6.5 ms of Opus at every switch away from it.)"""
    import numpy as np

    page = browser.page
    page.add_init_script(RECORDER)
    page.goto(f"{server.live.url}/#/albums")
    page.wait_for_function("window.tonearm !== undefined")
    page.evaluate(SWITCHER, ["mp4a", "flac", "opus", "mp4a"])
    page.evaluate("window.tonearm.player.ensureAudio()")
    page.evaluate("window.startRecorder()")
    item = {"id": server.long_track, "name": "Switchback", "artists": "Test Pattern", "durationMs": 20_000}
    page.evaluate("(item) => window.tonearm.player.playQueue([item], 0)", item)
    page.wait_for_function(f"{STATE}.currentTime > 19.5 && !{STATE}.paused", timeout=30_000)
    recorded = page.evaluate("window.recording()")
    switches = page.evaluate("window.switches")
    recording = np.asarray(recorded["samples"], dtype=np.float64)
    assert recorded["rate"] == 44_100

    # Each rendition in turn, the switches well inside the track.
    assert [codec.lower().split(".")[0] for codec, _ in switches] == ["mp4a", "flac", "opus", "mp4a"], (
        switches
    )
    assert all(0.5 < at < 19.5 for _, at in switches[1:]), switches
    track = _flac_of(server.live, listener, server.long_track)
    # One excerpt from inside each segment, [0, 6), [6, 12), [12, 18) and [18, 20) s give or take
    # a frame in every rendition, so from the rendition planned for it. (hls.js reports a switch
    # when it has the new segment; what plays is switched where the old rendition's audio ends.)
    played = [(3.0, "AAC"), (9.0, "FLAC"), (15.0, "Opus"), (18.8, "AAC")]
    starts = []
    for at, codec in played:
        start, match = _locate(recording, track, at)
        assert match > 0.9, f"the {codec} stretch at {at:.1f} s was not found ({match:.3f})"
        starts.append(start)
    shifts_ms = [(start - starts[0]) / 44.1 for start in starts]
    assert all(abs(shift) < 1.0 for shift in shifts_ms), shifts_ms
    assert browser.errors == []
