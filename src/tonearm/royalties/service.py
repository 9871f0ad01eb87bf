"""The royalty run on the platform, and reading its statements back.

A run brings the warehouse up to date for the month (re-exporting its days picks up late offline
plays), snapshots the catalog's rights into the run, and computes and publishes the month
(`runs.run_month`). Statements are read by admins whole, and by an artist account only for the
rightsholders of its artists, and only the lines of its artists' tracks.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
from sqlalchemy.orm import Session, sessionmaker

from tonearm import warehouse
from tonearm.accounts import account
from tonearm.catalog import catalog
from tonearm.config import Settings
from tonearm.errors import BadRequest, NotFound
from tonearm.kit.db import unit_of_work
from tonearm.kit.time import utcnow
from tonearm.royalties.config import load_config
from tonearm.royalties.engine import Progress, month_bounds
from tonearm.royalties.runs import Engine, MonthRuns, RunResult, duckdb_engine, run_month
from tonearm.royalties.statements import LINE_COLUMNS, PAID_MODEL, read_json

__all__ = ["ENGINES", "RIGHTS_SCHEMA", "PublishedRuns", "RoyaltiesService", "royalties_root"]

ENGINES = ("duckdb", "spark")
_RIGHTS_FIELDS: list[pa.Field[Any]] = [
    pa.field("track_id", pa.string()),
    pa.field("rightsholder_id", pa.string()),
    pa.field("rightsholder_name", pa.string()),
    pa.field("party", pa.string()),
    pa.field("role", pa.string()),
    pa.field("share_bp", pa.int32()),
    pa.field("artist_ids", pa.list_(pa.string())),
]
RIGHTS_SCHEMA = pa.schema(_RIGHTS_FIELDS)
RIGHTS_BATCH = 50_000


def royalties_root(settings: Settings) -> Path:
    return settings.data_dir / "royalties"


def _spark_engine() -> Engine:
    from tonearm.royalties.spark_engine import run_spark

    def engine(streams: str, rights: Path, config: Any, month: str, spill: Path, progress: Progress) -> Any:
        return run_spark(streams, rights, config, month, progress=progress)

    return engine


@dataclass(frozen=True)
class RoyaltiesService:
    settings: Settings
    session_factory: sessionmaker[Session]

    @property
    def root(self) -> Path:
        return royalties_root(self.settings)

    # ---- running ----
    def run(
        self,
        month: str,
        *,
        config: Path | None = None,
        provisional: bool = False,
        engine: str = "duckdb",
        now: datetime | None = None,
        progress: Progress | None = None,
    ) -> RunResult:
        start, end = month_bounds(month)
        now = now or utcnow()
        opens, closes = (datetime.combine(day, time(), UTC) for day in (start, end))
        if now < opens:
            raise BadRequest(f"{month} has not begun")
        if now < closes and not provisional:
            raise BadRequest(f"{month} is still open (it ends {end.isoformat()}); run it with --provisional")
        if now >= closes and provisional:
            raise BadRequest(f"{month} is closed; run it without --provisional")
        if engine not in ENGINES:
            raise BadRequest(f"engine must be one of {', '.join(ENGINES)}")
        royalty_config = load_config(config)  # a bad file stops the run before anything is read
        say = progress or (lambda stage, fraction: None)
        self.export_month(start, end, now, say)
        return run_month(
            MonthRuns(self.root, month),
            warehouse.streams_glob(warehouse.warehouse_root(self.settings)),
            self.write_rights,
            royalty_config,
            provisional=provisional,
            engine=_spark_engine() if engine == "spark" else duckdb_engine,
            engine_name=engine,
            progress=say,
        )

    def export_month(self, start: date, end: date, now: datetime, say: Progress) -> None:
        """Re-export the month's days still in the listening history (late offline plays join
        them); older days are paid from their files as last exported."""
        last_day = min(end - timedelta(days=1), now.date())
        for n in range((last_day - start).days + 1):
            day = start + timedelta(days=n)
            try:
                done = warehouse.export_day(self.session_factory, self.settings, day, now=now)
            except warehouse.DayNotExportable:
                continue
            say(f"exported {day}: {done.rows} streams", 0.0)

    def write_rights(self, path: Path) -> None:
        """The catalog's rights as the run sees them, kept with the run so it can be explained."""
        with unit_of_work(self.session_factory) as session:
            writer = pq.ParquetWriter(path, RIGHTS_SCHEMA)
            try:
                for batch in _batches(catalog.rights_rows(session)):
                    writer.write_table(batch)
            finally:
                writer.close()

    @property
    def published(self) -> PublishedRuns:
        return PublishedRuns(self.root)


@dataclass(frozen=True)
class PublishedRuns:
    """Reading the published runs back: no database needed, except to know an artist's own."""

    root: Path

    def months(self) -> list[dict[str, Any]]:
        if not self.root.exists():
            return []
        found = []
        for folder in sorted(self.root.iterdir(), reverse=True):
            runs = MonthRuns(self.root, folder.name) if _is_month(folder.name) else None
            last = runs.last() if runs else None
            if runs and last:
                found.append({"month": folder.name, "runs": runs.history(), "latest": last["run"]})
        return found

    def summary(self, month: str, run: int | None = None) -> dict[str, Any]:
        summary: dict[str, Any] = read_json(self._run_folder(month, run) / "summary.json")
        return summary

    def statement(self, month: str, rightsholder_id: str, *, run: int | None = None) -> dict[str, Any]:
        folder = self._run_folder(month, run) / "statements" / _safe(rightsholder_id)
        if not (folder / "statement.json").exists():
            raise NotFound(f"no statement for rightsholder {rightsholder_id} in {month}")
        header: dict[str, Any] = read_json(folder / "statement.json")
        lines = [_typed(row) for row in _csv_rows(folder / "lines.csv")]
        correction = folder / "correction.json"
        return header | {
            "lines": lines,
            "correction": read_json(correction) if correction.exists() else None,
        }

    def statement_csv(self, month: str, rightsholder_id: str, *, run: int | None = None) -> str:
        folder = self._run_folder(month, run) / "statements" / _safe(rightsholder_id)
        if not (folder / "lines.csv").exists():
            raise NotFound(f"no statement for rightsholder {rightsholder_id} in {month}")
        return (folder / "lines.csv").read_text(encoding="utf-8")

    # ---- an artist's own ----
    def artist_statements(self, session: Session, user_id: str) -> list[dict[str, Any]]:
        """For each month's latest run, each rightsholder of the caller's artists with the
        totals of the caller's artists' tracks only."""
        artists = account.artist_ids(session, user_id)
        holders = catalog.rightsholders_of_artists(session, artists) if artists else set()
        answer = []
        for month in self.months():
            folder = self._run_folder(month["month"], None)
            for holder, name, currency, streams, amount in self._artist_lines(folder, artists, holders):
                answer.append(
                    {
                        "month": month["month"],
                        "run": month["latest"],
                        "provisional": read_json(folder / "summary.json")["provisional"],
                        "rightsholder": {"id": holder, "name": name},
                        "currency": currency,
                        "streams": streams,
                        "amount_minor": amount,
                    }
                )
        return answer

    def artist_statement(
        self, session: Session, user_id: str, month: str, rightsholder_id: str
    ) -> dict[str, Any]:
        artists = account.artist_ids(session, user_id)
        holders = catalog.rightsholders_of_artists(session, artists) if artists else set()
        if rightsholder_id not in holders:
            # The same answer as for a statement that does not exist: nothing about others leaks.
            raise NotFound(f"no statement for rightsholder {rightsholder_id} in {month}")
        folder = self._run_folder(month, None)
        lines = self._artist_track_lines(folder, artists, rightsholder_id)
        if not lines:
            raise NotFound(f"no statement for rightsholder {rightsholder_id} in {month}")
        summary = read_json(folder / "summary.json")
        totals: dict[str, dict[str, int]] = {}
        for line in lines:
            total = totals.setdefault(line["currency"], {"streams": 0, "amount_minor": 0})
            total["streams"] += line["streams"]
            total["amount_minor"] += line["amount_minor"]
        return {
            "month": month,
            "run": summary["run"],
            "provisional": summary["provisional"],
            "model": PAID_MODEL,
            "rightsholder": {"id": rightsholder_id, "name": lines[0].pop("rightsholder_name")},
            "totals": [{"currency": c, **t} for c, t in sorted(totals.items())],
            "lines": [{k: v for k, v in line.items() if k != "rightsholder_name"} for line in lines],
        }

    def _artist_lines(
        self, folder: Path, artists: Sequence[str], holders: set[str]
    ) -> list[tuple[str, str, str, int, int]]:
        if not artists or not holders:
            return []
        rows = self._query(
            folder,
            f"""SELECT l.rightsholder_id, min(l.rightsholder_name), l.currency,
                       CAST(sum(l.streams) AS BIGINT), CAST(sum(l.amount_minor) AS BIGINT)
                FROM lines l WHERE l.model = '{PAID_MODEL}' AND l.rightsholder_id IN ({_list(holders)})
                  AND l.track_id IN (SELECT track_id FROM rights
                                     WHERE list_has_any(artist_ids, [{_list(artists)}]))
                GROUP BY l.rightsholder_id, l.currency ORDER BY l.rightsholder_id, l.currency""",
        )
        return [(str(a), str(b), str(c), int(d), int(e)) for a, b, c, d, e in rows]

    def _artist_track_lines(self, folder: Path, artists: Sequence[str], holder: str) -> list[dict[str, Any]]:
        columns = ", ".join(f"l.{name}" for name in LINE_COLUMNS)
        rows = self._query(
            folder,
            f"""SELECT {columns}, l.rightsholder_name FROM lines l
                WHERE l.model = '{PAID_MODEL}' AND l.rightsholder_id = {_quote(holder)}
                  AND l.track_id IN (SELECT track_id FROM rights
                                     WHERE list_has_any(artist_ids, [{_list(artists)}]))
                ORDER BY l.track_id, l.market, l.product""",
        )
        return [dict(zip((*LINE_COLUMNS, "rightsholder_name"), row, strict=True)) for row in rows]

    @staticmethod
    def _query(folder: Path, sql: str) -> list[tuple[Any, ...]]:
        connection = duckdb.connect(":memory:")
        try:
            connection.execute(
                f"CREATE VIEW lines AS SELECT * FROM read_parquet({_quote(str(folder / 'lines.parquet'))})"
            )
            connection.execute(
                f"CREATE VIEW rights AS SELECT * FROM read_parquet({_quote(str(folder / 'rights.parquet'))})"
            )
            return connection.execute(sql).fetchall()
        finally:
            connection.close()

    def _run_folder(self, month: str, run: int | None) -> Path:
        runs = MonthRuns(self.root, month)
        chosen = runs.last() if run is None else next((r for r in runs.history() if r["run"] == run), None)
        if chosen is None:
            raise NotFound(f"no royalty run for {month}" + (f" numbered {run}" if run is not None else ""))
        return runs.run_folder(chosen["run"])


def _batches(rows: Iterator[Any]) -> Iterator[pa.Table]:
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(
            {
                "track_id": row.track_id,
                "rightsholder_id": row.rightsholder_id,
                "rightsholder_name": row.rightsholder_name,
                "party": row.party,
                "role": row.role,
                "share_bp": row.share_bp,
                "artist_ids": list(row.artist_ids),
            }
        )
        if len(batch) >= RIGHTS_BATCH:
            yield pa.Table.from_pylist(batch, schema=RIGHTS_SCHEMA)
            batch = []
    yield pa.Table.from_pylist(batch, schema=RIGHTS_SCHEMA)


def _is_month(name: str) -> bool:
    try:
        month_bounds(name)
    except BadRequest:
        return False
    return True


def _safe(identifier: str) -> str:
    if not identifier.isalnum():
        raise NotFound(f"no statement for rightsholder {identifier[:40]}")
    return identifier


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _list(values: Sequence[str] | set[str]) -> str:
    return ", ".join(_quote(value) for value in sorted(values))


def _csv_rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))


def _typed(row: dict[str, str]) -> dict[str, Any]:
    return {key: int(value) if key in ("streams", "amount_minor") else value for key, value in row.items()}
