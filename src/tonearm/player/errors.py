"""The player's expected failures, with Spotify's `reason` where Spotify has one."""

from __future__ import annotations

from tonearm.errors import BackendError, BadRequest, Forbidden, NotFound

__all__ = [
    "DeviceNotFound",
    "HostRestricted",
    "NoActiveDevice",
    "NotInSession",
    "NothingToPlay",
    "PlayerBusy",
    "PremiumRequired",
    "SessionNotFound",
    "VolumeControlDisallowed",
]


class NoActiveDevice(NotFound):
    """A command with no device named and none playing (or the one playing has gone)."""

    reason = "NO_ACTIVE_DEVICE"


class DeviceNotFound(NotFound):
    """A device id the user has no such device under (another user's ids are unknown here)."""


class PremiumRequired(Forbidden):
    """Control of playback by a third-party app for a free listener (as at Spotify)."""

    reason = "PREMIUM_REQUIRED"


class VolumeControlDisallowed(Forbidden):
    reason = "VOLUME_CONTROL_DISALLOW"


class NothingToPlay(BadRequest):
    """Resume with nothing loaded, or a context with no track this listener may play."""

    reason = "NO_SPECIFIC_TRACK"


class SessionNotFound(NotFound):
    """A Group Session code that names no session, or one that has ended."""


class NotInSession(Forbidden):
    """Acting on a Group Session the caller has not joined."""


class HostRestricted(Forbidden):
    """A member skipping where the host has kept skipping to the host."""

    reason = "HOST_RESTRICTED"


class PlayerBusy(BackendError):
    """A state changed by others on every attempt (it does not happen short of a storm)."""
