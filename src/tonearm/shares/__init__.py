"""Shares: links to a playlist, an album or a track, with an optional expiry, that open a public
page for signed-out visitors (cover, names and 30-second previews)."""

from tonearm.shares.service import SHARED_KINDS, ShareService, shares

__all__ = ["SHARED_KINDS", "ShareService", "shares"]
