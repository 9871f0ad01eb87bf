"""Offline downloads: premium listeners' devices, licences to hold tracks on them for 30 days
(renewed at check-in), and the files, encrypted for each device (see `crypto` for the format).

The public face: the service and its limits."""

from tonearm.offline.service import (
    LICENCE_LIFETIME,
    LICENSED_KINDS,
    MAX_DEVICES,
    MAX_TRACKS_PER_DEVICE,
    OfflineService,
    offline,
)

__all__ = [
    "LICENCE_LIFETIME",
    "LICENSED_KINDS",
    "MAX_DEVICES",
    "MAX_TRACKS_PER_DEVICE",
    "OfflineService",
    "offline",
]
