"""The offline domain's expected failures (below tonearm.errors' tree), each with its reason:

Forbidden (403)
├── PremiumRequired     PREMIUM_REQUIRED: offline downloads are for premium accounts
└── LicenceExpired      LICENCE_EXPIRED: a check-in or the licence asked for again comes first
TonearmError
└── DeviceLimitReached  (409) DEVICE_LIMIT: a sixth offline device; the message says how to
                        remove one
"""

from __future__ import annotations

from tonearm.errors import Forbidden, TonearmError

__all__ = ["DeviceLimitReached", "LicenceExpired", "PremiumRequired"]


class PremiumRequired(Forbidden):
    reason = "PREMIUM_REQUIRED"

    def __init__(self, message: str = "offline downloads need a premium account") -> None:
        super().__init__(message)


class LicenceExpired(Forbidden):
    reason = "LICENCE_EXPIRED"


class DeviceLimitReached(TonearmError):
    status = 409
    reason = "DEVICE_LIMIT"
