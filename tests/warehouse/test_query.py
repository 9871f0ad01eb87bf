"""SQL over the exported days: a `streams` view with a `date` column, and nothing else within
reach."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import duckdb
import pytest
from sqlalchemy.orm import Session, sessionmaker

from tests.warehouse.conftest import DAY, at, play
from tonearm.config import Settings
from tonearm.warehouse import (
    STREAMS_SCHEMA,
    BadQuery,
    NothingExported,
    export_days,
    pseudonym,
    query,
    streams_glob,
    warehouse_root,
)

NEXT = DAY + timedelta(days=1)
# Which database the plays came from is the export's concern (tests/warehouse/test_export.py).
SQLITE = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


@pytest.fixture
def exported(
    session_factory: sessionmaker[Session], settings: Settings, song_and_ada: tuple[str, str]
) -> Path:
    song, ada = song_and_ada
    for moment in (at(DAY, 1), at(DAY, 2), at(NEXT, 3)):
        play(session_factory, ada, song, moment)
    export_days(session_factory, settings, [DAY, NEXT, NEXT + timedelta(days=1)])
    return warehouse_root(settings)


@SQLITE
def test_streams_has_every_column_and_the_day_as_date(exported: Path) -> None:
    columns, rows = query(
        exported, "SELECT date, count(*) AS streams FROM streams GROUP BY date ORDER BY date"
    )

    assert (columns, rows) == (["date", "streams"], [(DAY, 2), (NEXT, 1)])
    columns, _ = query(exported, "SELECT * FROM streams LIMIT 0")
    assert columns == [*STREAMS_SCHEMA.names, "date"]


@SQLITE
def test_times_come_back_in_utc(exported: Path) -> None:
    _, [(first,)] = query(exported, "SELECT min(played_at) FROM streams")

    assert first == at(DAY, 1) and first.utcoffset() == timedelta(0)


@SQLITE
def test_royalties_can_read_the_files_by_the_glob_alone(exported: Path, settings: Settings) -> None:
    source = f"read_parquet('{streams_glob(exported)}', hive_partitioning = true)"
    found = duckdb.sql(f'SELECT "user", count(*) FROM {source} GROUP BY 1').fetchall()

    assert len(found) == 1 and found[0][1] == 3 and len(found[0][0]) == 32
    assert found[0][0] == query(exported, 'SELECT DISTINCT "user" FROM streams')[1][0][0]
    assert found[0][0] != pseudonym(settings, "someone else")


@SQLITE
@pytest.mark.parametrize(
    ("sql", "says"),
    [
        ("SELEC 1", "syntax error"),
        ("SELECT nope FROM streams", "nope"),
        ("SELECT * FROM plays", "plays"),
    ],
)
def test_sql_that_does_not_run_is_a_bad_query_with_duckdbs_reason(
    exported: Path, sql: str, says: str
) -> None:
    with pytest.raises(BadQuery, match=says) as raised:
        query(exported, sql)

    assert raised.value.status == 400


@SQLITE
@pytest.mark.parametrize(
    "sql",
    [
        "SELECT * FROM read_csv('/etc/passwd')",
        "COPY (SELECT 1) TO '{root}/../stolen.csv'",
        "SET enable_external_access = true",
    ],
)
def test_a_query_can_reach_no_file_but_the_warehouses(exported: Path, sql: str) -> None:
    with pytest.raises(BadQuery):
        query(exported, sql.format(root=exported))

    assert not (exported.parent / "stolen.csv").exists()


def test_before_any_export_a_query_says_nothing_was_exported(tmp_path: Path) -> None:
    with pytest.raises(NothingExported, match="no streams exported yet"):
        query(tmp_path / "warehouse", "SELECT 1")
