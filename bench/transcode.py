"""Ladder transcode speed: Tonearm's transcode_ladder against one ffmpeg command line producing
the same six renditions from the same master, side by side in one run (× realtime and ratio).

    .venv/bin/python bench/transcode.py [--seconds 120] [--rounds 3]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from _common import record
from tonearm.audio import SynthSpec, synthesize, transcode_ladder


def ffmpeg_ladder(master: Path, out: Path) -> list[str]:
    """The same ladder as one ffmpeg command: decode once, six encoders."""
    return [
        "ffmpeg",
        "-v",
        "error",
        "-y",
        "-i",
        str(master),
        "-map",
        "0:a",
        "-ac",
        "2",
        "-ar",
        "48000",
        "-c:a",
        "libopus",
        "-b:a",
        "24k",
        str(out / "o.opus"),
        "-map",
        "0:a",
        "-ac",
        "2",
        "-c:a",
        "libvorbis",
        "-b:a",
        "96k",
        str(out / "v96.ogg"),
        "-map",
        "0:a",
        "-ac",
        "2",
        "-c:a",
        "libvorbis",
        "-b:a",
        "160k",
        str(out / "v160.ogg"),
        "-map",
        "0:a",
        "-ac",
        "2",
        "-c:a",
        "libvorbis",
        "-b:a",
        "320k",
        str(out / "v320.ogg"),
        "-map",
        "0:a",
        "-ac",
        "2",
        "-c:a",
        "aac",
        "-b:a",
        "256k",
        str(out / "a.m4a"),
        "-map",
        "0:a",
        "-ac",
        "2",
        "-c:a",
        "flac",
        str(out / "f.flac"),
    ]


def timed(action) -> float:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=120.0)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="tonearm-bench-") as folder:
        root = Path(folder)
        master = root / "master.wav"
        synthesize(SynthSpec(tempo_bpm=120, key=9, mode=0, timbre="fm", seconds=args.seconds, seed=7), master)
        ours, theirs = [], []
        for round_ in range(args.rounds):
            reference, candidate = root / f"ffmpeg{round_}", root / f"tonearm{round_}"
            reference.mkdir()
            theirs.append(timed(lambda out=reference: subprocess.run(ffmpeg_ladder(master, out), check=True)))
            ours.append(timed(lambda out=candidate: transcode_ladder(master, out, workers=2)))
    ours_s, theirs_s = statistics.median(ours), statistics.median(theirs)
    record(
        "transcode",
        {
            "what": f"whole ladder (opus 24, vorbis 96/160/320, aac 256, flac) of a {args.seconds:.0f} s "
            "44.1 kHz stereo master, median of rounds",
            "tonearm_seconds": round(ours_s, 2),
            "ffmpeg_cli_seconds": round(theirs_s, 2),
            "tonearm_x_realtime": round(args.seconds / ours_s, 1),
            "ffmpeg_cli_x_realtime": round(args.seconds / theirs_s, 1),
            "ratio_tonearm_to_ffmpeg_cli": round(theirs_s / ours_s, 3),
        },
    )


if __name__ == "__main__":
    main()
