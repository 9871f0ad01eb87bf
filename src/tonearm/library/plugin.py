"""The library domain on the platform: its routes and its part of users' personal data."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from tonearm.kit.plugin import Plugin

if TYPE_CHECKING:
    from fastapi import APIRouter

    from tonearm.kit.personal_data import PersonalDataProvider

__all__ = ["plugin"]


def _routers() -> Sequence[APIRouter]:
    from tonearm.library.endpoints import router

    return (router,)


def _personal_data() -> PersonalDataProvider:
    from tonearm.library.personal_data import LibraryData

    return LibraryData()


plugin = Plugin(name="library", routers=_routers, personal_data=_personal_data)
