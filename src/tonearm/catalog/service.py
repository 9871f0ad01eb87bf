"""The catalog service: Spotify-shaped reads (`reads`), playback for delivery (`playback`),
publishing what ingest made (`publish`), album covers (`covers`) and the audio features
(`features`), as one object, `catalog`."""

from __future__ import annotations

from tonearm.catalog.covers import CatalogCovers
from tonearm.catalog.features import CatalogFeatures
from tonearm.catalog.playback import CatalogPlayback
from tonearm.catalog.publish import CatalogPublishing, validate_isrc
from tonearm.catalog.reads import ALBUM_GROUPS, CatalogReads

__all__ = ["ALBUM_GROUPS", "CatalogService", "catalog", "validate_isrc"]


class CatalogService(CatalogReads, CatalogPlayback, CatalogPublishing, CatalogCovers, CatalogFeatures):
    """Each part keeps to its own module; only playback holds state (its media cache)."""


catalog = CatalogService()
