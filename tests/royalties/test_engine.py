"""The royalty engine on small months whose right answers can be worked out by hand: pools split
to the cent by largest remainder, parties' splits, user-centric beside pro-rata, and the fraud
filter finding each kind of abuse while leaving listeners alone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.royalties.month_data import holder, stream, write_rights, write_streams
from tonearm.royalties.config import RoyaltyConfig, parse_config
from tonearm.royalties.engine import Outcome, run_duckdb

MONTH = "2026-10"
DAY = datetime(2026, 10, 5, 12, 0, tzinfo=UTC)


def config(pool_minor: int = 100, **fraud: int) -> RoyaltyConfig:
    entry = {
        "market": "SE",
        "product": "premium",
        "currency": "SEK",
        "revenue_minor": pool_minor * 2,
        "rightsholder_share": 0.5,
    }
    return parse_config({"pool": [entry], "fraud": fraud})


def run(
    tmp_path: Path, streams: list[dict[str, Any]], rights: list[dict[str, Any]], cfg: RoyaltyConfig
) -> Outcome:
    glob = write_streams(tmp_path, streams)
    return run_duckdb(glob, write_rights(tmp_path / "rights.parquet", rights), cfg, MONTH)


def amounts(outcome: Outcome, model: str = "pro_rata") -> dict[str, int]:
    return {
        row["track_id"]: row["amount_minor"] for row in outcome["lines"].to_pylist() if row["model"] == model
    }


def test_a_pool_splits_by_streams_and_the_odd_cent_goes_to_the_largest_remainder(tmp_path: Path) -> None:
    streams = [stream("u1", track, DAY + timedelta(minutes=n)) for n, track in enumerate(["A", "B", "C"])]
    rights = [row for track in "ABC" for row in holder(track, "Label")]
    outcome = run(tmp_path, streams, rights, config(100))
    # 100 over three equal tracks: 33 each and the one left over to the first by id.
    assert amounts(outcome) == {"A": 34, "B": 33, "C": 33}
    (pool,) = [p for p in outcome["pool_summary"].to_pylist() if p["streams"]]
    assert pool["pool_minor"] == pool["paid_minor"] == pool["user_centric_paid_minor"] == 100


def test_every_pool_is_paid_exactly_however_awkward_the_counts(tmp_path: Path) -> None:
    streams = [stream(f"u{n % 7}", f"T{n % 13}", DAY + timedelta(minutes=n)) for n in range(301) if n % 5]
    rights = [row for n in range(13) for row in holder(f"T{n}", f"Label {n % 3}")]
    outcome = run(tmp_path, streams, rights, config(1_000_003))
    assert sum(amounts(outcome).values()) == 1_000_003
    assert sum(amounts(outcome, "user_centric").values()) == 1_000_003
    lines = outcome["lines"].to_pylist()
    parties = outcome["party_lines"].to_pylist()
    for line in lines:
        split = [
            p["amount_minor"]
            for p in parties
            if (p["model"], p["track_id"], p["market"]) == (line["model"], line["track_id"], line["market"])
        ]
        assert sum(split) == line["amount_minor"]


def test_a_lines_share_is_split_among_its_parties_by_their_basis_points(tmp_path: Path) -> None:
    streams = [stream("u1", "A", DAY)]
    rights = holder(
        "A", "Label", ("Singer", "artist", 3333), ("Writer", "songwriter", 3333), ("Label", "label", 3334)
    )
    outcome = run(tmp_path, streams, rights, config(100))
    split = {
        (p["party"], p["role"]): p["amount_minor"]
        for p in outcome["party_lines"].to_pylist()
        if p["model"] == "pro_rata"
    }
    # 33.33 + 33.33 + 33.34: the one minor unit left goes to the largest remainder (the label's).
    assert split == {("Singer", "artist"): 33, ("Writer", "songwriter"): 33, ("Label", "label"): 34}


def test_a_track_nobody_holds_is_kept_apart_as_unclaimed_and_still_sums_to_the_pool(tmp_path: Path) -> None:
    streams = [stream("u1", "A", DAY), stream("u1", "Orphan", DAY + timedelta(minutes=4))]
    outcome = run(tmp_path, streams, holder("A", "Label"), config(100))
    holders = {row["track_id"]: row["rightsholder_id"] for row in outcome["lines"].to_pylist()}
    assert holders == {"A": "Label", "Orphan": "unclaimed"}
    assert sum(amounts(outcome).values()) == 100


def test_user_centric_pays_each_listeners_money_to_what_they_played(tmp_path: Path) -> None:
    # One listener plays a niche track once; another plays a hit nine times.
    streams = [stream("niche-fan", "Niche", DAY)] + [
        stream("hit-fan", "Hit", DAY + timedelta(minutes=4 * n)) for n in range(9)
    ]
    rights = holder("Niche", "Small Label") + holder("Hit", "Big Label")
    outcome = run(tmp_path, streams, rights, config(1000))
    assert amounts(outcome) == {"Hit": 900, "Niche": 100}
    assert amounts(outcome, "user_centric") == {"Hit": 500, "Niche": 500}


def test_streams_outside_the_month_and_markets_without_a_pool_earn_nothing(tmp_path: Path) -> None:
    streams = [
        stream("u1", "A", DAY),
        stream("u1", "B", datetime(2026, 9, 30, 23, 59, tzinfo=UTC)),
        stream("u1", "C", datetime(2026, 11, 1, 0, 0, tzinfo=UTC)),
        stream("u2", "D", DAY, market="JP"),
    ]
    rights = [row for track in "ABCD" for row in holder(track, "Label")]
    outcome = run(tmp_path, streams, rights, config(100))
    assert amounts(outcome) == {"A": 100}
    assert outcome["unpooled"].to_pylist() == [{"market": "JP", "product": "premium", "streams": 1}]


def listeners(count: int, start: datetime) -> list[dict[str, Any]]:
    """Ordinary listening: a few tracks each, irregular gaps, one device each."""
    rows = []
    for user in range(count):
        at = start + timedelta(minutes=user)
        for n in range(8):
            at += timedelta(seconds=180 + 37 * ((user * 7 + n * 13) % 11))
            rows.append(stream(f"listener{user}", f"T{(user + n) % 6}", at, ms=150_000 + 1000 * n))
    return rows


def test_the_fraud_filter_finds_each_kind_and_leaves_listeners_alone(tmp_path: Path) -> None:
    normal = listeners(10, DAY)
    loop = [stream("looper", "T1", DAY + timedelta(minutes=3 * n, seconds=n % 7)) for n in range(150)]
    overfull = [
        stream("overfull", f"T{n % 6}", DAY + timedelta(minutes=n), ms=4 * 3_600_000) for n in range(7)
    ]
    machine = [stream("bot", f"T{n % 6}", DAY + timedelta(seconds=31 * n), ms=31_000) for n in range(60)]
    farm = [stream(f"farm{n}", "T2", DAY + timedelta(minutes=n), device="one-phone") for n in range(12)]
    rights = [row for n in range(6) for row in holder(f"T{n}", "Label")]
    outcome = run(tmp_path, normal + loop + overfull + machine + farm, rights, config(10_000))
    found = {(row["reason"], row["streams"], row["accounts"]) for row in outcome["fraud"].to_pylist()}
    assert found == {
        ("loop", 150, 1),
        ("overfull_day", 7, 1),
        ("machine_timing", 60, 1),
        ("shared_device", 12, 12),
    }
    (pool,) = [p for p in outcome["pool_summary"].to_pylist() if p["streams"]]
    assert pool["streams"] == len(normal) and pool["filtered_streams"] == 150 + 7 + 60 + 12
    assert pool["paid_minor"] == 10_000


def test_thresholds_come_from_the_configuration(tmp_path: Path) -> None:
    loop = [stream("fan", "T1", DAY + timedelta(minutes=3 * n, seconds=n % 7)) for n in range(20)]
    rights = holder("T1", "Label")
    assert run(tmp_path / "a", loop, rights, config(100)).tables["fraud"].num_rows == 0
    strict = run(tmp_path / "b", loop, rights, config(100, loop_streams_per_day=10))
    assert [row["reason"] for row in strict["fraud"].to_pylist()] == ["loop"]


@pytest.mark.parametrize("jitter_ms", [0, 40])
def test_regular_timing_is_caught_even_with_a_little_jitter(tmp_path: Path, jitter_ms: int) -> None:
    machine = [
        stream("bot", f"T{n % 6}", DAY + timedelta(milliseconds=31_000 * n + jitter_ms * (n % 2)), ms=31_000)
        for n in range(60)
    ]
    rights = [row for n in range(6) for row in holder(f"T{n}", "Label")]
    reasons = [row["reason"] for row in run(tmp_path, machine, rights, config(100))["fraud"].to_pylist()]
    assert reasons == ["machine_timing"]
