"""Ingest of a 4-minute master with the audio features on and off, side by side in one run
(rounds alternate, each ingest into a fresh data folder), and the ratio; plus the accuracy on
the demo catalog (tempo within 2 %, octave errors, key and mode right).

    .venv/bin/python bench/audio_features_ingest.py [--seconds 240] [--rounds 3]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from _common import record
from tonearm.audio import SynthSpec, analyse_features, synthesize
from tonearm.audio.features import ANALYSIS_RATE
from tonearm.audio.synth import render
from tonearm.config import Settings
from tonearm.ingest.demo import demo_tracks
from tonearm.ingest.schemas import Hints
from tonearm.ingest.tasks import IngestContext, ingest_master
from tonearm.runtime import open_runtime


def ingest_once(master: Path, folder: Path, *, features: bool) -> float:
    runtime = open_runtime(Settings(data_dir=folder, signing_keys="k1:bench", rate_limit_url="off"))
    ctx = replace(IngestContext.of(runtime), audio_features=features)
    started = time.perf_counter()
    ingest_master(ctx, master, file_name=master.name, hints=Hints(name="Bench"))
    elapsed = time.perf_counter() - started
    runtime.close()
    return elapsed


def ingest_times(seconds: float, rounds: int) -> dict[str, object]:
    with tempfile.TemporaryDirectory(prefix="tonearm-bench-") as work:
        root = Path(work)
        master = root / "master.wav"
        synthesize(SynthSpec(tempo_bpm=124, key=2, mode=1, timbre="saw", seconds=seconds, seed=11), master)
        ingest_once(master, root / "warm", features=True)  # numba's first use, paid once a process
        on, off = [], []
        for round_ in range(rounds):
            off.append(ingest_once(master, root / f"off{round_}", features=False))
            on.append(ingest_once(master, root / f"on{round_}", features=True))
    on_s, off_s = statistics.median(on), statistics.median(off)
    return {
        "features_on_seconds": [round(t, 2) for t in on],
        "features_off_seconds": [round(t, 2) for t in off],
        "median_on": round(on_s, 2),
        "median_off": round(off_s, 2),
        "ratio_on_to_off": round(on_s / off_s, 3),
    }


def accuracy() -> dict[str, object]:
    tempo_right = octave = key_right = 0
    started = time.perf_counter()
    tracks = list(demo_tracks())
    for track in tracks:
        spec = track.spec
        found = analyse_features(render(spec, ANALYSIS_RATE), ANALYSIS_RATE, loudness=-14.0)
        ratio = found.tempo / spec.tempo_bpm
        tempo_right += abs(ratio - 1) <= 0.02
        octave += any(abs(ratio / factor - 1) <= 0.02 for factor in (2.0, 0.5))
        key_right += (found.key, found.mode) == (spec.key, spec.mode)
    return {
        "demo_tracks": len(tracks),
        "tempo_within_2_percent": tempo_right,
        "octave_errors": octave,
        "key_and_mode_right": key_right,
        "analysis_seconds_per_track": round((time.perf_counter() - started) / len(tracks), 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=240.0)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    figures = {"what": f"ingest of a {args.seconds:.0f} s 44.1 kHz stereo synthesized master"}
    record("audio_features_ingest", {**figures, **ingest_times(args.seconds, args.rounds), **accuracy()})


if __name__ == "__main__":
    main()
