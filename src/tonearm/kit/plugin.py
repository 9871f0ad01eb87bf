"""What a domain plugs into the platform: its routers, CLI commands, event consumers,
background jobs, personal-data provider and the topics it publishes.

Each domain folder has a `plugin.py` with `plugin = Plugin(...)`, and `tonearm.domains` lists
the domains; the app, the CLI and the privacy service read that list. A new domain needs its
folder, its line in `tonearm.domains` and its events in `tonearm.events`, and nothing else.
Everything is built lazily (callables), so a CLI command loads only what it runs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy.orm import Session, sessionmaker

from tonearm.backends.blobs import BlobStore
from tonearm.backends.eventlog import EventLog, Retention
from tonearm.config import Settings
from tonearm.kit.consumers import Consumer
from tonearm.kit.metrics import Metrics
from tonearm.kit.personal_data import PersonalDataProvider
from tonearm.kit.signing import KeyRing

if TYPE_CHECKING:
    import typer
    from fastapi import APIRouter, FastAPI

    from tonearm.kit.commands import Commands

__all__ = ["Job", "Platform", "Plugin"]


class Platform(Protocol):
    """The backends one process opened (the runtime): what consumers and jobs are built from."""

    @property
    def settings(self) -> Settings: ...
    @property
    def session_factory(self) -> sessionmaker[Session]: ...
    @property
    def event_log(self) -> EventLog: ...
    @property
    def blobs(self) -> BlobStore: ...
    @property
    def keys(self) -> KeyRing: ...
    @property
    def metrics(self) -> Metrics: ...
    def close(self) -> None: ...


class Job(Protocol):
    """A background job of a server process (retention, scheduled erasures, a search replica)."""

    def start(self) -> None: ...
    def stop(self) -> None: ...


def _none(*_args: Any) -> Sequence[Any]:
    return ()


@dataclass(frozen=True)
class Plugin:
    name: str
    routers: Callable[[], Sequence[APIRouter]] = _none
    # A Typer app mounted as `tonearm <name> ...`; `top_commands` adds commands (or groups of
    # another name) at the top level. Both are given what commands open the platform with.
    commands: Callable[[Commands], typer.Typer] | None = None
    top_commands: Callable[[typer.Typer, Commands], None] | None = None
    consumers: Callable[[Platform], Sequence[Consumer]] = _none
    jobs: Callable[[Platform], Sequence[Job]] = _none
    personal_data: Callable[[], PersonalDataProvider] | None = None
    # Called once per app, to put a domain's long-lived services on app.state; answers the jobs
    # those services need running while the app serves (a search replica following the catalog).
    on_app: Callable[[FastAPI, Platform], Sequence[Job] | None] | None = None
    topics: Mapping[str, Retention] = field(default_factory=dict)
