"""`tonearm catalog takedown | allow | restore`: rights, by an operator at the console;
`tonearm catalog features-backfill`: audio features for the tracks that lack them; and
`tonearm catalog rightsholder ...` (in `rightsholder_commands`): whom a track's streams pay."""

from __future__ import annotations

import sys
import time
from datetime import datetime
from typing import Annotated

import typer
from rich.progress import Progress
from sqlalchemy.orm import Session

from tonearm.catalog.feed import feed
from tonearm.catalog.rightsholder_commands import rightsholder_commands
from tonearm.kit.commands import Commands
from tonearm.kit.ids import parse_id
from tonearm.kit.time import as_utc

__all__ = ["catalog_commands"]


def catalog_commands(commands: Commands) -> typer.Typer:
    app = typer.Typer(help="Catalog operations.")
    app.add_typer(rightsholder_commands(commands), name="rightsholder")

    @app.command("takedown")
    def takedown(
        track_id: Annotated[str, typer.Argument(help="track id or tonearm:track: URI")],
        territory: Annotated[str | None, typer.Option(help="ISO country; default everywhere")] = None,
    ) -> None:
        """Take a track down: manifests refuse it at once and search drops it within a second."""
        commands.in_unit_of_work(
            lambda session: feed.take_down(session, parse_id(track_id, "track"), territory)
        )
        typer.echo(f"taken down: {track_id} in {territory or 'every territory'}")

    @app.command("allow")
    def allow(
        track_id: Annotated[str, typer.Argument(help="track id or tonearm:track: URI")],
        territory: Annotated[str | None, typer.Option(help="ISO country; default everywhere")] = None,
        valid_from: Annotated[
            datetime | None, typer.Option("--from", help="when the window opens (UTC); default now")
        ] = None,
        valid_to: Annotated[
            datetime | None, typer.Option("--to", help="when it closes (UTC); default never")
        ] = None,
        premium_only: Annotated[
            bool, typer.Option(help="for premium listeners only (a premium-first release)")
        ] = False,
    ) -> None:
        """Open a rights window for a track."""

        def change(session: Session) -> None:
            feed.allow(
                session,
                parse_id(track_id, "track"),
                territory,
                valid_from=as_utc(valid_from) if valid_from else None,
                valid_to=as_utc(valid_to) if valid_to else None,
                premium_only=premium_only,
            )

        commands.in_unit_of_work(change)
        who = "premium listeners" if premium_only else "everyone"
        typer.echo(f"allowed: {track_id} in {territory or 'every territory'} for {who}")

    @app.command("restore")
    def restore(
        track_id: Annotated[str, typer.Argument(help="track id or tonearm:track: URI")],
        territory: Annotated[str | None, typer.Option(help="ISO country; default every takedown")] = None,
    ) -> None:
        """Lift a takedown."""
        commands.in_unit_of_work(
            lambda session: feed.restore(session, parse_id(track_id, "track"), territory)
        )
        typer.echo(f"restored: {track_id} in {territory or 'every territory'}")

    @app.command("features-backfill")
    def features_backfill() -> None:
        """Analyse the audio features of every track without them (or with an older analyser's),
        from the lossless rendition; resumable: each track is stored as it is done."""
        from tonearm.catalog.tasks import backfill_features  # loads the audio stack

        with commands.platform() as platform, Progress(disable=not sys.stderr.isatty()) as progress:
            task = progress.add_task("audio features", total=None)
            started = time.perf_counter()
            done = backfill_features(
                platform.session_factory,
                platform.blobs,
                progress=lambda count, total: progress.update(task, completed=count, total=total),
            )
        elapsed = time.perf_counter() - started
        failed = f", {done.failed} failed (see the log)" if done.failed else ""
        typer.echo(f"analysed {done.analysed} tracks in {elapsed:.1f} s{failed}")
        raise typer.Exit(1 if done.failed else 0)

    return app
