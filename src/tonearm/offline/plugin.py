"""The offline domain on the platform: its routes, its consumers (plays from the playback topic,
rights changes from the catalog topic) and its part of users' personal data."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from tonearm.kit.plugin import Platform, Plugin

if TYPE_CHECKING:
    from fastapi import APIRouter

    from tonearm.kit.consumers import Consumer
    from tonearm.kit.personal_data import PersonalDataProvider

__all__ = ["plugin"]


def _routers() -> Sequence[APIRouter]:
    from tonearm.offline.endpoints import router

    return (router,)


def _consumers(_platform: Platform) -> Sequence[Consumer]:
    from tonearm.offline.consumer import OfflinePlaysConsumer, OfflineRightsConsumer

    return (OfflinePlaysConsumer(), OfflineRightsConsumer())


def _personal_data() -> PersonalDataProvider:
    from tonearm.offline.personal_data import OfflineData

    return OfflineData()


plugin = Plugin(name="offline", routers=_routers, consumers=_consumers, personal_data=_personal_data)
