"""Warehouse: counted streams exported daily to Parquet, partitioned by date, queried with DuckDB.

    root = warehouse_root(settings)                  # <data_dir>/warehouse
    export_day(session_factory, settings, day)       # <root>/streams/date=YYYY-MM-DD/streams.parquet
    columns, rows = query(root, "SELECT count(*) FROM streams")

The layout, STREAMS_SCHEMA and the pseudonyms are a contract with the royalties domain: see
`layout` and `pseudonyms`.
"""

from tonearm.warehouse.errors import BadQuery, DayNotExportable, NothingExported
from tonearm.warehouse.export import ExportResult, export_day, export_days
from tonearm.warehouse.layout import STREAMS_SCHEMA, streams_glob, warehouse_root
from tonearm.warehouse.pseudonyms import ANONYMOUS, pseudonym
from tonearm.warehouse.query import query

__all__ = [
    "ANONYMOUS",
    "STREAMS_SCHEMA",
    "BadQuery",
    "DayNotExportable",
    "ExportResult",
    "NothingExported",
    "export_day",
    "export_days",
    "pseudonym",
    "query",
    "streams_glob",
    "warehouse_root",
]
