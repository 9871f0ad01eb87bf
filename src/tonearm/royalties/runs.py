"""A month's runs on disk, and one run from inputs to published files.

    <root>/<month>/runs.json      every published run: number, when, provisional, what it corrects
    <root>/<month>/run-0001/      one run's statements, report and tables (see `statements`)

A run is computed and written into a hidden scratch folder and renamed into place only when
complete, then added to runs.json (itself replaced atomically): a run killed half-way leaves the
published runs as they were. A final re-run that changes nothing publishes nothing and says which
run it matches; one that changes something (late offline events) is published as a new run with
a correction against the last final run, line by line, and the earlier run stays as it was.
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from tonearm.errors import BadRequest
from tonearm.kit.time import iso_ms, utcnow
from tonearm.royalties.config import RoyaltyConfig
from tonearm.royalties.engine import Outcome, Progress, month_bounds, run_duckdb
from tonearm.royalties.report import compare, write_report
from tonearm.royalties.statements import PAID_MODEL, RunInfo, read_json, write_json, write_statements

__all__ = ["Engine", "MonthRuns", "RunResult", "run_month"]

# (streams glob, rights Parquet, configuration, month, spill folder, progress) -> the outcome
Engine = Callable[[str, Path, RoyaltyConfig, str, Path, Progress], Outcome]


def duckdb_engine(
    streams: str, rights: Path, config: RoyaltyConfig, month: str, spill: Path, progress: Progress
) -> Outcome:
    return run_duckdb(streams, rights, config, month, spill=spill, progress=progress)


@dataclass(frozen=True)
class RunResult:
    summary: dict[str, Any]
    folder: Path
    # The published run this one matched exactly (nothing new was written), if any.
    identical_to: int | None = None


class MonthRuns:
    def __init__(self, root: Path, month: str) -> None:
        month_bounds(month)  # refuses a malformed month before any path is made of it
        self.month = month
        self.folder = root / month

    @property
    def index(self) -> Path:
        return self.folder / "runs.json"

    def history(self) -> list[dict[str, Any]]:
        return list(read_json(self.index)["runs"]) if self.index.exists() else []

    def last(self, *, provisional: bool | None = None) -> dict[str, Any] | None:
        runs = [r for r in self.history() if provisional is None or r["provisional"] == provisional]
        return runs[-1] if runs else None

    def run_folder(self, number: int) -> Path:
        return self.folder / f"run-{number:04d}"

    def scratch(self) -> Path:
        """A fresh hidden folder to write a run into; what a killed run left behind goes first."""
        self.folder.mkdir(parents=True, exist_ok=True)
        for left in self.folder.glob(".scratch-*"):
            shutil.rmtree(left, ignore_errors=True)
        scratch = self.folder / f".scratch-{uuid.uuid4().hex[:12]}"
        scratch.mkdir()
        return scratch

    def publish(self, scratch: Path, entry: dict[str, Any]) -> Path:
        target = self.run_folder(entry["run"])
        if target.exists():
            raise BadRequest(f"run {entry['run']} of {self.month} already exists")
        scratch.rename(target)
        write_json(self.index, {"month": self.month, "runs": [*self.history(), entry]})
        return target


def run_month(
    runs: MonthRuns,
    streams: str,
    write_rights: Callable[[Path], None],
    config: RoyaltyConfig,
    *,
    provisional: bool,
    engine: Engine = duckdb_engine,
    engine_name: str = "duckdb",
    progress: Progress | None = None,
) -> RunResult:
    """Compute the month into a scratch folder, compare it with the last run of its kind, and
    publish it unless it is the same."""
    say = progress or (lambda stage, fraction: None)
    scratch = runs.scratch()
    try:
        rights = scratch / "rights.parquet"
        write_rights(rights)
        outcome = engine(streams, rights, config, runs.month, scratch / "spill", say)
        shutil.rmtree(scratch / "spill", ignore_errors=True)
        pools = outcome["pool_summary"].to_pylist()
        counted = sum(p["streams"] + p["filtered_streams"] for p in pools)
        unpooled = sum(row["streams"] for row in outcome["unpooled"].to_pylist())
        if counted == 0:
            raise BadRequest(
                f"no counted streams in {runs.month} in any configured pool"
                + (f" ({unpooled} in markets or products without a pool)" if unpooled else "")
                + "; no statement was written"
            )
        previous = runs.last(provisional=provisional)
        number = (runs.last() or {"run": 0})["run"] + 1
        if previous is not None and _same(runs.run_folder(previous["run"]), outcome):
            shutil.rmtree(scratch, ignore_errors=True)
            say("identical", 1.0)
            summary = read_json(runs.run_folder(previous["run"]) / "summary.json")
            return RunResult(summary, runs.run_folder(previous["run"]), previous["run"])
        info = RunInfo(runs.month, number, provisional, iso_ms(utcnow()), engine_name)
        say("statements", 0.9)
        write_statements(scratch, outcome, info)
        report = write_report(scratch / "report", compare(outcome), runs.month)
        correction = None
        if previous is not None and not provisional:
            correction = _write_correction(scratch, runs.run_folder(previous["run"]), previous["run"])
        summary = _summary(info, outcome, unpooled, report, correction, runs.run_folder(number))
        write_json(scratch / "summary.json", summary)
        entry = {
            "run": number,
            "computed_at": info.computed_at,
            "provisional": provisional,
            "engine": engine_name,
            "corrects": correction["corrects_run"] if correction else None,
        }
        folder = runs.publish(scratch, entry)
        say("done", 1.0)
        return RunResult(summary, folder)
    except BaseException:
        shutil.rmtree(scratch, ignore_errors=True)
        raise


def _same(published: Path, outcome: Outcome) -> bool:
    """Whether the outcome's lines and splits are exactly the published run's."""
    connection = duckdb.connect(":memory:")
    try:
        for name in ("lines", "party_lines"):
            connection.register(f"new_{name}", outcome[name])
            connection.execute(
                f"CREATE VIEW old_{name} AS SELECT * FROM read_parquet('{published / f'{name}.parquet'}')"
            )
            ((differing,),) = connection.execute(
                f"SELECT count(*) FROM ((SELECT * FROM new_{name} EXCEPT ALL SELECT * FROM old_{name}) "
                f"UNION ALL (SELECT * FROM old_{name} EXCEPT ALL SELECT * FROM new_{name}))"
            ).fetchall()
            if differing:
                return False
        return True
    finally:
        connection.close()


def _write_correction(scratch: Path, published: Path, against: int) -> dict[str, Any]:
    """The paid lines that changed since the last final run, and each rightsholder's change."""
    connection = duckdb.connect(":memory:")
    keys = "rightsholder_id, track_id, market, product, currency"
    try:
        connection.execute(
            f"""
            CREATE TABLE changes AS
            SELECT {", ".join(f"coalesce(n.{k}, o.{k}) AS {k}" for k in keys.split(", "))},
                   coalesce(o.streams, 0) AS streams_before, coalesce(n.streams, 0) AS streams_after,
                   coalesce(o.amount_minor, 0) AS amount_before_minor,
                   coalesce(n.amount_minor, 0) AS amount_after_minor,
                   coalesce(n.amount_minor, 0) - coalesce(o.amount_minor, 0) AS change_minor
            FROM (SELECT * FROM read_parquet('{scratch / "lines.parquet"}') WHERE model = '{PAID_MODEL}') n
            FULL OUTER JOIN
                 (SELECT * FROM read_parquet('{published / "lines.parquet"}') WHERE model = '{PAID_MODEL}') o
              USING ({keys})
            WHERE coalesce(n.amount_minor, 0) <> coalesce(o.amount_minor, 0)
               OR coalesce(n.streams, 0) <> coalesce(o.streams, 0)
            """
        )
        path = scratch / "correction.csv"
        connection.execute(f"COPY (SELECT * FROM changes ORDER BY {keys}) TO '{path}' (FORMAT CSV, HEADER)")
        totals = connection.execute(
            """SELECT rightsholder_id, currency, CAST(sum(change_minor) AS BIGINT) FROM changes
               GROUP BY rightsholder_id, currency ORDER BY rightsholder_id, currency"""
        ).fetchall()
        ((lines,),) = connection.execute("SELECT count(*) FROM changes").fetchall()
    finally:
        connection.close()
    by_holder: dict[str, list[dict[str, Any]]] = {}
    for holder, currency, change in totals:
        by_holder.setdefault(holder, []).append({"currency": currency, "change_minor": change})
    for holder, changes in by_holder.items():
        write_json(
            scratch / "statements" / holder / "correction.json",
            {"corrects_run": against, "changes": changes, "lines": "../../correction.csv"},
        )
    return {"corrects_run": against, "lines": lines, "rightsholders": len(by_holder), "path": str(path)}


def _summary(
    info: RunInfo,
    outcome: Outcome,
    unpooled: int,
    report: dict[str, str],
    correction: dict[str, Any] | None,
    folder: Path,
) -> dict[str, Any]:
    fraud = []
    for row in outcome["fraud"].to_pylist():
        pool, streams = row["pool_minor"], row["pool_streams"]
        fraud.append(
            {
                "market": row["market"],
                "product": row["product"],
                "reason": row["reason"],
                "streams": row["streams"],
                "accounts": row["accounts"],
                # What those streams would have taken from the pool had they been counted.
                "would_have_moved_minor": pool * row["streams"] // streams if pool and streams else 0,
            }
        )
    pools = outcome["pool_summary"].to_pylist()
    relocated = {
        key: str(folder / Path(path).relative_to(Path(path).parents[1])) for key, path in report.items()
    }
    if correction is not None:
        correction = correction | {"path": str(folder / "correction.csv")}
    return {
        "month": info.month,
        "run": info.run,
        "provisional": info.provisional,
        "computed_at": info.computed_at,
        "engine": info.engine,
        "pools": pools,
        "filtered_streams": sum(p["filtered_streams"] for p in pools),
        "unpooled_streams": unpooled,
        "fraud": fraud,
        "correction": correction,
        "paths": {"run": str(folder), "statements": str(folder / "statements"), **relocated},
    }
