"""The offline domain's expected failures (below tonearm.errors' tree):

Forbidden (403)
└── NotPlayable (403, error.reason)
    ├── PremiumRequired   reason PREMIUM_REQUIRED: offline downloads are for premium accounts
    └── LicenceExpired    reason LICENCE_EXPIRED: a check-in or a new licence is needed first
TonearmError
└── DeviceLimitReached (409): a sixth offline device; the message says how to remove one
"""

from __future__ import annotations

from tonearm.errors import NotPlayable, TonearmError

__all__ = ["DeviceLimitReached", "LicenceExpired", "PremiumRequired"]


class PremiumRequired(NotPlayable):
    def __init__(self, message: str = "offline downloads need a premium account") -> None:
        super().__init__(message, "PREMIUM_REQUIRED")


class LicenceExpired(NotPlayable):
    def __init__(self, message: str) -> None:
        super().__init__(message, "LICENCE_EXPIRED")


class DeviceLimitReached(TonearmError):
    status = 409
