"""Running the royalty SQL (`royalties.sql`) on Spark: the same steps as `engine.run_duckdb`, in
Spark's dialect, for months too big for one machine. The outcome is the same too: the output
tables sorted by `engine.ORDER`, as Arrow tables with DuckDB's schema, so a writer cannot tell
which engine computed them (tests/royalties/test_spark_parity.py holds the two to that).

The session is `local[2]` unless `master=` or `TONEARM_SPARK_MASTER` names one; under
`spark-submit` (see `spark_job`) it is the one spark-submit configured. Each run works in a
session of its own on the shared context, so its views and settings stay its own. Only the JVM
works: no Python UDFs, so executors need no Python or tonearm.
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
    from pyspark.sql.types import DataType

__all__ = ["MASTER_ENV", "run_spark", "session"]

MASTER_ENV = "TONEARM_SPARK_MASTER"

# What the SQL needs of Spark: UTC days, and "user" read as a name, as DuckDB reads it (Spark
# takes double-quoted names only in ANSI mode, which also makes an overflow an error, not a NULL);
# Arrow for collecting on pyspark 3.5, which has no DataFrame.toArrow.
SETTINGS = {
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.ansi.enabled": "true",
    "spark.sql.ansi.doubleQuotedIdentifiers": "true",
    "spark.sql.execution.arrow.pyspark.enabled": "true",
}
# The types the steps give their output columns (sql.py casts to them), as DuckDB's Arrow has them.
ARROW_TYPES: dict[str, pa.DataType] = {"bigint": pa.int64(), "int": pa.int32(), "string": pa.string()}
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
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def _run_session(master: str | None) -> SparkSession:
    """A session of the run's own on the shared context: its views and settings stay its own."""
    spark = session(master).newSession()
    for key, value in SETTINGS.items():
        spark.conf.set(key, value)
    if (spark.sparkContext.master or "").startswith("local"):
        # A local month is small: Spark's 200 shuffle partitions would be 200 tiny tasks a step.
        spark.conf.set("spark.sql.shuffle.partitions", "4")
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
    spark = _run_session(master)
    _register_inputs(spark, streams_glob, str(rights), config)
    plan = steps(SPARK, start, end, config.fraud)
    progress("planning", 0.0)
    cached = _define(spark, plan)
    outputs = [step.name for step in plan if step.output]
    tables = {}
    try:
        # Spark computes only now, as each output is collected: the first holds most of the work.
        for n, name in enumerate(outputs):
            progress(name, n / len(outputs))
            tables[name] = _collect(spark.sql(f"SELECT * FROM {name} ORDER BY {ORDER[name]}"))
    finally:
        for frame in cached:
            frame.unpersist()
    progress("done", 1.0)
    return Outcome(tables)


def _define(spark: SparkSession, plan: Sequence[Step]) -> list[DataFrame]:
    """Each step as a temp view, the ones read again cached; returns those, to unpersist."""
    again = _read_again(plan)
    cached = []
    for step in plan:
        frame = spark.sql(step.sql)
        if step.name in again:
            cached.append(frame.cache())
        frame.createOrReplaceTempView(step.name)
    return cached


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
    """The rows as DuckDB hands them over: the same Arrow types, every column nullable."""
    schema = pa.schema([pa.field(field.name, _arrow_type(field.dataType)) for field in frame.schema])
    if hasattr(frame, "toArrow"):  # pyspark 4
        return frame.toArrow().cast(schema)
    return pa.Table.from_pandas(frame.toPandas(), schema=schema, preserve_index=False)


def _arrow_type(kind: DataType) -> pa.DataType:
    name = kind.simpleString()
    if name not in ARROW_TYPES:
        raise TypeError(f"an output column is {name}: give it one of {', '.join(ARROW_TYPES)} in sql.py")
    return ARROW_TYPES[name]
