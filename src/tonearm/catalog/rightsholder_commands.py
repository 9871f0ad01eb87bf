"""`tonearm catalog rightsholder set | splits | show`: whom a track's streams pay, by an operator
at the console. Bad input (a malformed id, a split that is not role:party:percent, splits that do
not add up to 100 %) exits with status 2; an unknown track or album with status 1."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Annotated, TypeVar, cast

import typer
from sqlalchemy.orm import Session

from tonearm.catalog.media import RIGHTSHOLDER_KINDS, SPLIT_ROLES, RightsholderRecord, Split
from tonearm.catalog.rightsholders import bp_of_percent, checked_splits, percent_text
from tonearm.catalog.service import catalog
from tonearm.errors import BadRequest
from tonearm.kit.commands import Commands
from tonearm.kit.ids import parse_id

__all__ = ["parse_split", "rightsholder_commands"]

T = TypeVar("T")


def _id(value: str, kind: str, hint: str) -> str:
    try:
        return parse_id(value, kind)
    except BadRequest as error:
        raise typer.BadParameter(error.message, param_hint=hint) from None


def parse_split(value: str) -> Split:
    """`role:party:percent` (the party may hold colons itself), percent with up to 2 decimals."""
    role, _, rest = value.partition(":")
    party, _, percent = rest.rpartition(":")
    if not party or role not in SPLIT_ROLES:
        raise typer.BadParameter(
            f"'{value[:80]}' is not role:party:percent with a role of {', '.join(SPLIT_ROLES)}",
            param_hint="SPLITS",
        )
    try:
        return Split(party.strip(), role, bp_of_percent(percent))
    except BadRequest as error:
        raise typer.BadParameter(f"{value[:80]}: {error.message}", param_hint="SPLITS") from None


def _bad_input_exits_2(commands: Commands, change: Callable[[Session], T]) -> T:
    """Run `change` in one unit of work; a BadRequest it raises is bad input (status 2)."""

    def guarded(session: Session) -> T:
        try:
            return change(session)
        except BadRequest as error:
            typer.echo(f"error: {error.message}", err=True)
            raise typer.Exit(2) from None

    return commands.in_unit_of_work(guarded)


def _holder_line(holder: RightsholderRecord | None) -> str:
    if holder is None:
        return "rightsholder: none (its streams pay no one yet)"
    return f"rightsholder: {holder.name} ({holder.kind}, {holder.id})"


def _split_lines(splits: Sequence[Split]) -> list[str]:
    return [f"  {percent_text(split.share_bp):>8}  {split.role:<10}  {split.party}" for split in splits]


def rightsholder_commands(commands: Commands) -> typer.Typer:
    app = typer.Typer(help="Whom a track's streams pay: its rightsholder and the splits of its share.")

    @app.command("set")
    def set_command(
        name: Annotated[str, typer.Option(help="the label or distributor, matched however it is written")],
        track: Annotated[
            list[str] | None, typer.Option(help="track id or tonearm:track: URI; repeat for more")
        ] = None,
        album: Annotated[str | None, typer.Option(help="every track of this album")] = None,
        kind: Annotated[str, typer.Option(help=" | ".join(RIGHTSHOLDER_KINDS))] = "label",
    ) -> None:
        """Make NAME (created if new) the rightsholder of the tracks, or of an album's tracks."""
        if bool(track) == (album is not None):
            raise typer.BadParameter("give --track (one or more) or --album, not both", param_hint="--track")
        if kind not in RIGHTSHOLDER_KINDS:
            raise typer.BadParameter(f"kind is one of {', '.join(RIGHTSHOLDER_KINDS)}", param_hint="--kind")
        track_ids = [_id(value, "track", "--track") for value in track or ()]
        album_id = _id(album, "album", "--album") if album is not None else None

        def change(session: Session) -> tuple[RightsholderRecord, int]:
            ids = track_ids or catalog.album_track_ids(session, cast(str, album_id))
            return catalog.set_rightsholder(session, ids, name, kind), len(ids)

        holder, count = _bad_input_exits_2(commands, change)
        tracks = "1 track" if count == 1 else f"{count} tracks"
        typer.echo(f"{holder.name} ({holder.kind}) is the rightsholder of {tracks}")

    @app.command("splits")
    def splits_command(
        track: Annotated[str, typer.Option(help="track id or tonearm:track: URI")],
        splits: Annotated[
            list[str] | None,
            typer.Argument(
                help='role:party:percent, e.g. artist:"Ada":50 producer:"Bo":50; none: 100 % label'
            ),
        ] = None,
    ) -> None:
        """Replace the track's splits, which add up to 100 % (with none, the rightsholder takes all)."""
        track_id = _id(track, "track", "--track")
        parsed = [parse_split(value) for value in splits or ()]
        try:
            checked = checked_splits(parsed)
        except BadRequest as error:
            raise typer.BadParameter(error.message, param_hint="SPLITS") from None
        _bad_input_exits_2(commands, lambda session: catalog.set_splits(session, track_id, checked))
        typer.echo(f"splits of {track_id}:")
        typer.echo("\n".join(_split_lines(checked)) or "  none: 100 % to the rightsholder")

    @app.command("show")
    def show_command(track: Annotated[str, typer.Option(help="track id or tonearm:track: URI")]) -> None:
        """Print the track's rightsholder and splits."""
        track_id = _id(track, "track", "--track")

        def read(session: Session) -> tuple[RightsholderRecord | None, tuple[Split, ...] | None]:
            holder = catalog.rightsholder_of(session, [track_id]).get(track_id)
            return holder, catalog.splits_of(session, [track_id]).get(track_id)

        holder, splits = commands.in_unit_of_work(read)
        if splits is None:
            typer.echo(f"error: track '{track_id}' not found", err=True)
            raise typer.Exit(1)
        typer.echo(f"track {track_id}")
        typer.echo(_holder_line(holder))
        typer.echo("splits:" if splits else "splits: none")
        for line in _split_lines(splits):
            typer.echo(line)

    return app
