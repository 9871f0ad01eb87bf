"""`tonearm listening retention`."""

from __future__ import annotations

import typer

from tonearm.kit.commands import Commands
from tonearm.listening.tasks import enforce_retention

__all__ = ["listening_commands"]


def listening_commands(commands: Commands) -> typer.Typer:
    app = typer.Typer(help="Listening history.")

    @app.command("retention")
    def retention() -> None:
        """Delete listening history older than TONEARM_LISTENING_HISTORY_DAYS (the anonymous play
        tallies stay); prints how many plays went."""
        with commands.platform() as platform:
            days = platform.settings.listening_history_days
            deleted = enforce_retention(platform.session_factory, days)
        typer.echo(f"deleted {deleted} plays older than {days} days")

    return app
