"""The search domain on the platform: the search route, and this node's replica of the index,
which follows the catalog in the background."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from tonearm.kit.plugin import Job, Platform, Plugin

if TYPE_CHECKING:
    import typer
    from fastapi import APIRouter, FastAPI

    from tonearm.kit.commands import Commands

__all__ = ["plugin"]


def _routers() -> Sequence[APIRouter]:
    from tonearm.search.endpoints import router

    return (router,)


def _on_app(app: FastAPI, platform: Platform) -> Sequence[Job]:
    from tonearm.search.replica import SearchReplica
    from tonearm.search.service import SearchService

    replica = SearchReplica(platform.settings.search_dir, platform.session_factory, platform.event_log)
    app.state.search = SearchService(replica)
    return (replica,)


def _commands(commands: Commands) -> typer.Typer:
    from tonearm.search.commands import search_commands

    return search_commands(commands)


plugin = Plugin(name="search", commands=_commands, routers=_routers, on_app=_on_app)
