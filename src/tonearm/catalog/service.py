"""The catalog service: Spotify-shaped reads (`reads`), playback for delivery (`playback`),
publishing what ingest made (`publish`), album covers (`covers`), the audio features
(`features`) and whom each track's streams pay (`rightsholders`), as one object, `catalog`."""

from __future__ import annotations

from tonearm.catalog.covers import CatalogCovers
from tonearm.catalog.features import CatalogFeatures
from tonearm.catalog.playback import CatalogPlayback
from tonearm.catalog.publish import CatalogPublishing, validate_isrc
from tonearm.catalog.reads import ALBUM_GROUPS, CatalogReads
from tonearm.catalog.rightsholders import CatalogRightsholders

__all__ = ["ALBUM_GROUPS", "CatalogService", "catalog", "validate_isrc"]


class CatalogService(
    CatalogReads, CatalogPlayback, CatalogPublishing, CatalogCovers, CatalogFeatures, CatalogRightsholders
):
    """Each part keeps to its own module; only playback holds state (its media cache)."""


catalog = CatalogService()
