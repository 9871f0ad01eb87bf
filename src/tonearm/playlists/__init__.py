"""Playlists: versioned, collaborative, followed; every edit a snapshot with its history.

The public face: the service, covers, and public playlists as records and simplified objects for search.
"""

from tonearm.playlists.covers import PlaylistCovers
from tonearm.playlists.covers import covers as playlist_covers
from tonearm.playlists.indexed import (
    PlaylistRecord,
    all_records,
    count_records,
    public_records,
    simple_playlists,
)
from tonearm.playlists.schemas import PlaylistSimple
from tonearm.playlists.service import MAX_ITEMS, PlaylistService, Removal, playlists

__all__ = [
    "MAX_ITEMS",
    "PlaylistCovers",
    "PlaylistRecord",
    "PlaylistService",
    "PlaylistSimple",
    "Removal",
    "all_records",
    "count_records",
    "playlist_covers",
    "playlists",
    "public_records",
    "simple_playlists",
]
