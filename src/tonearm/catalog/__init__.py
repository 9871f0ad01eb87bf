"""Catalog: artists, albums, tracks, their audio files and rights.

The public face other domains import: the catalog service, its feed (rights and popularity
changes, and the records its followers re-read when its events name them), and the frozen values
it hands out (what a track has to play, what ingest publishes, whom its streams pay).

Whom a stream pays: a track's rightsholder (a label or a distributor, one per name however it
is written; `catalog.set_rightsholder`, or the label its master's tags name) takes each counted
stream's money, and the track's splits (`catalog.set_splits`, in basis points) divide it among
parties. Stored splits add up to exactly 10000 bp (100 %). A track with a rightsholder and no
stored splits pays 100 % to the rightsholder itself: `splits_of` and `rights_rows` give it one
split with the rightsholder's name as party and role 'label'. A track without a rightsholder
pays no one and is not in `rights_rows`.
"""

from tonearm.catalog.feed import CatalogFeed
from tonearm.catalog.feed import feed as catalog_feed
from tonearm.catalog.media import (
    RIGHTSHOLDER_KINDS,
    SPLIT_ROLES,
    WHOLE_BP,
    AnalysisSource,
    HlsRef,
    NewTrack,
    RenditionRef,
    RightsholderKind,
    RightsholderRecord,
    RightsRow,
    Split,
    SplitRole,
    TrackFacts,
    TrackMedia,
)
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
    "RIGHTSHOLDER_KINDS",
    "SPLIT_ROLES",
    "WHOLE_BP",
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
    "RightsRow",
    "RightsholderKind",
    "RightsholderRecord",
    "Split",
    "SplitRole",
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
