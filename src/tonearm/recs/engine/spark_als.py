"""Spark MLlib ALS: the scale-out factoriser. It factorises the same confidence-weighted users x
items matrix as `factors.factorise` and returns the factors in the engine's row order, so the
hybrid, the reasons and the ANN index built on them are unchanged:

    model = train(feedback, side, params=params, factoriser=SparkFactoriser())

In process the matrix becomes a DataFrame of (user, item, weight) rows on a local session
(`local[2]` unless `master=` or `TONEARM_SPARK_MASTER` says otherwise). On a cluster the
interactions are Parquet (`write_interactions` writes them; columns `user`, `item` as row and
column numbers, `weight` the confidence) and this module is the job:

    spark-submit --master spark://HOST:7077 \\
        --packages org.apache.hadoop:hadoop-aws:3.4.1 \\
        .venv/lib/python3.11/site-packages/tonearm/recs/engine/spark_als.py \\
        s3a://BUCKET/recs/interactions.parquet factors.npz --factors 64 --iterations 15

which writes `user_factors` and `item_factors` to the .npz (credentials as Hadoop's s3a reads
them: `spark.hadoop.fs.s3a.*` settings or the AWS environment variables).

Spark reads the weights as implicit's ALS does (confidence 1 + alpha * |w|, preference w > 0)
but scales `regParam` by each row's number of positive entries (ALS-WR), so the same
`Params.regularization` is a stronger penalty here: tune it on its own.
"""

from __future__ import annotations

import argparse
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import scipy.sparse as sp

from tonearm.recs.engine.values import Params

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

__all__ = [
    "MASTER_ENV",
    "SparkFactoriser",
    "factorise_frame",
    "interactions_frame",
    "main",
    "session",
    "write_interactions",
]

MASTER_ENV = "TONEARM_SPARK_MASTER"
SCHEMA = "user INT, item INT, weight FLOAT"


def session(master: str | None = None) -> SparkSession:
    """The process's Spark session (created once, then shared): `master`, else the
    `TONEARM_SPARK_MASTER` environment variable, else `local[2]`; no UI, warnings and errors only."""
    from pyspark.sql import SparkSession

    spark = (
        SparkSession.builder.master(master or os.environ.get(MASTER_ENV) or "local[2]")
        .appName("tonearm-recs-als")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    return spark


@dataclass(frozen=True)
class SparkFactoriser:
    """A `Factoriser` for `train`: the weights go to Spark as a DataFrame, the factors come back."""

    master: str | None = None

    def __call__(self, weights: sp.csr_matrix, params: Params) -> tuple[np.ndarray, np.ndarray]:
        if not weights.nnz:
            users, items = weights.shape
            return np.zeros((users, params.factors), np.float32), np.zeros(
                (items, params.factors), np.float32
            )
        spark = session(self.master)
        with tempfile.TemporaryDirectory(prefix="tonearm-spark-") as folder:
            frame = interactions_frame(spark, weights, Path(folder) / "interactions.csv")
            return factorise_frame(frame, weights.shape, params)


def interactions_frame(spark: SparkSession, weights: sp.csr_matrix, scratch: Path) -> DataFrame:
    """The non-zero entries of the matrix as (user, item, weight) rows, through a CSV file at
    `scratch` that the JVM reads itself (no Python workers; a local master's executors share
    the driver's disk, a cluster's read Parquet)."""
    coo = weights.tocoo()
    with scratch.open("w") as out:
        for user, item, weight in zip(coo.row.tolist(), coo.col.tolist(), coo.data.tolist(), strict=True):
            out.write(f"{user},{item},{weight!r}\n")
    return spark.read.csv(str(scratch), schema=SCHEMA)


def factorise_frame(
    frame: DataFrame, shape: tuple[int, int], params: Params
) -> tuple[np.ndarray, np.ndarray]:
    """User and item factors (float32, rows in matrix order) from (user, item, weight) rows;
    a row or column with no entries stays at the origin, as in `factors.factorise`."""
    from pyspark.ml.recommendation import ALS

    blocks = max(frame.sparkSession.sparkContext.defaultParallelism, 1)
    als = ALS(
        rank=params.factors,
        maxIter=params.iterations,
        regParam=params.regularization,
        alpha=params.alpha,
        implicitPrefs=True,
        userCol="user",
        itemCol="item",
        ratingCol="weight",
        numUserBlocks=blocks,
        numItemBlocks=blocks,
        seed=params.seed,
    )
    fitted = als.fit(frame)
    return _dense(fitted.userFactors, shape[0], params.factors), _dense(
        fitted.itemFactors, shape[1], params.factors
    )


def _dense(factors: DataFrame, rows: int, rank: int) -> np.ndarray:
    dense = np.zeros((rows, rank), np.float32)
    for row in factors.collect():
        dense[row["id"]] = row["features"]
    return dense


def write_interactions(spark: SparkSession, weights: sp.csr_matrix, path: str) -> None:
    """The matrix as Parquet at `path` (a local folder, or `s3a://...` for a cluster to read)."""
    with tempfile.TemporaryDirectory(prefix="tonearm-spark-") as folder:
        frame = interactions_frame(spark, weights, Path(folder) / "interactions.csv")
        frame.write.mode("overwrite").parquet(path)


def main(argv: Sequence[str] | None = None) -> None:
    """The cluster job: Parquet interactions in, an .npz of user and item factors out."""
    parser = argparse.ArgumentParser(description="Spark ALS over (user, item, weight) Parquet")
    parser.add_argument("interactions")
    parser.add_argument("output")
    parser.add_argument("--master", default=None)
    names = ("factors", "iterations", "regularization", "alpha", "seed")
    for name in names:  # the defaults are the engine's
        default = getattr(Params(), name)
        parser.add_argument(f"--{name}", type=type(default), default=default)
    args = parser.parse_args(argv)
    params = replace(Params(), **{name: getattr(args, name) for name in names})
    spark = session(args.master)
    frame = spark.read.parquet(args.interactions)
    top = frame.agg({"user": "max", "item": "max"}).collect()[0]
    shape = (int(top["max(user)"]) + 1, int(top["max(item)"]) + 1)
    user_factors, item_factors = factorise_frame(frame, shape, params)
    np.savez(args.output, user_factors=user_factors, item_factors=item_factors)


if __name__ == "__main__":
    main()
