"""Writing a computed month into a run folder: each rightsholder's statement (a JSON header with
totals and party totals, and its lines as CSV and JSON lines), the tables behind them as Parquet,
and the fraud report. Whoever calls this writes into a folder of its own and renames it into place.

    statements/<rightsholder id>/statement.json   header, totals per currency, party totals
    statements/<rightsholder id>/lines.csv|.json  track, market, product, streams, amount
    statements/<rightsholder id>/parties.csv      each line's split among the parties
    lines.parquet, party_lines.parquet, fraud.csv, summary.json
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import orjson
import pyarrow.parquet as pq

from tonearm.royalties.engine import Outcome

__all__ = ["LINE_COLUMNS", "RunInfo", "read_json", "write_json", "write_statements"]

LINE_COLUMNS = ("track_id", "market", "product", "currency", "streams", "amount_minor")
PARTY_COLUMNS = ("track_id", "market", "product", "currency", "party", "role", "share_bp", "amount_minor")
PAID_MODEL = "pro_rata"


@dataclass(frozen=True)
class RunInfo:
    month: str
    run: int
    provisional: bool
    computed_at: str
    engine: str


def write_json(path: Path, value: object) -> None:
    """Written beside and renamed over, so a reader sees the old file or the new, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    scratch = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    with scratch.open("wb") as out:
        out.write(orjson.dumps(value, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS))
        out.flush()
        os.fsync(out.fileno())
    os.replace(scratch, path)


def read_json(path: Path) -> Any:
    return orjson.loads(path.read_bytes())


def write_statements(folder: Path, outcome: Outcome, info: RunInfo) -> dict[str, Any]:
    """The run's files under `folder`; answers each rightsholder's header (by id)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("lines", "party_lines"):
        pq.write_table(outcome[name], folder / f"{name}.parquet", compression="zstd")
    statements = folder / "statements"
    connection = duckdb.connect(":memory:")
    try:
        connection.execute("SET preserve_insertion_order = true")
        connection.register("all_lines", outcome["lines"])
        connection.register("all_parties", outcome["party_lines"])
        paid = f"model = '{PAID_MODEL}'"
        _partitioned(
            connection,
            f"SELECT rightsholder_id, {', '.join(LINE_COLUMNS)} FROM all_lines "
            f"WHERE {paid} ORDER BY rightsholder_id, track_id, market, product",
            statements,
            "lines",
            "CSV, HEADER",
        )
        _partitioned(
            connection,
            f"SELECT rightsholder_id, {', '.join(LINE_COLUMNS)} FROM all_lines "
            f"WHERE {paid} ORDER BY rightsholder_id, track_id, market, product",
            statements,
            "lines",
            "JSON",
        )
        _partitioned(
            connection,
            f"SELECT rightsholder_id, {', '.join(PARTY_COLUMNS)} FROM all_parties "
            f"WHERE {paid} ORDER BY rightsholder_id, track_id, market, product, party, role",
            statements,
            "parties",
            "CSV, HEADER",
        )
        headers = dict(_headers(connection, info))
    finally:
        connection.close()
    _flatten(statements)
    for holder, header in headers.items():
        write_json(statements / holder / "statement.json", header)
    with (folder / "fraud.csv").open("w", encoding="utf-8") as out:
        fraud = outcome["fraud"]
        out.write(",".join(fraud.column_names) + "\n")
        for row in fraud.to_pylist():
            out.write(",".join(str(row[name]) for name in fraud.column_names) + "\n")
    return headers


def _partitioned(
    connection: duckdb.DuckDBPyConnection, query: str, folder: Path, name: str, options: str
) -> None:
    connection.execute(
        f"COPY ({query}) TO '{folder}' "
        f"(FORMAT {options}, PARTITION_BY (rightsholder_id), FILENAME_PATTERN '{name}', OVERWRITE_OR_IGNORE)"
    )


def _flatten(statements: Path) -> None:
    """DuckDB writes `rightsholder_id=<id>/lines0.csv`; statements are `<id>/lines.csv`."""
    if not statements.exists():
        return
    for partition in statements.iterdir():
        if not partition.name.startswith("rightsholder_id="):
            continue
        for written in partition.iterdir():
            stem, suffix = written.stem.rstrip("0123456789"), written.suffix
            written.rename(partition / f"{stem}{suffix}")
        partition.rename(statements / partition.name.removeprefix("rightsholder_id="))


def _headers(connection: duckdb.DuckDBPyConnection, info: RunInfo) -> Iterator[tuple[str, dict[str, Any]]]:
    totals: dict[str, list[dict[str, Any]]] = {}
    names: dict[str, str] = {}
    for holder, name, currency, streams, amount in connection.execute(
        f"""SELECT rightsholder_id, min(rightsholder_name), currency, sum(streams), sum(amount_minor)
            FROM all_lines WHERE model = '{PAID_MODEL}'
            GROUP BY rightsholder_id, currency ORDER BY rightsholder_id, currency"""
    ).fetchall():
        names[holder] = name
        totals.setdefault(holder, []).append(
            {"currency": currency, "streams": int(streams), "amount_minor": int(amount)}
        )
    parties: dict[str, list[dict[str, Any]]] = {}
    for holder, party, role, currency, amount in connection.execute(
        f"""SELECT rightsholder_id, party, role, currency, sum(amount_minor) FROM all_parties
            WHERE model = '{PAID_MODEL}' GROUP BY rightsholder_id, party, role, currency
            ORDER BY rightsholder_id, party, role, currency"""
    ).fetchall():
        parties.setdefault(holder, []).append(
            {"party": party, "role": role, "currency": currency, "amount_minor": int(amount)}
        )
    for holder, sums in totals.items():
        yield (
            holder,
            {
                "month": info.month,
                "run": info.run,
                "provisional": info.provisional,
                "computed_at": info.computed_at,
                "model": PAID_MODEL,
                "rightsholder": {"id": holder, "name": names[holder]},
                "totals": sums,
                "parties": parties.get(holder, []),
                "files": {"lines_csv": "lines.csv", "lines_json": "lines.json", "parties_csv": "parties.csv"},
            },
        )
