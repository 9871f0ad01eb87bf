"""`tonearm recs train` and `tonearm recs build --product discover-weekly|release-radar|daily-mix`."""

from __future__ import annotations

from typing import Annotated

import typer

from tonearm.kit.commands import Commands
from tonearm.recs.lists import PRODUCTS, Built
from tonearm.recs.service import RecsService
from tonearm.recs.tasks import build_lists
from tonearm.recs.training import ModelStore, train

__all__ = ["recs_commands"]


def _stage(stage: str, fraction: float) -> None:
    typer.echo(f"[{fraction:4.0%}] {stage}", err=True)


def _built(user_id: str, built: list[Built] | None) -> None:
    if built is None:
        typer.echo(f"{user_id}: failed (see the log); the last lists stay", err=True)
    for one in built or ():
        change = "changed" if one.changed else "unchanged"
        typer.echo(f"{user_id}: {one.title}: {one.tracks} tracks, {change}")


def recs_commands(commands: Commands) -> typer.Typer:
    app = typer.Typer(help="Recommendations: train the model and build the made-for-you lists.")

    @app.command("train")
    def train_command() -> None:
        """Train the model on every listener's streams and skips (as the daily job does), with
        progress; the server picks the new model up at its next request."""
        with commands.platform() as platform:
            trained = train(platform.session_factory, platform.blobs, progress=_stage)
        typer.echo(
            f"trained model {trained.model_id}: {trained.users} listeners, {trained.items} tracks, "
            f"{trained.interactions} plays in {trained.seconds:.1f} s"
        )

    @app.command("build")
    def build_command(
        product: Annotated[str, typer.Option(help=" | ".join(PRODUCTS))],
    ) -> None:
        """Build the product's lists for every listener now, printing each."""
        if product not in PRODUCTS:
            raise typer.BadParameter(f"product must be one of {', '.join(PRODUCTS)}", param_hint="--product")
        with commands.platform() as platform:
            service = RecsService(ModelStore(platform.blobs))
            done = build_lists(service, platform.session_factory, product, progress=_built)
        typer.echo(f"built {product} for {done} listeners")

    return app
