"""The bare DuckDB group-by the royalty run is compared with: a month's streams counted per
(market, product, track_id), straight from the warehouse's Parquet.

    .venv/bin/python bench/royalties_groupby.py DIR [--runs 3] [--json]

DIR is what `bench/royalties_data.py` writes (`DIR/streams/date=*/streams.parquet`). The query
runs `--runs` times on one connection (DuckDB's default threads: one per core), each time
fetching the whole result as an Arrow table; it prints the best and every wall-clock time, the
result's rows and the process's peak RSS, and with --json one JSON line of the same.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import time
from pathlib import Path

import duckdb

QUERY = """
SELECT market, product, track_id, count(*) AS streams
FROM read_parquet(?)
GROUP BY market, product, track_id
"""


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def timed(connection: duckdb.DuckDBPyConnection, files: str) -> tuple[float, int, int]:
    """(seconds, result rows, streams counted) of one run."""
    start = time.perf_counter()
    result = connection.sql(QUERY, params=[files]).to_arrow_table()
    seconds = time.perf_counter() - start
    return seconds, result.num_rows, int(result.column("streams").to_numpy().sum())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dir", type=Path)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    files = str(args.dir / "streams" / "date=*" / "streams.parquet")
    connection = duckdb.connect()
    runs = [timed(connection, files) for _ in range(args.runs)]
    seconds = [round(run[0], 3) for run in runs]
    _, rows, streams = runs[-1]
    load = os.getloadavg()[0]
    print(f"best {min(seconds):.2f} s of {seconds}, {rows:,} rows from {streams:,} streams")
    print(f"peak RSS {peak_rss_mb():.0f} MB, {os.cpu_count()} cores, duckdb {duckdb.__version__}")
    print(f"load {load:.2f}")
    if args.json:
        summary = {
            "seconds": min(seconds),
            "runs": seconds,
            "rows": rows,
            "streams": streams,
            "peak_rss_mb": round(peak_rss_mb()),
            "load": load,
        }
        print(json.dumps(summary))


if __name__ == "__main__":
    main()
