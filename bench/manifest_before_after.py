"""Manifest latency before and after, in one run: `bench/manifest.py` of earlier commits (by
default the last one before accounts, whose p99 the spine issue asks to be back to, and the last
one whose manifest wrote a play) and of this tree, alternating rounds on the same machine, each
with its own server, data and demo tracks.

    .venv/bin/python bench/manifest_before_after.py [--before 909fb28 --before 28e9edd] [--rounds 2]

Each earlier commit is checked out into a temporary git worktree and run with this venv (its
dependencies are a subset of today's), its `src` first on PYTHONPATH. Prints and keeps one row
with each side's rounds, the medians of p50/p90/p99, and this tree's p99 as a ratio of each
earlier one's: the figure to read on a machine whose absolute latencies drift from day to day.
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

# The last commit before accounts (p99 5.3-5.6 ms on 2026-11-21), and the commit before the
# spine, whose GET /v1/tracks/{id}/manifest wrote a play into the history.
BEFORE_ACCOUNTS = "909fb28"
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
    parser.add_argument("--before", action="append", help="an earlier commit (repeat for several)")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--rate", type=float, default=200.0)
    parser.add_argument("--seconds", type=float, default=20.0)
    args = parser.parse_args()
    commits: list[str] = args.before or [BEFORE_ACCOUNTS, WROTE_A_PLAY]
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="tonearm-before-") as folder:
        trees = {commit: Path(folder) / commit for commit in commits}
        for commit, tree in trees.items():
            subprocess.run(
                ["git", "worktree", "add", "--detach", str(tree), commit],
                cwd=ROOT,
                check=True,
                capture_output=True,
            )
        trees["this tree"] = ROOT
        try:
            sides: dict[str, list[dict[str, float]]] = {name: [] for name in trees}
            for _ in range(args.rounds):
                for name, tree in trees.items():
                    sides[name].append(one_round(tree, args.rate, args.seconds))
        finally:
            for commit in commits:
                subprocess.run(
                    ["git", "worktree", "remove", "--force", str(trees[commit])], cwd=ROOT, check=False
                )
    summary = {name: {"rounds": rounds, "median": medians(rounds)} for name, rounds in sides.items()}
    after = summary["this tree"]["median"]["p99_ms"]
    record(
        "manifest_before_after",
        {
            "what": f"bench/manifest.py at {args.rate:.0f} req/s for {args.seconds:.0f} s, one server "
            f"process: commits {', '.join(commits)} against this tree, alternating",
            "load_at_start": load,
            **summary,
            "p99_ratio_to": {c: round(after / summary[c]["median"]["p99_ms"], 2) for c in commits},
        },
    )


if __name__ == "__main__":
    main()
