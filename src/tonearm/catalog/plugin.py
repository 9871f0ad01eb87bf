"""The catalog domain on the platform: artists, albums and tracks to read, and admin routes."""

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
    from tonearm.catalog.endpoints import admin_router, images_router, router

    return (router, admin_router, images_router)


def _commands(commands: Commands) -> typer.Typer:
    from tonearm.catalog.commands import catalog_commands

    return catalog_commands(commands)


plugin = Plugin(name="catalog", commands=_commands, routers=_routers)
