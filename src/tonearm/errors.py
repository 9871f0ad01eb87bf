"""Expected failures, each with the HTTP status it maps to, and optionally a machine-readable
`reason` (Spotify's, such as NO_ACTIVE_DEVICE or PREMIUM_REQUIRED) sent as `error.reason`.

TonearmError (500)
├── BadRequest (400)
│   ├── InvalidId
│   └── InvalidUpload
├── Unauthorized (401)
├── Forbidden (403)
│   ├── SignatureInvalid
│   └── NotPlayable
├── NotFound (404)
├── PayloadTooLarge (413)
├── RangeNotSatisfiable (416)
├── UnsupportedMedia (415)
├── TooManyRequests (429)
└── BackendError (503)
"""

from __future__ import annotations

__all__ = [
    "BackendError",
    "BadRequest",
    "Forbidden",
    "InvalidId",
    "InvalidUpload",
    "NotFound",
    "NotPlayable",
    "PayloadTooLarge",
    "RangeNotSatisfiable",
    "SignatureInvalid",
    "TonearmError",
    "TooManyRequests",
    "Unauthorized",
    "UnsupportedMedia",
]


class TonearmError(Exception):
    status = 500
    # Sent beside the message when set: what a client branches on (Spotify's player reasons).
    reason: str | None = None

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        if status is not None:
            self.status = status


class BadRequest(TonearmError):
    status = 400


class InvalidId(BadRequest):
    """An id, or the id in a tonearm: URI, that is not 22 base62 characters."""


class InvalidUpload(BadRequest):
    """An upload that cannot be ingested as sent: a corrupt master, audio that does not match its
    file name, or a file name with a path in it."""


class Unauthorized(TonearmError):
    status = 401


class TooManyRequests(TonearmError):
    """Answered with Retry-After: whole seconds until a retry can succeed."""

    status = 429

    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class Forbidden(TonearmError):
    status = 403


class SignatureInvalid(Forbidden):
    """A signed media URL that is tampered with, expired, or signed by an unknown key."""


class NotPlayable(Forbidden):
    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


class NotFound(TonearmError):
    status = 404


class PayloadTooLarge(TonearmError):
    status = 413


class UnsupportedMedia(TonearmError):
    status = 415


class RangeNotSatisfiable(TonearmError):
    status = 416

    def __init__(self, message: str, size: int) -> None:
        super().__init__(message)
        self.size = size


class BackendError(TonearmError):
    status = 503
