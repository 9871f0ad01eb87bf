"""The ingest domain on the platform: uploads of masters and their jobs."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from tonearm.kit.plugin import Plugin

if TYPE_CHECKING:
    import typer
    from fastapi import APIRouter

    from tonearm.kit.commands import Commands

__all__ = ["plugin"]


def _routers() -> Sequence[APIRouter]:
    from tonearm.ingest.endpoints import router

    return (router,)


def _top_commands(app: typer.Typer, commands: Commands) -> None:
    from tonearm.ingest.commands import add_commands

    add_commands(app, commands)


plugin = Plugin(name="ingest", routers=_routers, top_commands=_top_commands)
