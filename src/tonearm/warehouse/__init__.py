"""Warehouse: counted streams exported daily to Parquet, partitioned by date, queried with DuckDB."""
