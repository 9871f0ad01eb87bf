"""The shares domain on the platform: its routes (the API and the public page) and its part of
users' personal data."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from tonearm.kit.plugin import Plugin

if TYPE_CHECKING:
    from fastapi import APIRouter

    from tonearm.kit.personal_data import PersonalDataProvider

__all__ = ["plugin"]


def _routers() -> Sequence[APIRouter]:
    from tonearm.shares.endpoints import page_router, router

    return (router, page_router)


def _personal_data() -> PersonalDataProvider:
    from tonearm.shares.personal_data import ShareData

    return ShareData()


plugin = Plugin(name="shares", routers=_routers, personal_data=_personal_data)
