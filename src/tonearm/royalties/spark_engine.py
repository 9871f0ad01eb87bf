"""Running the royalty SQL (`royalties.sql`) on Spark: the same steps as `engine.run_duckdb`, in
Spark's dialect, for months too big for one machine. The outcome is the same too: the output
tables sorted by `engine.ORDER`, as Arrow tables with DuckDB's schema, so a writer cannot tell
which engine computed them (tests/royalties/test_spark_parity.py holds the two to that).

The session is `local[2]` unless `master=` or `TONEARM_SPARK_MASTER` names one; under
`spark-submit` (see `spark_job`) it is the one spark-submit configured. Each run works in a
session of its own on the shared context, so its views and settings stay its own.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa

from tonearm.errors import BadRequest
from tonearm.royalties.config import RoyaltyConfig
from tonearm.royalties.engine import ORDER, Outcome, Progress, month_bounds, pools_table
from tonearm.royalties.sql import SPARK, Step, steps

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

__all__ = ["MASTER_ENV", "run_spark", "session"]

MASTER_ENV = "TONEARM_SPARK_MASTER"

# What the SQL needs of Spark: UTC days, and "user" read as a name, as DuckDB reads it (Spark
# takes double-quoted names only in ANSI mode, which also makes an overflow an error, not a NULL).
SETTINGS = {
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.ansi.enabled": "true",
    "spark.sql.ansi.doubleQuotedIdentifiers": "true",
    "spark.sql.execution.arrow.pyspark.enabled": "true",
}
POOLS_SCHEMA = "market STRING, product STRING, currency STRING, pool_minor BIGINT"


def session(master: str | None = None) -> SparkSession:
    """The process's Spark session (created once, then shared): `master`, else the
    `TONEARM_SPARK_MASTER` environment variable, else spark-submit's, else `local[2]`; no UI,
    errors only in the log."""
    from pyspark.sql import SparkSession

    chosen = master or os.environ.get(MASTER_ENV)
    # spark-submit starts the JVM first and hands Python its gateway: its --master then stands.
    if chosen is None and "PYSPARK_GATEWAY_PORT" not in os.environ:
        chosen = "local[2]"
    builder = (
        SparkSession.builder.appName("tonearm-royalties")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
    )
    if chosen is not None:
        builder = builder.master(chosen)
    if chosen is not None and chosen.startswith("local"):
        # A local month is small: Spark's 200 shuffle partitions would be 200 tiny tasks a step.
        builder = builder.config("spark.sql.shuffle.partitions", "4")
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def _quiet(stage: str, fraction: float) -> None:
    """The default progress callback: says nothing."""


def run_spark(
    streams_glob: str,
    rights: Path | str,
    config: RoyaltyConfig,
    month: str,
    *,
    master: str | None = None,
    progress: Progress = _quiet,
) -> Outcome:
    start, end = month_bounds(month)
    spark = session(master).newSession()
    for key, value in SETTINGS.items():
        spark.conf.set(key, value)
    _register_inputs(spark, streams_glob, str(rights), config)
    plan = steps(SPARK, start, end, config.fraud)
    kept = _read_again(plan)
    cached: list[DataFrame] = []
    try:
        for n, step in enumerate(plan):
            progress(step.name, n / len(plan))
            frame = spark.sql(step.sql)
            if step.name in kept:
                cached.append(frame.cache())
            frame.createOrReplaceTempView(step.name)
        outputs = {}
        for step in plan:
            if step.output:
                progress(f"collect {step.name}", 1.0)
                outputs[step.name] = _collect(
                    spark.sql(f"SELECT * FROM {step.name} ORDER BY {ORDER[step.name]}")
                )
        progress("done", 1.0)
        return Outcome(outputs)
    finally:
        for frame in cached:
            frame.unpersist()


def _register_inputs(spark: SparkSession, streams_glob: str, rights: str, config: RoyaltyConfig) -> None:
    from pyspark.errors import AnalysisException

    try:
        spark.read.parquet(streams_glob).createOrReplaceTempView("streams_raw")
        spark.read.parquet(rights).createOrReplaceTempView("rights")
    except AnalysisException as missing:
        raise BadRequest(f"the month's streams or rights could not be read: {missing}") from missing
    pools = pools_table(config).to_pylist()
    spark.createDataFrame([tuple(row.values()) for row in pools], POOLS_SCHEMA).createOrReplaceTempView(
        "pools"
    )


def _read_again(plan: Sequence[Step]) -> set[str]:
    """The steps read more than once (by later steps, or by a later step and the collect): worth
    caching, or Spark computes them again for each reader."""
    readers = {
        step.name: sum(1 for later in plan[n + 1 :] if re.search(rf"\b{step.name}\b", later.sql))
        for n, step in enumerate(plan)
    }
    return {step.name for step in plan if readers[step.name] + step.output > 1}


def _collect(frame: DataFrame) -> pa.Table:
    """The rows as DuckDB hands them over: every column nullable, strings as `string`."""
    table = frame.toArrow() if hasattr(frame, "toArrow") else pa.Table.from_pandas(frame.toPandas())
    fields = [pa.field(field.name, _duckdb_type(field.type)) for field in table.schema]
    return table.cast(pa.schema(fields))


def _duckdb_type(kind: pa.DataType) -> pa.DataType:
    if pa.types.is_large_string(kind):
        return pa.string()
    return kind
