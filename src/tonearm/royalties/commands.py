"""`tonearm royalties run --month 2026-10 [--config FILE] [--provisional] [--engine duckdb|spark]
[--json]`, `tonearm royalties show --month M` and `tonearm royalties statement`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import orjson
import typer

from tonearm.errors import TonearmError
from tonearm.kit.commands import Commands
from tonearm.royalties.service import ENGINES, PublishedRuns, RoyaltiesService, royalties_root

__all__ = ["royalties_commands"]


def _stage(stage: str, fraction: float) -> None:
    typer.echo(f"[{fraction:4.0%}] {stage}", err=True)


def _money(minor: int, currency: str) -> str:
    return f"{minor / 100:,.2f} {currency}"


def print_summary(summary: dict[str, Any], identical_to: int | None = None) -> None:
    state = " (provisional)" if summary["provisional"] else ""
    if identical_to is not None:
        typer.echo(f"{summary['month']}: identical to run {identical_to}; nothing new was written")
    else:
        typer.echo(f"{summary['month']}: run {summary['run']}{state} on {summary['engine']}")
    typer.echo(f"{'pool':16} {'streams':>12} {'filtered':>9} {'pool':>20} {'paid':>20} {'user-centric':>20}")
    for pool in summary["pools"]:
        if not pool["streams"] and not pool["filtered_streams"]:
            continue
        currency, name = pool["currency"], f"{pool['market']}/{pool['product']}"
        typer.echo(
            f"{name:16} {pool['streams']:>12,} {pool['filtered_streams']:>9,} "
            f"{_money(pool['pool_minor'], currency):>20} {_money(pool['paid_minor'], currency):>20} "
            f"{_money(pool['user_centric_paid_minor'], currency):>20}"
        )
    for row in summary["fraud"]:
        typer.echo(
            f"filtered {row['market']}/{row['product']} {row['reason']}: {row['streams']:,} streams from "
            f"{row['accounts']} accounts, would have moved {row['would_have_moved_minor'] / 100:,.2f}"
        )
    if summary["unpooled_streams"]:
        typer.echo(
            f"{summary['unpooled_streams']:,} streams in markets or products without a pool earn nothing"
        )
    if summary.get("correction"):
        correction = summary["correction"]
        typer.echo(
            f"correction against run {correction['corrects_run']}: {correction['lines']} lines changed "
            f"for {correction['rightsholders']} rightsholders ({correction['path']})"
        )
    for name, path in summary["paths"].items():
        typer.echo(f"{name}: {path}")


def royalties_commands(commands: Commands) -> typer.Typer:
    app = typer.Typer(help="Royalties: the monthly run from counted streams to statements.")

    @app.command("run")
    def run_command(
        month: Annotated[str, typer.Option(help="the month to pay, as 2026-10")],
        config: Annotated[Path | None, typer.Option(help="revenue and shares (TOML)")] = None,
        provisional: Annotated[bool, typer.Option(help="run a month that is still open")] = False,
        engine: Annotated[str, typer.Option(help=" | ".join(ENGINES))] = "duckdb",
        as_json: Annotated[
            bool, typer.Option("--json", help="end with the summary as one JSON line")
        ] = False,
    ) -> None:
        """Compute the month's statements for every rightsholder (pro-rata, with user-centric
        beside it), after the fraud filter, and write them with the report."""
        with commands.platform() as platform:
            service = RoyaltiesService(platform.settings, platform.session_factory)
            try:
                result = service.run(
                    month, config=config, provisional=provisional, engine=engine, progress=_stage
                )
            except TonearmError as error:
                typer.echo(f"error: {error.message}", err=True)
                raise typer.Exit(1) from None
        print_summary(result.summary, result.identical_to)
        if as_json:
            typer.echo(orjson.dumps(result.summary | {"identical_to": result.identical_to}).decode())

    @app.command("show")
    def show_command(
        month: Annotated[str, typer.Option(help="the month, as 2026-10")],
        run: Annotated[int | None, typer.Option(help="a run number (default: the latest)")] = None,
    ) -> None:
        """The summary of a month's run."""
        published = PublishedRuns(royalties_root(commands.settings()))
        try:
            print_summary(published.summary(month, run))
        except TonearmError as error:
            typer.echo(f"error: {error.message}", err=True)
            raise typer.Exit(1) from None

    return app
