"""The `tonearm` command: `run` and `serve` here, `events` for the event log, and every domain's
own commands, mounted from the domain registry (`tonearm ingest`, `tonearm users ...`)."""

from __future__ import annotations

import fcntl
import secrets
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tonearm.accounts import PREMIUM, account
from tonearm.config import Settings
from tonearm.domains import plugins
from tonearm.errors import NotFound
from tonearm.event_commands import event_commands
from tonearm.kit.commands import Commands
from tonearm.kit.logs import configure_logging
from tonearm.kit.metrics import share_metrics_across_workers
from tonearm.kit.personal_data import PersonalDataProvider
from tonearm.runtime import open_runtime

__all__ = ["build_cli", "main"]

ADMIN = "admin"
FIRST_START_LOCK = ".first-start.lock"


def _personal_data() -> tuple[PersonalDataProvider, ...]:
    return tuple(plugin.personal_data() for plugin in plugins() if plugin.personal_data)


commands = Commands(open_runtime, _personal_data)


@contextmanager
def _first_start(settings: Settings) -> Iterator[None]:
    """One first start at a time on a data folder: a second `tonearm run` begun at the same
    moment waits here, then finds the migrations, the demo catalog and the admin made."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    with open(settings.data_dir / FIRST_START_LOCK, "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _first_admin(settings: Settings) -> Path:
    """On a fresh platform, an admin account with a random password kept beside the data."""
    password_file = settings.data_dir / "admin.password"
    if password_file.exists():
        return password_file
    password = secrets.token_urlsafe(12)

    def create(session: Session) -> bool:
        with suppress(NotFound):
            account.get_by_name(session, ADMIN)
            return False
        account.create_user(session, ADMIN, password=password, country="US", role="admin", product=PREMIUM)
        return True

    try:
        created = commands.in_unit_of_work(create)
    except IntegrityError:
        created = False  # made at the same moment by another machine sharing the database
    if not created:
        # Made by a first start on another machine sharing the database: its password is there.
        typer.echo("the admin account exists already (made by another node)", err=True)
        return password_file
    password_file.write_text(password + "\n")
    password_file.chmod(0o600)
    return password_file


def _serve(settings: Settings, host: str, port: int, workers: int = 1) -> None:
    # granian (Rust HTTP, ASGI) sends media ranges at about twice uvicorn's rate on this
    # machine: see the serving row of docs/BENCHMARKS.md.
    from granian import Granian
    from granian.constants import Interfaces
    from granian.log import LogLevels

    # Migrate once here, so worker processes never race each other to create tables.
    with _first_start(settings):
        open_runtime(settings).close()
    share_metrics_across_workers(workers)
    Granian(
        "tonearm.app:app_from_env",
        factory=True,
        interface=Interfaces.ASGI,
        address=host,
        port=port,
        workers=workers,
        log_level=LogLevels.warning,
    ).serve()


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


def run(
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port to listen on")] = 8000,
) -> None:
    """Create the demo catalog on first start, then serve, printing the URL to open."""
    from tonearm.ingest.commands import DEMO_DONE, make_demo

    settings = Settings()
    with _first_start(settings):
        if not (settings.data_dir / DEMO_DONE).exists():
            make_demo(commands)
        password_file = _first_admin(settings)
    configure_logging(json=settings.log_json)
    typer.echo(f"\nTonearm is running. Open http://{host}:{port}/ and sign up.\n")
    typer.echo(f"The operator account is '{ADMIN}'; its password is in {password_file}.")
    typer.echo(f"A token for scripts and POST /v1/ingest: tonearm users token {ADMIN}")
    _serve(settings, host, port)


def build_cli() -> typer.Typer:
    app = typer.Typer(add_completion=False, help="Tonearm: a music streaming platform.")
    app.command()(run)
    app.command()(serve)
    app.add_typer(event_commands(commands), name="events")
    for plugin in plugins():
        if plugin.top_commands is not None:
            plugin.top_commands(app, commands)
        if plugin.commands is not None:
            app.add_typer(plugin.commands(commands), name=plugin.name)
    return app


def main() -> None:
    build_cli()()
