"""`tonearm blend refresh [--all]`."""

from __future__ import annotations

from typing import Annotated

import typer

from tonearm.blend.service import Refreshed
from tonearm.blend.tasks import REFRESH_AGE, refresh_blends
from tonearm.kit.commands import Commands

__all__ = ["blend_commands"]


def _report(blend_id: str, result: Refreshed | None) -> None:
    if result is None:
        typer.echo(f"{blend_id}: failed (see the log); its last mix stays", err=True)
    elif result.changed:
        typer.echo(f"{blend_id}: {result.tracks} tracks, new snapshot {result.snapshot_id}")
    else:
        typer.echo(f"{blend_id}: {result.tracks} tracks, unchanged")


def blend_commands(commands: Commands) -> typer.Typer:
    app = typer.Typer(help="Blends: playlists two users share.")

    @app.command("refresh")
    def refresh(
        every: Annotated[bool, typer.Option("--all", help="every active blend, not only those due")] = False,
    ) -> None:
        """Mix the blends last refreshed over a day ago again (as the hourly job does), printing
        each; the playlist gets a new snapshot only when its tracks changed."""
        with commands.platform() as platform:
            done = refresh_blends(platform.session_factory, every=every, progress=_report)
        changed = sum(result.changed for result in done)
        scope = "active" if every else f"due (last refreshed over {REFRESH_AGE.days} day ago)"
        typer.echo(f"refreshed {len(done)} {scope} blends; {changed} playlists changed")

    return app
