"""Catalog: artists, albums, tracks, their audio files and rights.

The public face other domains import: the catalog service, its feed (rights and popularity
changes, and the records its followers re-read when its events name them), and the frozen values
it hands out (what a track has to play, what ingest publishes).
"""

from tonearm.catalog.feed import CatalogFeed
from tonearm.catalog.feed import feed as catalog_feed
from tonearm.catalog.media import AnalysisSource, HlsRef, NewTrack, RenditionRef, TrackFacts, TrackMedia
from tonearm.catalog.records import AlbumRecord, ArtistRecord, Credit, Kind, Record, TrackRecord
from tonearm.catalog.schemas import (
    AlbumFull,
    AlbumsPage,
    ArtistFull,
    ArtistsPage,
    Paging,
    TrackFull,
    TrackSimple,
    TracksPage,
)
from tonearm.catalog.service import ALBUM_GROUPS, CatalogService, catalog, validate_isrc

__all__ = [
    "ALBUM_GROUPS",
    "AlbumFull",
    "AlbumRecord",
    "AlbumsPage",
    "AnalysisSource",
    "ArtistFull",
    "ArtistRecord",
    "ArtistsPage",
    "CatalogFeed",
    "CatalogService",
    "Credit",
    "HlsRef",
    "Kind",
    "NewTrack",
    "Paging",
    "Record",
    "RenditionRef",
    "TrackFacts",
    "TrackFull",
    "TrackMedia",
    "TrackRecord",
    "TrackSimple",
    "TracksPage",
    "catalog",
    "catalog_feed",
    "validate_isrc",
]
