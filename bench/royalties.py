"""The whole royalty run against the bare DuckDB group-by, side by side on one synthetic month.

    .venv/bin/python bench/royalties.py DIR [--month 2026-10] [--rounds 2] [--spark] [--json]

DIR is what `bench/royalties_data.py` writes. Each round runs, each in a process of its own so
that its peak RSS is its own: the bare group-by (`bench/royalties_groupby.py`'s query, once),
then the whole DuckDB royalty run as `tonearm royalties run` does it once the month is exported
(`royalties.runs.run_month`: fraud filter, pro-rata and user-centric, party splits, statements
as CSV and JSON per rightsholder, the two-model report with its plots, the summary), into a
fresh folder. With --spark the same run on Spark (local mode, every core) follows, once. The
pools are every market and product of the data (the shipped example's rates, EUR where the
example has no pool for the market). It prints the best time of each, the ratio of the bests,
each run's peak RSS, the statements' check (every pool paid exactly), the machine's load, and
with --json one JSON line of the same.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import duckdb

from tonearm.royalties.config import RoyaltyConfig, load_config, parse_config

MONTH = "2026-10"
GROUPBY = """
SELECT market, product, track_id, count(*) AS streams
FROM read_parquet(?)
GROUP BY market, product, track_id
"""


def bench_config(streams_glob: str) -> RoyaltyConfig:
    """A pool for every (market, product) of the data, at the example's rates."""
    example = load_config(None)
    known = {(pool.market, pool.product): pool for pool in example.pools}
    pairs = duckdb.sql(
        f"SELECT DISTINCT market, product FROM read_parquet('{streams_glob}') ORDER BY ALL"
    ).fetchall()
    pools = []
    for market, product in pairs:
        like = known.get((market, product)) or known[("DE", product)]
        pools.append(
            {
                "market": market,
                "product": product,
                "currency": like.currency if (market, product) in known else "EUR",
                "revenue_minor": like.revenue_minor,
                "rightsholder_share": like.share_bp / 10_000,
            }
        )
    fraud = example.fraud
    return parse_config(
        {
            "fraud": {
                "loop_streams_per_day": fraud.loop_streams_per_day,
                "max_ms_per_day": fraud.max_ms_per_day,
                "regular_min_streams": fraud.regular_min_streams,
                "regular_max_jitter_ms": fraud.regular_max_jitter_ms,
                "device_max_accounts": fraud.device_max_accounts,
            },
            "pool": pools,
        },
        source="bench",
    )


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def child(kind: str, data: Path, month: str, out: Path) -> dict[str, Any]:
    """One measured run in this process."""
    streams = str(data / "streams" / "date=*" / "streams.parquet")
    if kind == "groupby":
        start = time.perf_counter()
        table = duckdb.connect().sql(GROUPBY, params=[streams]).to_arrow_table()
        return {"seconds": time.perf_counter() - start, "rows": table.num_rows}
    from tonearm.royalties.runs import MonthRuns, duckdb_engine, run_month
    from tonearm.royalties.service import _spark_engine

    config = bench_config(streams)
    stages: dict[str, float] = {}
    last = [time.perf_counter(), "start"]

    def note(stage: str, _fraction: float) -> None:
        now = time.perf_counter()
        stages[str(last[1])] = round(stages.get(str(last[1]), 0.0) + now - float(last[0]), 2)
        last[:] = [now, stage]

    start = time.perf_counter()
    result = run_month(
        MonthRuns(out, month),
        streams,
        lambda path: shutil.copyfile(data / "rights.parquet", path),
        config,
        provisional=False,
        engine=_spark_engine() if kind == "spark" else duckdb_engine,
        engine_name=kind,
        progress=note,
    )
    seconds = time.perf_counter() - start
    pools = result.summary["pools"]
    return {
        "seconds": seconds,
        "pools": len(pools),
        # Both models pay out every pool that had streams, to the minor unit.
        "exact": all(
            pool["paid_minor"] == pool["user_centric_paid_minor"] == pool["pool_minor"]
            for pool in pools
            if pool["streams"]
        ),
        "filtered_streams": sum(pool["filtered_streams"] for pool in pools),
        "statements": len(list((result.folder / "statements").glob("*/statement.json"))),
        "stages": stages,
    }


def measured(kind: str, data: Path, month: str) -> dict[str, Any]:
    """`child` in a fresh process: its answer and its peak RSS."""
    with tempfile.TemporaryDirectory(prefix="royalties-bench-") as out:
        command = [sys.executable, __file__, str(data), "--month", month, "--child", kind, "--out", out]
        answer = subprocess.run(command, check=True, capture_output=True, text=True)
    return json.loads(answer.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dir", type=Path)
    parser.add_argument("--month", default=MONTH)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--spark", action="store_true")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--child", choices=["groupby", "duckdb", "spark"], help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        answer = child(args.child, args.dir, args.month, args.out)
        print(json.dumps({**answer, "peak_rss_mb": round(peak_rss_mb())}))
        return
    loads = [os.getloadavg()[0]]
    groupby, royalty = [], []
    for n in range(args.rounds):
        groupby.append(measured("groupby", args.dir, args.month))
        royalty.append(measured("duckdb", args.dir, args.month))
        loads.append(os.getloadavg()[0])
        print(
            f"round {n + 1}: group-by {groupby[-1]['seconds']:.1f} s, royalty run "
            f"{royalty[-1]['seconds']:.1f} s ({royalty[-1]['peak_rss_mb']} MB)",
            file=sys.stderr,
        )
    spark = measured("spark", args.dir, args.month) if args.spark else None
    best_groupby = min(run["seconds"] for run in groupby)
    best_run = min(run["seconds"] for run in royalty)
    summary = {
        "groupby_seconds": round(best_groupby, 2),
        "run_seconds": round(best_run, 2),
        "ratio": round(best_run / best_groupby, 2),
        "run_peak_rss_mb": max(run["peak_rss_mb"] for run in royalty),
        "groupby_peak_rss_mb": max(run["peak_rss_mb"] for run in groupby),
        "exact": all(run["exact"] for run in royalty),
        "pools": royalty[-1]["pools"],
        "statements": royalty[-1]["statements"],
        "filtered_streams": royalty[-1]["filtered_streams"],
        "stages": royalty[-1]["stages"],
        "spark_seconds": round(spark["seconds"], 2) if spark else None,
        "spark_exact": spark["exact"] if spark else None,
        "runs": {
            "groupby": [round(r["seconds"], 2) for r in groupby],
            "duckdb": [round(r["seconds"], 2) for r in royalty],
        },
        "load": [round(load, 2) for load in loads],
        "cores": os.cpu_count(),
        "duckdb": duckdb.__version__,
    }
    print(
        f"royalty run {best_run:.1f} s vs bare group-by {best_groupby:.1f} s: {summary['ratio']}x; "
        f"peak RSS {summary['run_peak_rss_mb']} MB (group-by {summary['groupby_peak_rss_mb']} MB)"
    )
    print(
        f"{summary['statements']} statements, {summary['pools']} pools, every pool paid exactly: "
        f"{summary['exact']}; {summary['filtered_streams']:,} streams filtered as fraud"
    )
    if spark:
        print(f"Spark (local[*]) {spark['seconds']:.1f} s, peak RSS of the driver {spark['peak_rss_mb']} MB")
    print(f"load {summary['load']}, {os.cpu_count()} cores, duckdb {duckdb.__version__}")
    if args.json:
        print(json.dumps(summary))


if __name__ == "__main__":
    main()
