"""Manifest latency before and after, in one run: `bench/manifest.py` of an earlier commit (by
default the last one whose manifest wrote a play) and of this tree, alternating rounds on the
same machine, each with its own server, data and demo tracks.

    .venv/bin/python bench/manifest_before_after.py [--before 28e9edd] [--rounds 2] [--rate 200]

The earlier commit is checked out into a temporary git worktree and run with this venv (its
dependencies are a subset of today's), its `src` first on PYTHONPATH. Prints and keeps one row
with each side's rounds and the medians of p50/p90/p99.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from _common import ROOT, record

# The commit before the spine: GET /v1/tracks/{id}/manifest wrote a play into the history.
WROTE_A_PLAY = "28e9edd"


def one_round(tree: Path, rate: float, seconds: float) -> dict[str, float]:
    environment = {**os.environ, "PYTHONPATH": f"{tree / 'src'}:{tree / 'bench'}"}
    command = [
        sys.executable,
        str(tree / "bench" / "manifest.py"),
        "--rate",
        str(rate),
        "--seconds",
        str(seconds),
    ]
    output = subprocess.run(
        command, cwd=tree, env=environment, capture_output=True, text=True, check=True
    ).stdout
    row = json.loads(output[output.index("{") :])
    return {key: row[key] for key in ("achieved_req_per_s", "p50_ms", "p90_ms", "p99_ms")}


def medians(rounds: list[dict[str, float]]) -> dict[str, float]:
    return {key: round(statistics.median(r[key] for r in rounds), 2) for key in rounds[0]}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--before", default=WROTE_A_PLAY, help="the earlier commit")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--rate", type=float, default=200.0)
    parser.add_argument("--seconds", type=float, default=20.0)
    args = parser.parse_args()
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="tonearm-before-") as folder:
        before = Path(folder) / "tree"
        subprocess.run(
            ["git", "worktree", "add", "--detach", str(before), args.before],
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
        try:
            sides: dict[str, list[dict[str, float]]] = {"before": [], "after": []}
            for _ in range(args.rounds):
                sides["before"].append(one_round(before, args.rate, args.seconds))
                sides["after"].append(one_round(ROOT, args.rate, args.seconds))
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(before)], cwd=ROOT, check=False)
    record(
        "manifest_before_after",
        {
            "what": f"bench/manifest.py at {args.rate:.0f} req/s for {args.seconds:.0f} s, one server "
            "process: "
            f"commit {args.before} (the manifest writes a play) against this tree, alternating",
            "load_at_start": load,
            "before": {"rounds": sides["before"], "median": medians(sides["before"])},
            "after": {"rounds": sides["after"], "median": medians(sides["after"])},
        },
    )


if __name__ == "__main__":
    main()
