"""The ingest domain on the platform: uploads of masters and their jobs."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from tonearm.kit.plugin import Plugin

if TYPE_CHECKING:
    from fastapi import APIRouter

__all__ = ["plugin"]


def _routers() -> Sequence[APIRouter]:
    from tonearm.ingest.endpoints import router

    return (router,)


plugin = Plugin(name="ingest", routers=_routers)
