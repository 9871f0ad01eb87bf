"""The playlists domain on the platform: its routes and its part of users' personal data."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from tonearm.kit.plugin import Plugin

if TYPE_CHECKING:
    from fastapi import APIRouter

    from tonearm.kit.personal_data import PersonalDataProvider

__all__ = ["plugin"]


def _routers() -> Sequence[APIRouter]:
    from tonearm.playlists.endpoints import images_router, router

    return (router, images_router)


def _personal_data() -> PersonalDataProvider:
    from tonearm.playlists.personal_data import PlaylistData

    return PlaylistData()


plugin = Plugin(name="playlists", routers=_routers, personal_data=_personal_data)
