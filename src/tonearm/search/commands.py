"""`tonearm search reindex`."""

from __future__ import annotations

import sys
import time

import typer
from rich.progress import Progress

from tonearm.kit.commands import Commands
from tonearm.search.build import rebuild

__all__ = ["search_commands"]


def search_commands(commands: Commands) -> typer.Typer:
    app = typer.Typer(help="The search index.")

    @app.command("reindex")
    def reindex() -> None:
        """Rebuild this node's search index from the catalog; a running server switches to it."""
        with commands.platform() as platform:
            started = time.perf_counter()
            with Progress(disable=not sys.stderr.isatty()) as progress:
                task = progress.add_task("indexing", total=None)
                path, count = rebuild(
                    platform.settings.search_dir,
                    platform.session_factory,
                    event_log=platform.event_log,
                    progress=lambda done, total: progress.update(task, completed=done, total=total),
                )
            elapsed = time.perf_counter() - started
        typer.echo(f"indexed {count} documents in {elapsed:.1f} s ({count / elapsed:,.0f}/s) into {path}")

    return app
