"""The one exception type the audio package raises for bad input."""

from __future__ import annotations

__all__ = ["AudioError"]


class AudioError(Exception):
    """A file cannot be used as audio; ``reason`` is short and fit to show a human."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
