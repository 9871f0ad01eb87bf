"""`tonearm ingest PATHS...` and `tonearm demo`."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress

from tonearm.errors import TonearmError
from tonearm.ingest.schemas import Hints, IngestResult
from tonearm.kit.commands import Commands

__all__ = ["add_commands", "make_demo"]

DEMO_DONE = "demo.done"


def make_demo(commands: Commands, seconds: float | None = None) -> None:
    """Synthesize and ingest the demo catalog, with a progress bar; marks the data folder done."""
    # The audio stack loads only for the commands that use it: the others start in a blink.
    from tonearm.ingest.demo import demo_tracks, ingest_demo
    from tonearm.ingest.tasks import IngestContext

    with commands.platform() as platform, Progress() as progress:
        task = progress.add_task("demo catalog", total=sum(1 for _ in demo_tracks(seconds)))
        ingest_demo(
            IngestContext.of(platform),
            seconds=seconds,
            on_track=lambda result: progress.update(task, advance=1, description=result.name),
        )
        (platform.settings.data_dir / DEMO_DONE).write_text("ok\n")


def _masters(paths: list[Path]) -> list[Path]:
    from tonearm.ingest.stages import ACCEPTED_EXTENSIONS

    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*") if p.suffix.lower() in ACCEPTED_EXTENSIONS))
        else:
            found.append(path)
    return found


def _print_result(result: IngestResult, as_json: bool) -> None:
    if as_json:
        typer.echo(result.model_dump_json())
    else:
        typer.echo(f"{result.id}  {result.outcome:9}  {result.name}  ({result.file})")


def add_commands(app: typer.Typer, commands: Commands) -> None:
    @app.command()
    def demo(
        seconds: Annotated[float | None, typer.Option(help="length of each track")] = None,
    ) -> None:
        """Synthesize and ingest the demo catalog (4 artists, 6 albums, 32 tracks)."""
        make_demo(commands, seconds)

    @app.command()
    def ingest(
        paths: Annotated[list[Path], typer.Argument(help="master files or folders of them")],
        as_json: Annotated[bool, typer.Option("--json", help="one JSON object per line")] = False,
        name: Annotated[str | None, typer.Option(help="track name (one file only)")] = None,
        artist: Annotated[str | None, typer.Option(help="artists, ';'-separated")] = None,
        album: Annotated[str | None, typer.Option(help="album name")] = None,
    ) -> None:
        """Ingest masters: WAV, FLAC, AIFF, MP3 or Ogg. Prints one line per track with its id."""
        from tonearm.ingest.tasks import IngestContext, ingest_master

        masters = _masters(paths)
        hints = Hints(
            name=name,
            artists=tuple(a.strip() for a in (artist or "").split(";") if a.strip()),
            album=album,
        )
        failures = 0
        with (
            commands.platform() as platform,
            Progress(transient=True, disable=as_json or not sys.stderr.isatty()) as progress,
        ):
            context = IngestContext.of(platform)
            task = progress.add_task("ingest", total=len(masters))
            for master in masters:
                progress.update(task, description=master.name)
                try:
                    if not master.is_file():
                        raise TonearmError(f"{master}: no such file", 400)
                    result = ingest_master(context, master, file_name=master.name, hints=hints)
                    _print_result(result, as_json)
                except TonearmError as error:
                    failures += 1
                    message = error.message if str(master) in error.message else f"{master}: {error.message}"
                    if as_json:
                        typer.echo(json.dumps({"file": str(master), "error": message}))
                    typer.echo(f"error: {message}", err=True)
                progress.advance(task)
        raise typer.Exit(1 if failures else 0)
