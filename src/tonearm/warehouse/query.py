"""SQL over the exported streams, with DuckDB in process:

    columns, rows = query(warehouse_root(settings), "SELECT date, count(*) FROM streams GROUP BY 1")

`streams` is a view over every day's file, with the day as a `date` column (hive
partitioning). The connection may read the warehouse's files and nothing else: no other file,
no writing, no extensions, so a query pasted from elsewhere can do no harm. Times are in UTC.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import duckdb

from tonearm.warehouse.errors import BadQuery, NothingExported
from tonearm.warehouse.layout import partitions, streams_glob

__all__ = ["files_holding", "query"]


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _connect(root: Path, *, filenames: bool) -> duckdb.DuckDBPyConnection:
    if not partitions(root):
        raise NothingExported(
            f"no streams exported yet (nothing in {root / 'streams'}): run `tonearm warehouse export`"
        )
    connection = duckdb.connect()
    options = ", filename = true" if filenames else ""
    source = f"read_parquet({_literal(streams_glob(root))}, hive_partitioning = true{options})"
    for statement in (
        f"CREATE VIEW streams AS SELECT * FROM {source}",
        "SET TimeZone = 'UTC'",
        f"SET allowed_directories = [{_literal(str(root / 'streams') + '/')}]",
        "SET enable_external_access = false",
        "SET lock_configuration = true",
    ):
        connection.execute(statement)
    return connection


def _run(
    root: Path, sql: str, parameters: Sequence[Any] = (), *, filenames: bool = False
) -> tuple[list[str], list[tuple[Any, ...]]]:
    with _connect(root, filenames=filenames) as connection:
        try:
            cursor = connection.execute(sql, list(parameters))
            columns = [column[0] for column in cursor.description or ()]
            return columns, cursor.fetchall() if columns else []
        except duckdb.Error as error:
            raise BadQuery(str(error).strip()) from None


def query(root: Path, sql: str) -> tuple[list[str], list[tuple[Any, ...]]]:
    """The column names and rows `sql` answers over the `streams` view; NothingExported before
    any day was exported, BadQuery (with DuckDB's message) for SQL that does not run."""
    return _run(root, sql)


def files_holding(root: Path, users: Sequence[str]) -> dict[Path, int]:
    """The days' files holding rows of these (pseudonymised) users, with how many rows."""
    if not partitions(root):
        return {}
    _, rows = _run(
        root,
        'SELECT filename, count(*) FROM streams WHERE "user" IN (SELECT unnest(?)) GROUP BY filename',
        [list(users)],
        filenames=True,
    )
    return {Path(filename): int(count) for filename, count in rows}
