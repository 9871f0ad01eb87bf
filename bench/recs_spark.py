"""The Spark rows of `bench/recs_eval.py --spark`: plain Spark MLlib ALS and the hybrid on Spark's
factors, on the same split, evaluated by the same function as the implicit rows.

Spark's ALS scales `regParam` by each row's count of positive entries (ALS-WR), so the implicit
tuning's regularization does not carry over: the rest of the tuned ALS parameters (factors,
alpha, weighting, iterations) do, and `regParam` is chosen from `REG_GRID` on the validation
split. Each Spark fit takes tens of seconds on a local[2] session, so the grid is small.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace

import scipy.sparse as sp

from recs_eval import Dataset, evaluate, feedback_of
from tonearm.recs.engine import Params, train
from tonearm.recs.engine.parts import Query, combine, component_scores
from tonearm.recs.engine.spark_als import SparkFactoriser, session

REG_GRID = [0.05, 0.2]


def spark_rows(
    data: Dataset,
    split: tuple[sp.csr_matrix, sp.csr_matrix, sp.csr_matrix, sp.csr_matrix],
    als_params: Params,
    tonearm_params: Params,
    log: Callable[[str], None],
) -> dict[str, dict[str, float]]:
    """`split` is (fit, valid, train part, test) as `recs_eval.run` cut it."""
    fit, valid, train_part, test = split
    factoriser = SparkFactoriser()
    started = time.perf_counter()
    session()
    log(f"spark session started in {time.perf_counter() - started:.1f} s")
    regularization = _tuned_reg(data, fit, valid, als_params, factoriser, log)
    plain = replace(als_params, regularization=regularization)
    started = time.perf_counter()
    als = train(feedback_of(data, train_part), params=plain, factoriser=factoriser)
    took = time.perf_counter() - started
    rows = {"spark-als": evaluate(als.parts.user_factors @ als.parts.item_factors.T, train_part, test)}
    rows["spark-als"]["train_seconds"] = round(took, 2)
    hybrid = replace(tonearm_params, regularization=regularization)
    started = time.perf_counter()
    model = train(
        feedback_of(data, train_part), data.side_without(test), params=hybrid, factoriser=factoriser
    )
    took = time.perf_counter() - started
    query = Query(model.parts.history, model.parts.user_factors, model.parts.friends)
    rows["tonearm-spark"] = evaluate(
        combine(model.parts, component_scores(model.parts, query)), train_part, test
    )
    rows["tonearm-spark"]["train_seconds"] = round(took, 2)
    return rows


def _tuned_reg(
    data: Dataset,
    fit: sp.csr_matrix,
    valid: sp.csr_matrix,
    base: Params,
    factoriser: SparkFactoriser,
    log: Callable[[str], None],
) -> float:
    best: tuple[float, float] | None = None
    for regularization in REG_GRID:
        model = train(
            feedback_of(data, fit), params=replace(base, regularization=regularization), factoriser=factoriser
        )
        ndcg = evaluate(model.parts.user_factors @ model.parts.item_factors.T, fit, valid)["ndcg_at_10"]
        log(f"  spark als regParam {regularization}: validation NDCG@10 {ndcg:.4f}")
        if best is None or ndcg > best[0]:
            best = (ndcg, regularization)
    assert best is not None
    return best[1]
