"""`tonearm warehouse export [--date YYYY-MM-DD | --since YYYY-MM-DD]` and
`tonearm warehouse query "SQL" [--json]`."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Annotated, Any

import typer

from tonearm.kit.commands import Commands
from tonearm.kit.time import iso_ms
from tonearm.warehouse.errors import BadQuery, DayNotExportable, NothingExported
from tonearm.warehouse.export import ExportResult, export_days, yesterday
from tonearm.warehouse.layout import warehouse_root
from tonearm.warehouse.query import query

__all__ = ["warehouse_commands"]


def _day(value: str, option: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"'{value}' is not a day as YYYY-MM-DD", param_hint=option) from None


def _days(day: str | None, since: str | None) -> list[date]:
    if day is not None and since is not None:
        raise typer.BadParameter("give --date or --since, not both", param_hint="--date/--since")
    if since is None:
        return [_day(day, "--date") if day is not None else yesterday()]
    first, last = _day(since, "--since"), yesterday()
    if first > last:
        raise typer.BadParameter(
            f"--since must be {last} or earlier (use --date for one day)", param_hint="--since"
        )
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def _exported(result: ExportResult) -> None:
    state = "written" if result.changed else "unchanged"
    typer.echo(f"{result.day}: {result.rows} streams, {state} ({result.path})")


def _plain(value: Any) -> Any:
    """A DuckDB value as JSON holds it: times in ISO 8601 (UTC with a Z), decimals as text."""
    if isinstance(value, datetime):
        return iso_ms(value) if value.tzinfo else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes):
        return value.hex()
    return value


def _print_table(columns: list[str], rows: list[tuple[Any, ...]]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table()
    for column in columns:
        table.add_column(column, overflow="fold")  # a terminal too narrow wraps values, never cuts them
    for row in rows:
        table.add_row(*("" if value is None else str(_plain(value)) for value in row))
    console = Console()
    # Into a file or a pipe: every row on one line, however wide.
    (console if console.is_terminal else Console(width=1_000_000)).print(table)
    typer.echo(f"{len(rows)} rows")


def warehouse_commands(commands: Commands) -> typer.Typer:
    app = typer.Typer(help="The warehouse: counted streams in daily Parquet files, and SQL over them.")

    @app.command("export")
    def export_command(
        day: Annotated[
            str | None, typer.Option("--date", help="the UTC day to export, YYYY-MM-DD (default: yesterday)")
        ] = None,
        since: Annotated[
            str | None, typer.Option(help="export every day from this one through yesterday")
        ] = None,
    ) -> None:
        """Export counted streams, one Parquet file per UTC day; a day exported again is
        rewritten atomically (a file whose rows did not change is left alone)."""
        days = _days(day, since)
        with commands.platform() as platform:
            try:
                results = export_days(platform.session_factory, platform.settings, days, progress=_exported)
            except DayNotExportable as error:
                raise typer.BadParameter(error.message, param_hint="--since" if since else "--date") from None
        changed = sum(result.changed for result in results)
        streams = sum(result.rows for result in results)
        typer.echo(f"exported {len(results)} days: {streams} streams, {changed} files written")

    @app.command("query")
    def query_command(
        sql: Annotated[str, typer.Argument(help="SQL over the view `streams` (a `date` column per day)")],
        json_lines: Annotated[bool, typer.Option("--json", help="one JSON object a line")] = False,
    ) -> None:
        """Run SQL (DuckDB's) over the exported streams and print the answer."""
        try:
            columns, rows = query(warehouse_root(commands.settings()), sql)
        except (BadQuery, NothingExported) as error:
            typer.echo(f"error: {error.message}", err=True)
            raise typer.Exit(2) from None
        if not json_lines:
            _print_table(columns, rows)
            return
        for row in rows:
            typer.echo(json.dumps(dict(zip(columns, map(_plain, row), strict=True))))

    return app
