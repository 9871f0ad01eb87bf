"""The royalties domain on the platform: its commands and routes (statements for admins and
for artist accounts)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from tonearm.kit.plugin import Plugin

if TYPE_CHECKING:
    import typer
    from fastapi import APIRouter

    from tonearm.kit.commands import Commands

__all__ = ["plugin"]


def _commands(commands: Commands) -> typer.Typer:
    from tonearm.royalties.commands import royalties_commands

    return royalties_commands(commands)


def _routers() -> Sequence[APIRouter]:
    from tonearm.royalties.endpoints import router

    return (router,)


plugin = Plugin(name="royalties", commands=_commands, routers=_routers)
