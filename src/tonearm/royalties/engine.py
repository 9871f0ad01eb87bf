"""Running the royalty SQL (`royalties.sql`) on DuckDB: the month's Parquet streams and a rights
snapshot in, the statement lines, the party splits, the fraud report and the pool summary out,
as Arrow tables sorted so that the same inputs give the same rows."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import pyarrow as pa

from tonearm.errors import BadRequest
from tonearm.royalties.config import RoyaltyConfig
from tonearm.royalties.sql import DUCKDB, Step, steps

__all__ = ["ORDER", "Outcome", "Progress", "month_bounds", "pools_table", "run_duckdb"]

Progress = Callable[[str, float], None]

# How each output is sorted, so both engines hand the writer the same rows in the same order.
ORDER: Mapping[str, str] = {
    "lines": "model, rightsholder_id, track_id, market, product",
    "party_lines": "model, rightsholder_id, track_id, market, product, party, role",
    "fraud": "market, product, reason",
    "pool_summary": "market, product",
    "unpooled": "market, product",
}


@dataclass(frozen=True)
class Outcome:
    """A computed month: the output tables by step name (see ORDER)."""

    tables: Mapping[str, pa.Table]

    def __getitem__(self, name: str) -> pa.Table:
        return self.tables[name]


def month_bounds(month: str) -> tuple[date, date]:
    """'2026-10' -> (2026-10-01, 2026-11-01)."""
    try:
        year, number = (int(part) for part in month.split("-"))
        start = date(year, number, 1)
    except ValueError as bad:
        raise BadRequest(f"month must look like 2026-10, not {month!r}") from bad
    end = date(year + 1, 1, 1) if number == 12 else date(year, number + 1, 1)
    return start, end


def pools_table(config: RoyaltyConfig) -> pa.Table:
    return pa.table(
        {
            "market": [p.market for p in config.pools],
            "product": [p.product for p in config.pools],
            "currency": [p.currency for p in config.pools],
            "pool_minor": pa.array([p.pool_minor for p in config.pools], pa.int64()),
        }
    )


def _quiet(stage: str, fraction: float) -> None:
    """The default progress callback: says nothing."""


def run_duckdb(
    streams_glob: str,
    rights: Path,
    config: RoyaltyConfig,
    month: str,
    *,
    spill: Path | None = None,
    memory_limit: str = "3GB",
    progress: Progress = _quiet,
) -> Outcome:
    start, end = month_bounds(month)
    connection = duckdb.connect(":memory:")
    try:
        connection.execute("SET TimeZone = 'UTC'")
        connection.execute(f"SET threads = {max(os.cpu_count() or 1, 1)}")
        connection.execute(f"SET memory_limit = '{memory_limit}'")
        # Rows are sorted where it matters (ORDER); dropping insertion order lets DuckDB stream.
        connection.execute("SET preserve_insertion_order = false")
        if spill is not None:
            spill.mkdir(parents=True, exist_ok=True)
            connection.execute(f"SET temp_directory = '{spill}'")
        connection.execute(
            f"CREATE VIEW streams_raw AS SELECT * FROM read_parquet({_literal(streams_glob)}, "
            "hive_partitioning = false)"
        )
        connection.execute(f"CREATE VIEW rights AS SELECT * FROM read_parquet({_literal(str(rights))})")
        pools = pools_table(config)
        connection.register("pools_arrow", pools)
        connection.execute("CREATE TEMP TABLE pools AS SELECT * FROM pools_arrow")
        plan = steps(DUCKDB, start, end, config.fraud)
        outputs: dict[str, pa.Table] = {}
        for n, step in enumerate(plan):
            progress(step.name, n / len(plan))
            _materialise(connection, step)
            if step.output:
                query = f"SELECT * FROM {step.name} ORDER BY {ORDER[step.name]}"
                outputs[step.name] = connection.sql(query).to_arrow_table()
        progress("done", 1.0)
        return Outcome(outputs)
    except duckdb.IOException as missing:
        raise BadRequest(f"the month's streams could not be read: {missing}") from missing
    finally:
        connection.close()


def _literal(text: str) -> str:
    """A SQL string literal (views cannot take prepared parameters)."""
    return "'" + text.replace("'", "''") + "'"


def _materialise(connection: duckdb.DuckDBPyConnection, step: Step) -> None:
    connection.execute(f"CREATE TEMP TABLE {step.name} AS {step.sql}")
