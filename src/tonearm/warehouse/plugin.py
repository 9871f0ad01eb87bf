"""The warehouse domain on the platform."""

from __future__ import annotations

from tonearm.kit.plugin import Plugin

__all__ = ["plugin"]

plugin = Plugin(name="warehouse")
