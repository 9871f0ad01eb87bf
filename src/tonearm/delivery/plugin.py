"""The delivery domain on the platform: signed manifests and the media they name."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from tonearm.kit.plugin import Plugin

if TYPE_CHECKING:
    from fastapi import APIRouter

__all__ = ["plugin"]


def _routers() -> Sequence[APIRouter]:
    from tonearm.delivery.endpoints import router

    return (router,)


plugin = Plugin(name="delivery", routers=_routers)
