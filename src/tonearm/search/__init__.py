"""Search: an embedded tantivy index over the catalog, fed by the catalog's events on the log."""

from tonearm.search.service import SearchService

__all__ = ["SearchService"]
