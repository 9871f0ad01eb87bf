"""The royalty benchmark's synthetic month (bench/royalties_data.py) keeps the warehouse's
contract, and its fraud is there to be found: each fraud definition, run over the streams alone,
finds exactly the streams injected as that kind, so no ordinary listener meets any of them."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import duckdb
import pyarrow.parquet as pq
import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "bench" / "royalties_data.py"
STREAMS, TRACKS, FRAUD = 200_000, 5_000, 0.01
KINDS = ("loop", "overfull_day", "machine_timing", "shared_device")
DAYS = [f"date=2026-10-{day:02d}" for day in range(1, 32)]

# The contract, written out here so a change to the generator cannot move it unnoticed.
STREAM_COLUMNS = [
    ("stream_id", "string"),
    ("user", "string"),
    ("track_id", "string"),
    ("market", "string"),
    ("product", "string"),
    ("played_at", "timestamp[ms, tz=UTC]"),
    ("ms_played", "int32"),
    ("device", "string"),
    ("device_type", "string"),
    ("offline", "bool"),
]
RIGHTS_COLUMNS = [
    ("track_id", "string"),
    ("rightsholder_id", "string"),
    ("rightsholder_name", "string"),
    ("party", "string"),
    ("role", "string"),
    ("share_bp", "int32"),
    ("artist_ids", "list<element: string>"),
]

# Each fraud definition as a filter would run it: the stream ids it flags.
FLAGGED = {
    "loop": "SELECT stream_id FROM st QUALIFY count(*) OVER (PARTITION BY user, day, track_id) > 200",
    # More than 24 h of ms_played by one account on one day.
    "overfull_day": "SELECT stream_id FROM st QUALIFY sum(ms_played) OVER (PARTITION BY user, day) > 864e5",
    "machine_timing": """
        WITH gaps AS (
            SELECT stream_id, user, day, epoch_ms(played_at) - lag(epoch_ms(played_at)) OVER (
                PARTITION BY user, day ORDER BY played_at
            ) AS gap
            FROM st)
        SELECT stream_id FROM gaps
        WINDOW day_of AS (PARTITION BY user, day)
        QUALIFY count(*) OVER day_of >= 50 AND stddev_samp(gap) OVER day_of < 50""",
    "shared_device": """
        SELECT stream_id FROM st
        WHERE device IN (SELECT device FROM st GROUP BY device HAVING count(DISTINCT user) >= 20)""",
}


def columns(path: Path) -> list[tuple[str, str]]:
    return [(field.name, str(field.type)) for field in pq.read_schema(path)]


def load_generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("royalties_data", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def month(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("royalties")
    args = ["--streams", STREAMS, "--tracks", TRACKS, "--month", "2026-10", "--seed", 1, "--fraud", FRAUD]
    done = subprocess.run(
        [sys.executable, SCRIPT, *map(str, args), "--out", out], capture_output=True, text=True, check=True
    )
    return out, json.loads(done.stdout.splitlines()[-1])


@pytest.fixture(scope="module")
def db(month: tuple[Path, dict]) -> duckdb.DuckDBPyConnection:
    """`st`: every stream with its partition's date, its day by played_at and its injected kind."""
    out, _ = month
    connection = duckdb.connect()
    connection.execute(f"""
        CREATE VIEW truth AS SELECT * FROM read_parquet('{out}/fraud_truth.parquet');
        CREATE VIEW rights AS SELECT * FROM read_parquet('{out}/rights.parquet');
        CREATE TABLE st AS
            SELECT s.*, played_at::DATE AS day, coalesce(truth.kind, 'listener') AS kind
            FROM read_parquet('{out}/streams/*/streams.parquet', hive_partitioning = true) s
            LEFT JOIN truth USING (stream_id);
    """)
    return connection


def ids(db: duckdb.DuckDBPyConnection, query: str) -> set[str]:
    return {row[0] for row in db.execute(query).fetchall()}


def one(db: duckdb.DuckDBPyConnection, query: str) -> object:
    row = db.execute(query).fetchone()
    assert row is not None
    return row[0]


def test_the_summary_line_counts_what_was_written(month: tuple[Path, dict]) -> None:
    out, summary = month
    on_disk = sum(path.stat().st_size for path in out.rglob("*.parquet"))
    wanted = round(STREAMS * FRAUD)
    assert summary["streams"] == STREAMS
    assert summary["tracks"] == TRACKS
    assert summary["users"] == round(STREAMS / 300)
    assert summary["fraud"] == dict.fromkeys(KINDS, wanted)
    assert summary["bytes"] == on_disk


def test_each_day_of_the_month_is_one_partition_of_its_own_streams(
    month: tuple[Path, dict], db: duckdb.DuckDBPyConnection
) -> None:
    out, _ = month
    assert sorted(path.name for path in (out / "streams").iterdir()) == DAYS
    assert all((out / "streams" / day / "streams.parquet").is_file() for day in DAYS)
    assert one(db, "SELECT count(*) FROM st WHERE day <> date") == 0


def test_streams_have_the_contract_columns_in_order(month: tuple[Path, dict]) -> None:
    out, _ = month
    for day in DAYS:
        assert columns(out / "streams" / day / "streams.parquet") == STREAM_COLUMNS


def test_streams_are_counted_and_uniquely_identified(db: duckdb.DuckDBPyConnection) -> None:
    assert one(db, "SELECT count(DISTINCT stream_id) FROM st") == STREAMS
    assert one(db, "SELECT min(ms_played) FROM st") >= 30_000
    assert one(db, "SELECT count(*) FROM st WHERE NOT regexp_full_match(track_id, '[0-9A-Za-z]{22}')") == 0
    assert one(db, "SELECT count(*) FROM st WHERE NOT regexp_full_match(user || device, '[0-9a-f]{64}')") == 0
    assert ids(db, "SELECT DISTINCT product FROM st") == {"free", "premium"}


def test_rights_have_the_contract_columns_and_shares_of_exactly_10000_per_track(
    month: tuple[Path, dict], db: duckdb.DuckDBPyConnection
) -> None:
    out, _ = month
    assert columns(out / "rights.parquet") == RIGHTS_COLUMNS
    per_track = (
        "SELECT track_id, sum(share_bp) AS bp, count(*) AS n, count(DISTINCT party) AS parties FROM rights"
    )
    assert one(db, f"SELECT count(*) FROM ({per_track} GROUP BY track_id)") == TRACKS
    assert one(db, f"SELECT count(*) FROM ({per_track} GROUP BY track_id) WHERE bp <> 10000") == 0
    assert one(db, f"SELECT count(*) FROM ({per_track} GROUP BY track_id) WHERE n > 3 OR parties <> n") == 0
    assert one(db, "SELECT count(*) FROM st ANTI JOIN rights USING (track_id)") == 0
    assert ids(db, "SELECT DISTINCT role FROM rights") == {
        "artist",
        "producer",
        "publisher",
        "songwriter",
        "label",
    }


def test_fraud_truth_lists_each_kind_with_streams_that_exist(db: duckdb.DuckDBPyConnection) -> None:
    counts = dict(db.execute("SELECT kind, count(*) FROM truth GROUP BY kind").fetchall())
    assert counts == dict.fromkeys(KINDS, round(STREAMS * FRAUD))
    assert one(db, "SELECT count(*) FROM truth ANTI JOIN st USING (stream_id)") == 0


@pytest.mark.parametrize("kind", KINDS)
def test_a_fraud_definition_flags_exactly_the_streams_injected_as_its_kind(
    db: duckdb.DuckDBPyConnection, kind: str
) -> None:
    injected = ids(db, f"SELECT stream_id FROM truth WHERE kind = '{kind}'")
    assert ids(db, FLAGGED[kind]) == injected


def test_no_listener_account_meets_any_fraud_definition(db: duckdb.DuckDBPyConnection) -> None:
    flagged = " UNION ".join(
        f"SELECT user FROM st WHERE stream_id IN ({query})" for query in FLAGGED.values()
    )
    listeners = ids(db, "SELECT DISTINCT user FROM st WHERE kind = 'listener'")
    assert len(listeners) > 500
    assert not listeners & ids(db, flagged)


def test_each_fraud_account_plays_only_its_own_kind(db: duckdb.DuckDBPyConnection) -> None:
    assert one(db, "SELECT max(kinds) FROM (SELECT count(DISTINCT kind) AS kinds FROM st GROUP BY user)") == 1


def test_listeners_stay_well_inside_the_fraud_thresholds(db: duckdb.DuckDBPyConnection) -> None:
    listeners = "FROM st WHERE kind = 'listener'"
    same_track = f"SELECT count(*) AS n {listeners} GROUP BY user, day, track_id"
    assert one(db, f"SELECT max(n) FROM ({same_track})") < 50
    day_ms = f"SELECT sum(ms_played) AS ms {listeners} GROUP BY user, day"
    assert one(db, f"SELECT max(ms) FROM ({day_ms})") < 16 * 3_600_000
    device_users = f"SELECT count(DISTINCT user) AS n {listeners} GROUP BY device"
    assert one(db, f"SELECT max(n) FROM ({device_users})") <= 3


def test_a_listener_never_plays_two_streams_at_once(db: duckdb.DuckDBPyConnection) -> None:
    slack = """
        SELECT epoch_ms(played_at) - lag(epoch_ms(played_at) + ms_played) OVER (
            PARTITION BY user ORDER BY played_at
        ) AS slack
        FROM st WHERE kind IN ('listener', 'shared_device')"""
    assert one(db, f"SELECT min(slack) FROM ({slack})") >= 0


def test_the_same_arguments_write_the_same_month_and_track_ids_ignore_the_seed(tmp_path: Path) -> None:
    generator = load_generator()

    def rights(seed: int, name: str) -> list[dict]:
        generator.generate(tmp_path / name, streams=50_000, tracks=2_000, seed=seed, fraud=0.01)
        return pq.read_table(tmp_path / name / "rights.parquet").to_pylist()

    first, again, other = rights(7, "first"), rights(7, "again"), rights(8, "other")
    assert first == again
    assert other != first
    assert {row["track_id"] for row in other} == {row["track_id"] for row in first}
    day = Path("streams") / "date=2026-10-09" / "streams.parquet"
    assert (tmp_path / "first" / day).read_bytes() == (tmp_path / "again" / day).read_bytes()
