"""API shapes shared by every domain: Spotify's error object, images, and the base of every
response shape."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

__all__ = ["ERROR_RESPONSES", "ErrorBody", "ErrorDetail", "Frozen", "Image"]


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class Image(Frozen):
    """A cover in one size (width and height are unknown for an uploaded one, as at Spotify)."""

    url: str
    height: int | None
    width: int | None


class ErrorDetail(BaseModel):
    model_config = ConfigDict(frozen=True)

    status: int
    message: str
    reason: str | None = None


class ErrorBody(BaseModel):
    model_config = ConfigDict(frozen=True)

    error: ErrorDetail


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody, "description": description}
    for status, description in (
        (400, "the request is malformed; the message says what to fix"),
        (401, "no valid credentials"),
        (403, "not allowed, or not playable here (error.reason)"),
        (404, "no such object"),
        (413, "too large"),
        (415, "not a supported media type"),
        (429, "too many requests"),
    )
}
