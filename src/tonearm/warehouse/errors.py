"""The warehouse's expected failures."""

from __future__ import annotations

from tonearm.errors import BadRequest, NotFound

__all__ = ["BadQuery", "DayNotExportable", "NothingExported"]


class NothingExported(NotFound):
    """A query before any day was exported: there is no table to run it over."""


class BadQuery(BadRequest):
    """SQL that DuckDB cannot parse, or that names what the warehouse does not hold."""


class DayNotExportable(BadRequest):
    """A day in the future, or one whose plays listening retention has (partly) deleted:
    exporting it again would shrink the file royalties were paid from."""
