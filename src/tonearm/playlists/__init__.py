"""Playlists: versioned, collaborative, followed; every edit a snapshot with its history."""

from tonearm.playlists.service import MAX_ITEMS, PlaylistService, Removal, playlists

__all__ = ["MAX_ITEMS", "PlaylistService", "Removal", "playlists"]
