"""The one exception type the audio package raises for bad input."""

from __future__ import annotations

__all__ = ["AudioError", "AudioTooLarge", "UnsupportedAudio"]


class AudioError(Exception):
    """A file cannot be used as audio; ``reason`` is short and fit to show a human."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class UnsupportedAudio(AudioError):
    """Well-formed, but a codec or container Tonearm does not take."""


class AudioTooLarge(AudioError):
    """Over the configured limit of bytes or seconds."""
