"""`tonearm run | serve | ingest | demo | search reindex | catalog … | users … | apps create`."""

from __future__ import annotations

import json
import logging
import secrets
import sys
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress
from sqlalchemy.orm import Session

from tonearm.accounts.privacy import privacy
from tonearm.accounts.service import PRODUCTS, ROLES, account
from tonearm.catalog.feed import feed
from tonearm.catalog.service import catalog as catalog_service
from tonearm.config import Settings
from tonearm.errors import TonearmError
from tonearm.ingest.schemas import Hints, IngestResult
from tonearm.kit.db import unit_of_work
from tonearm.kit.ids import parse_id
from tonearm.kit.logs import configure_logging
from tonearm.kit.personal_data import PersonalDataProvider
from tonearm.kit.time import as_utc
from tonearm.listening.tasks import enforce_retention
from tonearm.runtime import open_runtime
from tonearm.search.build import rebuild

__all__ = ["main"]

app = typer.Typer(add_completion=False, help="Tonearm: a music streaming platform.")


def _serve(settings: Settings, host: str, port: int, workers: int = 1) -> None:
    # granian (Rust HTTP, ASGI) sends media ranges at about twice uvicorn's rate on this
    # machine: see the serving row of docs/BENCHMARKS.md.
    from granian import Granian
    from granian.constants import Interfaces
    from granian.log import LogLevels

    # Migrate once here, so worker processes never race each other to create tables.
    open_runtime(settings).close()
    Granian(
        "tonearm.app:app_from_env",
        factory=True,
        interface=Interfaces.ASGI,
        address=host,
        port=port,
        workers=workers,
        log_level=LogLevels.warning,
    ).serve()


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port to listen on")] = 8000,
    workers: Annotated[int, typer.Option(help="server processes")] = 1,
) -> None:
    """Run the server."""
    settings = Settings()
    configure_logging(json=settings.log_json)
    typer.echo(f"Tonearm listening on http://{host}:{port}/")
    _serve(settings, host, port, workers)


@app.command()
def run(
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port to listen on")] = 8000,
) -> None:
    """Create the demo catalog on first start, then serve, printing the URL to open."""
    settings = Settings()
    if not (settings.data_dir / "demo.done").exists():
        demo(seconds=None)
    password_file = _first_admin(settings)
    configure_logging(json=settings.log_json)
    typer.echo(f"\nTonearm is running. Open http://{host}:{port}/ and sign up.\n")
    typer.echo(f"The operator account is 'admin'; its password is in {password_file}.")
    typer.echo("A token for scripts and POST /v1/ingest: tonearm users token admin")
    _serve(settings, host, port)


def _first_admin(settings: Settings) -> Path:
    """On a fresh platform, an admin account with a random password kept beside the data."""
    password_file = settings.data_dir / "admin.password"
    if password_file.exists():
        return password_file
    password = secrets.token_urlsafe(12)

    def create(session: Session) -> None:
        account.create_user(
            session, "admin", password=password, country="US", role="admin", product="premium"
        )

    _in_unit_of_work(create)
    password_file.write_text(password + "\n")
    password_file.chmod(0o600)
    return password_file


@app.command()
def demo(
    seconds: Annotated[float | None, typer.Option(help="length of each track")] = None,
) -> None:
    """Synthesize and ingest the demo catalog (4 artists, 6 albums, 32 tracks)."""
    from tonearm.ingest.demo import ingest_demo

    settings = Settings()
    # The progress bar says what is happening; per-track log lines would tear it.
    configure_logging(json=settings.log_json, level=logging.WARNING)
    runtime = open_runtime(settings)
    with Progress() as progress:
        task = progress.add_task("demo catalog", total=32)
        ingest_demo(
            runtime.ingest_context(),
            seconds=seconds,
            on_track=lambda result: progress.update(task, advance=1, description=result.name),
        )
    (settings.data_dir / "demo.done").write_text("ok\n")
    runtime.close()


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


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="master files or folders of them")],
    as_json: Annotated[bool, typer.Option("--json", help="one JSON object per line")] = False,
    name: Annotated[str | None, typer.Option(help="track name (one file only)")] = None,
    artist: Annotated[str | None, typer.Option(help="artists, ';'-separated")] = None,
    album: Annotated[str | None, typer.Option(help="album name")] = None,
) -> None:
    """Ingest masters: WAV, FLAC, AIFF, MP3 or Ogg. Prints one line per track with its id."""
    # The audio stack loads only for the commands that use it: the others start in a blink.
    from tonearm.ingest.tasks import ingest_master

    settings = Settings()
    configure_logging(json=settings.log_json, level=logging.WARNING)
    runtime = open_runtime(settings)
    masters = _masters(paths)
    hints = Hints(
        name=name,
        artists=tuple(a.strip() for a in (artist or "").split(";") if a.strip()),
        album=album,
    )
    failures = 0
    with Progress(transient=True, disable=as_json or not sys.stderr.isatty()) as progress:
        task = progress.add_task("ingest", total=len(masters))
        for master in masters:
            progress.update(task, description=master.name)
            try:
                if not master.is_file():
                    raise TonearmError(f"{master}: no such file", 400)
                result = ingest_master(runtime.ingest_context(), master, file_name=master.name, hints=hints)
                _print_result(result, as_json)
            except TonearmError as error:
                failures += 1
                message = error.message if str(master) in error.message else f"{master}: {error.message}"
                if as_json:
                    typer.echo(json.dumps({"file": str(master), "error": message}))
                typer.echo(f"error: {message}", err=True)
            progress.advance(task)
    runtime.close()
    raise typer.Exit(1 if failures else 0)


search_app = typer.Typer(help="The search index.")
catalog_app = typer.Typer(help="Catalog operations.")
app.add_typer(search_app, name="search")
app.add_typer(catalog_app, name="catalog")


@search_app.command("reindex")
def search_reindex() -> None:
    """Rebuild this node's search index from the catalog; a running server switches to it."""
    settings = Settings()
    configure_logging(json=settings.log_json, level=logging.WARNING)
    runtime = open_runtime(settings)
    started = time.perf_counter()
    with Progress(disable=not sys.stderr.isatty()) as progress:
        task = progress.add_task("indexing", total=None)
        path, count = rebuild(
            settings.search_dir,
            runtime.session_factory,
            progress=lambda done, total: progress.update(task, completed=done, total=total),
        )
    elapsed = time.perf_counter() - started
    typer.echo(f"indexed {count} documents in {elapsed:.1f} s ({count / elapsed:,.0f}/s) into {path}")
    runtime.close()


def _in_unit_of_work(change: Callable[[Session], object]) -> None:
    settings = Settings()
    runtime = open_runtime(settings)
    try:
        with unit_of_work(runtime.session_factory) as session:
            change(session)
    except TonearmError as error:
        typer.echo(f"error: {error.message}", err=True)
        raise typer.Exit(1) from None
    finally:
        runtime.close()


@catalog_app.command("takedown")
def catalog_takedown(
    track_id: Annotated[str, typer.Argument(help="track id or tonearm:track: URI")],
    territory: Annotated[str | None, typer.Option(help="ISO country; default everywhere")] = None,
) -> None:
    """Take a track down: manifests refuse it at once and search drops it within a second."""
    _in_unit_of_work(lambda session: feed.take_down(session, parse_id(track_id, "track"), territory))
    typer.echo(f"taken down: {track_id} in {territory or 'every territory'}")


@catalog_app.command("allow")
def catalog_allow(
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

    def allow(session: Session) -> None:
        feed.allow(
            session,
            parse_id(track_id, "track"),
            territory,
            valid_from=as_utc(valid_from) if valid_from else None,
            valid_to=as_utc(valid_to) if valid_to else None,
            premium_only=premium_only,
        )

    _in_unit_of_work(allow)
    who = "premium listeners" if premium_only else "everyone"
    typer.echo(f"allowed: {track_id} in {territory or 'every territory'} for {who}")


@catalog_app.command("restore")
def catalog_restore(
    track_id: Annotated[str, typer.Argument(help="track id or tonearm:track: URI")],
    territory: Annotated[str | None, typer.Option(help="ISO country; default every takedown")] = None,
) -> None:
    """Lift a takedown."""
    _in_unit_of_work(lambda session: feed.restore(session, parse_id(track_id, "track"), territory))
    typer.echo(f"restored: {track_id} in {territory or 'every territory'}")


users_app = typer.Typer(help="User accounts.")
apps_app = typer.Typer(help="Third-party apps (OAuth clients).")
app.add_typer(users_app, name="users")
app.add_typer(apps_app, name="apps")


@users_app.command("create")
def users_create(
    name: Annotated[str, typer.Argument(help="the name to sign in with")],
    password: Annotated[str, typer.Option(help="at least 8 characters")],
    country: Annotated[str, typer.Option(help="ISO country: decides the market")],
    product: Annotated[str, typer.Option(help=" or ".join(PRODUCTS))] = "free",
    role: Annotated[str, typer.Option(help=", ".join(ROLES))] = "listener",
    display_name: Annotated[str | None, typer.Option(help="what others see")] = None,
    email: Annotated[str | None, typer.Option()] = None,
    artist: Annotated[
        list[str] | None,
        typer.Option(help="an artist (catalog id or name) an artist account speaks for; repeatable"),
    ] = None,
) -> None:
    """Create a user."""

    def create(session: Session) -> None:
        user = account.create_user(
            session,
            name,
            password=password,
            country=country,
            product=product,
            role=role,
            display_name=display_name,
            email=email,
        )
        for wanted in artist or []:
            account.link_artist(session, user.name, _artist_id(session, wanted))
        typer.echo(f"created {user.name} ({user.id}): {user.product}, {user.role}, {user.country}")

    _in_unit_of_work(create)


def _artist_id(session: Session, id_or_name: str) -> str:
    """A catalog artist's id, given it or the artist's name (created if the catalog has none)."""
    try:
        return catalog_service.get_artist(session, parse_id(id_or_name, "artist"), base="").id
    except TonearmError:
        return catalog_service.ensure_artist(session, id_or_name)


@users_app.command("set-product")
def users_set_product(name: str, product: Annotated[str, typer.Argument(help=" or ".join(PRODUCTS))]) -> None:
    """Move a user to free or premium."""
    _in_unit_of_work(
        lambda session: typer.echo(f"{name}: {account.set_product(session, name, product).product}")
    )


@users_app.command("list")
def users_list() -> None:
    """Every user: name, id, product, role, country."""

    def show(session: Session) -> None:
        for user in account.list_users(session):
            typer.echo(f"{user.name}\t{user.id}\t{user.product}\t{user.role}\t{user.country}")

    _in_unit_of_work(show)


def _personal_data() -> tuple[PersonalDataProvider, ...]:
    """Every domain's personal-data provider, from the domain registry: what the server's
    scheduled erasures go through too."""
    from tonearm.domains import plugins

    return tuple(plugin.personal_data() for plugin in plugins() if plugin.personal_data)


@users_app.command("erase")
def users_erase(
    name: str,
    yes: Annotated[bool, typer.Option("--yes", help="do not ask for confirmation")] = False,
) -> None:
    """Erase a user's account and all their personal data now, in every domain (no grace
    period: this is the operator's tool; users ask with DELETE /v1/me)."""
    if not yes:
        typer.confirm(f"Erase {name} and all their personal data for good?", abort=True)
    providers = _personal_data()

    def erase(session: Session) -> None:
        erasure = privacy.erase(session, account.get_by_name(session, name).id, providers=providers)
        parts = ", ".join(f"{part} {rows}" for part, rows in erasure.providers.items())
        typer.echo(
            f"erased {name}: {erasure.tokens} tokens, {erasure.artist_links} artist links, "
            f"{erasure.apps_released} apps released" + (f"; {parts}" if parts else "")
        )

    _in_unit_of_work(erase)


@users_app.command("token")
def users_token(
    name: str,
    scope: Annotated[
        str, typer.Option(help='space-separated scopes, e.g. "user-read-private streaming"')
    ] = "",
) -> None:
    """Print an access token for a user (valid one hour), for operators and scripts."""
    _in_unit_of_work(
        lambda session: typer.echo(account.token_for_name(session, name, scope=scope).access_token)
    )


@apps_app.command("create")
def apps_create(
    name: str,
    redirect_uri: Annotated[list[str] | None, typer.Option(help="allowed redirect URI (repeatable)")] = None,
    public: Annotated[bool, typer.Option(help="a browser or mobile app: no secret, PKCE only")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="print client_id and secret as JSON")] = False,
) -> None:
    """Register an app; its secret is shown once."""

    def create(session: Session) -> None:
        client, secret = account.create_client(
            session, name, redirect_uris=redirect_uri or [], confidential=not public
        )
        shown = {
            "client_id": client.client_id,
            "client_secret": secret,
            "redirect_uris": client.redirect_uris,
        }
        typer.echo(json.dumps(shown) if as_json else "\n".join(f"{k}: {v}" for k, v in shown.items()))

    _in_unit_of_work(create)


listening_app = typer.Typer(help="Listening history.")
app.add_typer(listening_app, name="listening")


@listening_app.command("retention")
def listening_retention() -> None:
    """Delete listening history older than TONEARM_LISTENING_HISTORY_DAYS (the anonymous play
    tallies stay); prints how many plays went."""
    settings = Settings()
    runtime = open_runtime(settings)
    try:
        deleted = enforce_retention(runtime.session_factory, settings.listening_history_days)
    finally:
        runtime.close()
    typer.echo(f"deleted {deleted} plays older than {settings.listening_history_days} days")


def main() -> None:
    app()
