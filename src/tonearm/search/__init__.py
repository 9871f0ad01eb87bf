"""Search: an embedded tantivy index over the catalog, fed by its change feed."""
