"""The royalty run on Spark gives DuckDB's outcome row for row: a small month over two markets
(rightsholders with one to three parties, tracks nobody holds, a market without a pool) with one
account or device of each fraud kind, run on both engines in one local[2] session."""

from __future__ import annotations

import random
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from tonearm.errors import BadRequest
from tonearm.royalties.config import RoyaltyConfig, load_config
from tonearm.royalties.engine import ORDER, Outcome, run_duckdb

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("java") is None, reason="Spark needs a Java runtime (java not on PATH)"),
]
pytest.importorskip("pyspark", reason="pyspark is the `spark` extra")

from tonearm.royalties.spark_engine import run_spark, session  # noqa: E402
from tonearm.royalties.spark_job import main as spark_job  # noqa: E402
from tonearm.royalties.spark_job import run as run_job  # noqa: E402

MONTH = "2026-10"
POOLED = (("SE", "premium"), ("SE", "free"), ("NO", "premium"), ("NO", "free"))
TRACKS = [f"track-{n:03d}" for n in range(60)]
HELD = TRACKS[:48]  # the last 12 have no rightsholder on record
STREAMS = pa.schema(
    [
        ("stream_id", pa.string()),
        ("user", pa.string()),
        ("track_id", pa.string()),
        ("market", pa.string()),
        ("product", pa.string()),
        ("played_at", pa.timestamp("ms", tz="UTC")),
        ("ms_played", pa.int32()),
        ("device", pa.string()),
        ("device_type", pa.string()),
        ("offline", pa.bool_()),
    ]
)
RIGHTS = pa.schema(
    [
        ("track_id", pa.string()),
        ("rightsholder_id", pa.string()),
        ("rightsholder_name", pa.string()),
        ("party", pa.string()),
        ("role", pa.string()),
        ("share_bp", pa.int32()),
        ("artist_ids", pa.list_(pa.string())),
    ]
)


@dataclass(frozen=True)
class Month:
    streams_glob: str
    rights: Path
    # Streams injected per fraud reason, and the accounts that made them.
    fraud: dict[str, tuple[int, int]]


class Streams:
    """Rows of the streams table, ids in the order they are made."""

    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []

    def add(
        self,
        user: str,
        track: str,
        at: datetime,
        ms: int,
        *,
        market: str = "SE",
        product: str = "premium",
        device: str | None = None,
    ) -> None:
        self.rows.append(
            {
                "stream_id": f"s{len(self.rows):06d}",
                "user": user,
                "track_id": track,
                "market": market,
                "product": product,
                "played_at": at,
                "ms_played": ms,
                "device": f"phone-{user}" if device is None else device,
                "device_type": "smartphone",
                "offline": False,
            }
        )

    def write(self, root: Path) -> str:
        by_day: dict[date, list[dict[str, Any]]] = {}
        for row in self.rows:
            by_day.setdefault(row["played_at"].date(), []).append(row)
        for day, rows in by_day.items():
            folder = root / "streams" / f"date={day.isoformat()}"
            folder.mkdir(parents=True)
            rows.sort(key=lambda row: (row["played_at"], row["stream_id"]))
            pq.write_table(pa.Table.from_pylist(rows, schema=STREAMS), folder / "streams.parquet")
        return str(root / "streams" / "*" / "*.parquet")


def at(day: int, seconds: float) -> datetime:
    return datetime(2026, 10, day, tzinfo=UTC) + timedelta(seconds=seconds)


def listeners(streams: Streams, rng: random.Random) -> None:
    """160 people: under 50 streams a day, 30 s to 5 min each, on a device of their own (or
    none), a few in Iceland, which has no pool; and a few plays either side of the month."""
    for n in range(160):
        user = f"listener-{n:03d}"
        market, product = ("IS", "premium") if n % 40 == 0 else POOLED[n % 4]
        device = "" if n % 7 == 0 else None
        for day in rng.sample(range(1, 32), 4):
            for _ in range(rng.randint(1, 6)):
                seconds = rng.uniform(0, 86_000)
                streams.add(
                    user,
                    rng.choice(TRACKS),
                    at(day, seconds),
                    rng.randint(30_000, 300_000),
                    market=market,
                    product=product,
                    device=device,
                )
    streams.add("listener-001", TRACKS[0], at(1, 0) - timedelta(milliseconds=1), 60_000)
    streams.add("listener-001", TRACKS[0], datetime(2026, 11, 1, tzinfo=UTC), 60_000)


def fraud(streams: Streams, rng: random.Random) -> dict[str, tuple[int, int]]:
    """One of each kind (streams, accounts), each tripping its own rule and no other."""
    for n in range(120):  # one track looped all afternoon
        streams.add(
            "looper", TRACKS[3], at(5, 43_200 + 40 * n + rng.uniform(0, 9)), rng.randint(30_000, 35_000)
        )
    for n in range(400):  # four-minute plays overlapping: 26 h of listening in a day
        streams.add("stacker", TRACKS[n % 60], at(6, 200 * n + rng.uniform(0, 30)), 240_000)
    for n in range(60):  # a stream every 31 s on the second, varied tracks
        streams.add("metronome", TRACKS[(7 * n) % 60], at(7, 3_600 + 31 * n), 31_000, market="NO")
    for n in range(12):  # one device, twelve accounts, a few plays each
        for k in range(3):
            streams.add(
                f"guest-{n:02d}",
                TRACKS[n + k],
                at(8 + k, 1_000 * n),
                90_000,
                market="NO",
                product="free",
                device="kiosk",
            )
    return {"loop": (120, 1), "overfull_day": (400, 1), "machine_timing": (60, 1), "shared_device": (36, 12)}


def rights() -> pa.Table:
    """Six rightsholders; a held track has one to three parties, sometimes of two holders."""
    rows = []
    holders = [(f"rh-{n}", f"Holder {n}") for n in range(6)]
    for n, track in enumerate(HELD):
        shares = ((10_000,), (6_000, 4_000), (5_000, 3_333, 1_667))[n % 3]
        for k, share in enumerate(shares):
            holder_id, name = holders[(n + k * (n % 2)) % 6]
            role = ("label", "artist", "producer")[k]
            rows.append(
                {
                    "track_id": track,
                    "rightsholder_id": holder_id,
                    "rightsholder_name": name,
                    "party": f"{name} party {k}",
                    "role": role,
                    "share_bp": share,
                    "artist_ids": [f"artist-{n}"],
                }
            )
    return pa.Table.from_pylist(rows, schema=RIGHTS)


@pytest.fixture(scope="module")
def month(tmp_path_factory: pytest.TempPathFactory) -> Month:
    root = tmp_path_factory.mktemp("month")
    rng = random.Random(7)
    streams = Streams()
    listeners(streams, rng)
    injected = fraud(streams, rng)
    pq.write_table(rights(), root / "rights.parquet")
    return Month(streams.write(root), root / "rights.parquet", injected)


@pytest.fixture(scope="module")
def config() -> RoyaltyConfig:
    return load_config()


@pytest.fixture(scope="module")
def spark() -> Iterator[object]:
    started = session()
    yield started
    started.stop()


@pytest.fixture(scope="module")
def on_duckdb(month: Month, config: RoyaltyConfig) -> Outcome:
    return run_duckdb(month.streams_glob, month.rights, config, MONTH)


@pytest.fixture(scope="module")
def job_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("job")


@pytest.fixture(scope="module")
def on_spark(spark: object, month: Month, job_out: Path) -> Outcome:
    """run_spark's outcome, as the spark-submit job runs it (once: a cold Spark run is most of
    this module's time) and writes it to `job_out`."""
    streams = str(Path(month.streams_glob).parents[1])
    argv = ["--streams", streams, "--rights", str(month.rights), "--month", MONTH, "--out", str(job_out)]
    return run_job(argv)


def test_spark_gives_every_output_table_of_duckdb_row_for_row(on_duckdb: Outcome, on_spark: Outcome) -> None:
    assert set(on_spark.tables) == set(on_duckdb.tables) == set(ORDER)
    for name, expected in on_duckdb.tables.items():
        got = on_spark[name]
        assert got.schema == expected.schema, name
        assert got.to_pylist() == expected.to_pylist(), name
        assert got.num_rows > 0, name


@pytest.mark.parametrize("engine", ["duckdb", "spark"])
def test_each_pool_is_paid_exactly_under_both_models(
    engine: str, on_duckdb: Outcome, on_spark: Outcome, config: RoyaltyConfig
) -> None:
    outcome = on_duckdb if engine == "duckdb" else on_spark
    for table in (outcome["lines"], outcome["party_lines"]):
        for model in ("pro_rata", "user_centric"):
            paid = _paid(table.filter(pc.equal(table["model"], model)))
            assert paid == {
                (p.market, p.product): p.pool_minor for p in config.pools if (p.market, p.product) in POOLED
            }, model
    for row in outcome["pool_summary"].to_pylist():
        if (row["market"], row["product"]) in POOLED:
            assert row["paid_minor"] == row["user_centric_paid_minor"] == row["pool_minor"]


def _paid(lines: pa.Table) -> dict[tuple[str, str], int]:
    paid: dict[tuple[str, str], int] = {}
    for row in lines.select(["market", "product", "amount_minor"]).to_pylist():
        key = (row["market"], row["product"])
        paid[key] = paid.get(key, 0) + row["amount_minor"]
    return paid


@pytest.mark.parametrize("engine", ["duckdb", "spark"])
def test_each_fraud_kind_is_filtered_with_its_reason(
    engine: str, month: Month, on_duckdb: Outcome, on_spark: Outcome
) -> None:
    outcome = on_duckdb if engine == "duckdb" else on_spark
    found: dict[str, tuple[int, int]] = {}
    for row in outcome["fraud"].to_pylist():
        streams, accounts = found.get(row["reason"], (0, 0))
        found[row["reason"]] = (streams + row["streams"], accounts + row["accounts"])
    assert found == month.fraud


def test_the_market_without_a_pool_is_reported_unpooled(on_spark: Outcome) -> None:
    assert {row["market"] for row in on_spark["unpooled"].to_pylist()} == {"IS"}


def test_the_job_writes_each_table_as_parquet(on_spark: Outcome, job_out: Path) -> None:
    assert sorted(path.stem for path in job_out.iterdir()) == sorted(ORDER)
    for name, table in on_spark.tables.items():
        assert pq.read_table(job_out / f"{name}.parquet").equals(table), name


def test_the_job_says_what_is_wrong_with_its_month(
    month: Month, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["--streams", "s", "--rights", str(month.rights), "--month", "October", "--out", str(tmp_path)]
    assert spark_job(argv) == 2
    assert "month must look like 2026-10" in capsys.readouterr().err


def test_missing_streams_are_a_bad_request(spark: object, tmp_path: Path, config: RoyaltyConfig) -> None:
    with pytest.raises(BadRequest, match="could not be read"):
        run_spark(str(tmp_path / "streams" / "*" / "*.parquet"), tmp_path / "rights.parquet", config, MONTH)
