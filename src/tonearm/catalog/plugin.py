"""The catalog domain on the platform: artists, albums and tracks to read, and admin routes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from tonearm.kit.plugin import Plugin

if TYPE_CHECKING:
    from fastapi import APIRouter

__all__ = ["plugin"]


def _routers() -> Sequence[APIRouter]:
    from tonearm.catalog.endpoints import admin_router, router

    return (router, admin_router)


plugin = Plugin(name="catalog", routers=_routers)
