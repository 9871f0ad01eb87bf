"""Search: an embedded tantivy index over the catalog, fed by its change feed."""

from tonearm.search.service import SearchService

__all__ = ["SearchService"]
