"""The royalty run as a Spark job: a month of the warehouse's streams and a rights snapshot in,
the outcome tables (`engine.ORDER`) out as one Parquet file each, for the royalties service to
write the statements from:

    spark-submit --master spark://HOST:7077 --packages org.apache.hadoop:hadoop-aws:3.4.1 \\
        src/tonearm/royalties/spark_job.py --streams s3a://BUCKET/warehouse/streams \\
        --rights s3a://BUCKET/rights.parquet --month 2026-10 --config royalties.toml --out DIR

`--streams` is the warehouse's `streams` folder (`date=YYYY-MM-DD/streams.parquet` under it).
The tables are collected to the driver, so `--out` is a folder on the driver's disk. The driver's
Python needs tonearm installed (`PYSPARK_PYTHON`); the executors run no Python.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

import pyarrow.parquet as pq

from tonearm.errors import BadRequest
from tonearm.royalties.config import load_config
from tonearm.royalties.engine import Outcome
from tonearm.royalties.spark_engine import run_spark

__all__ = ["main", "run"]

# The warehouse's name for a day's file (`warehouse.layout`, a contract with this domain).
STREAMS_FILE = "streams.parquet"


def main(argv: Sequence[str] | None = None) -> int:
    try:
        run(argv)
    except BadRequest as bad:
        print(f"royalties: {bad}", file=sys.stderr)
        return 2
    return 0


def run(argv: Sequence[str] | None = None) -> Outcome:
    """The job without its exit status: the outcome it wrote."""
    args = _parser().parse_args(argv)
    config = load_config(args.config)
    glob = f"{args.streams.rstrip('/')}/date=*/{STREAMS_FILE}"
    outcome = run_spark(glob, args.rights, config, args.month, progress=_say)
    args.out.mkdir(parents=True, exist_ok=True)
    for name, table in outcome.tables.items():
        pq.write_table(table, args.out / f"{name}.parquet")
    return outcome


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description="The month's royalty run on Spark.")
    parser.add_argument("--streams", required=True, help="the warehouse's streams folder (a URL or path)")
    parser.add_argument("--rights", required=True, help="the rights snapshot's Parquet file")
    parser.add_argument("--month", required=True, help="the month to run, as 2026-10")
    parser.add_argument("--config", type=Path, help="the royalty configuration (default: the example)")
    parser.add_argument("--out", type=Path, required=True, help="folder for one Parquet file per table")
    return parser


def _say(stage: str, fraction: float) -> None:
    print(f"royalties: {stage} ({fraction:.0%})", file=sys.stderr)


if __name__ == "__main__":
    raise SystemExit(main())
