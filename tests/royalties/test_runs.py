"""A month's runs on disk: re-running gives the same result and writes nothing, late streams give
a correction beside the earlier run (never a silent rewrite), and a run that dies half-way leaves
the published statements as they were."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.royalties.month_data import holder, stream, write_rights, write_streams
from tonearm.errors import BadRequest
from tonearm.royalties import runs as runs_module
from tonearm.royalties.config import RoyaltyConfig, parse_config
from tonearm.royalties.runs import MonthRuns, RunResult, run_month
from tonearm.royalties.statements import read_json

MONTH = "2026-10"
DAY = datetime(2026, 10, 5, 12, 0, tzinfo=UTC)
CONFIG: RoyaltyConfig = parse_config(
    {
        "pool": [
            {
                "market": "SE",
                "product": "premium",
                "currency": "SEK",
                "revenue_minor": 20_000,
                "rightsholder_share": 0.5,
            }
        ]
    }
)
RIGHTS = holder("A", "Label One", ("Singer", "artist", 6000), ("Label One", "label", 4000)) + holder(
    "B", "Label Two"
)


def month(tmp_path: Path, extra: list[dict[str, Any]] | None = None) -> str:
    streams = [stream("u1", "A", DAY), stream("u1", "B", DAY + timedelta(minutes=4)), stream("u2", "A", DAY)]
    return write_streams(tmp_path / "warehouse", streams + (extra or []))


def rights_writer(path: Path) -> None:
    write_rights(path, RIGHTS)


def go(tmp_path: Path, glob: str, *, provisional: bool = False) -> RunResult:
    return run_month(
        MonthRuns(tmp_path / "royalties", MONTH), glob, rights_writer, CONFIG, provisional=provisional
    )


def digest(folder: Path) -> str:
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    return hashlib.sha256(
        b"".join(p.relative_to(folder).as_posix().encode() + p.read_bytes() for p in files)
    ).hexdigest()


def test_a_run_writes_each_rightsholders_statement_summing_to_the_pool(tmp_path: Path) -> None:
    result = go(tmp_path, month(tmp_path))
    (pool,) = [p for p in result.summary["pools"] if p["streams"]]
    assert pool["pool_minor"] == pool["paid_minor"] == 10_000 and pool["streams"] == 3
    one = read_json(result.folder / "statements" / "LabelOne" / "statement.json")
    assert one["rightsholder"] == {"id": "LabelOne", "name": "Label One"} and one["provisional"] is False
    assert one["totals"] == [{"currency": "SEK", "streams": 2, "amount_minor": 6667}]
    assert {(p["party"], p["amount_minor"]) for p in one["parties"]} == {
        ("Singer", 4000),
        ("Label One", 2667),
    }
    lines = (result.folder / "statements" / "LabelOne" / "lines.csv").read_text().splitlines()
    assert lines == ["track_id,market,product,currency,streams,amount_minor", "A,SE,premium,SEK,2,6667"]
    assert (result.folder / "statements" / "LabelTwo" / "lines.json").read_text().strip() == (
        '{"track_id":"B","market":"SE","product":"premium","currency":"SEK","streams":1,"amount_minor":3333}'
    )
    report = result.folder / "report"
    assert (report / "movers.png").read_bytes()[:4] == b"\x89PNG"
    assert (report / "distribution.png").read_bytes()[:4] == b"\x89PNG"
    assert (report / "comparison.csv").read_text().splitlines()[0].startswith("rightsholder_id,")


def test_running_a_month_again_is_identical_and_writes_nothing(tmp_path: Path) -> None:
    glob = month(tmp_path)
    first = go(tmp_path, glob)
    before = digest(tmp_path / "royalties")
    again = go(tmp_path, glob)
    assert again.identical_to == 1 and again.summary == first.summary
    assert digest(tmp_path / "royalties") == before
    assert [r["run"] for r in MonthRuns(tmp_path / "royalties", MONTH).history()] == [1]


def test_late_streams_make_a_new_run_with_a_correction_and_leave_the_first_as_it_was(tmp_path: Path) -> None:
    first = go(tmp_path, month(tmp_path))
    kept = digest(first.folder)
    late = [stream("u3", "B", DAY + timedelta(hours=3)), stream("u3", "B", DAY + timedelta(hours=4))]
    second = go(tmp_path, month(tmp_path, late))
    assert second.summary["run"] == 2 and digest(first.folder) == kept
    correction = (second.folder / "correction.csv").read_text().splitlines()
    assert correction[0] == (
        "rightsholder_id,track_id,market,product,currency,streams_before,streams_after,"
        "amount_before_minor,amount_after_minor,change_minor"
    )
    # 10,000 over 5 streams now: A 2 streams (6,667 -> 4,000), B 3 (3,333 -> 6,000).
    assert correction[1:] == [
        "LabelOne,A,SE,premium,SEK,2,2,6667,4000,-2667",
        "LabelTwo,B,SE,premium,SEK,1,3,3333,6000,2667",
    ]
    change = read_json(second.folder / "statements" / "LabelTwo" / "correction.json")
    assert change["corrects_run"] == 1 and change["changes"] == [{"currency": "SEK", "change_minor": 2667}]
    assert MonthRuns(tmp_path / "royalties", MONTH).history()[-1]["corrects"] == 1


def test_a_run_killed_half_way_leaves_the_published_statements_in_place(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = go(tmp_path, month(tmp_path))
    before = digest(tmp_path / "royalties")

    def dies(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt("killed while writing statements")

    monkeypatch.setattr(runs_module, "write_statements", dies)
    with pytest.raises(KeyboardInterrupt):
        go(tmp_path, month(tmp_path, [stream("u3", "B", DAY + timedelta(hours=3))]))
    assert digest(tmp_path / "royalties") == before
    assert not list((tmp_path / "royalties" / MONTH).glob(".scratch-*"))
    assert (
        MonthRuns(tmp_path / "royalties", MONTH).last()
        == MonthRuns(tmp_path / "royalties", MONTH).history()[0]
    )
    assert first.folder.exists()


def test_a_month_with_no_streams_is_refused_and_writes_no_statement(tmp_path: Path) -> None:
    glob = write_streams(tmp_path / "warehouse", [stream("u1", "A", datetime(2026, 9, 5, tzinfo=UTC))])
    with pytest.raises(BadRequest, match="no counted streams in 2026-10"):
        go(tmp_path, glob)
    assert MonthRuns(tmp_path / "royalties", MONTH).history() == []
    assert not list((tmp_path / "royalties" / MONTH).glob("run-*"))


def test_provisional_runs_say_so_and_are_not_corrected_against(tmp_path: Path) -> None:
    provisional = go(tmp_path, month(tmp_path), provisional=True)
    header = read_json(provisional.folder / "statements" / "LabelOne" / "statement.json")
    assert header["provisional"] is True and provisional.summary["provisional"] is True
    final = go(tmp_path, month(tmp_path, [stream("u3", "B", DAY + timedelta(hours=3))]))
    assert final.summary["run"] == 2 and final.summary["correction"] is None
    assert not (final.folder / "correction.csv").exists()


def test_a_malformed_month_is_refused_before_any_path_is_made(tmp_path: Path) -> None:
    for bad in ("2026-13", "../../etc", "october"):
        with pytest.raises(BadRequest, match="month must look like"):
            MonthRuns(tmp_path, bad)
