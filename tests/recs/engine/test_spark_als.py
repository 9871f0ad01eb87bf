"""Spark MLlib ALS as the engine's factoriser, on a local[2] session: its factors recover the
planted communities, the same Model built on them recommends as the in-process one does, and the
cluster job's Parquet path gives the same factors as the in-process DataFrame."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp

from tests.recs.engine.conftest import PARAMS, World, community_of, item, planted
from tonearm.recs.engine import Feedback, Model, holdout, ndcg_at_k, recall_at_k, top_k, train
from tonearm.recs.engine.factors import confidence

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("java") is None, reason="Spark needs a Java runtime (java not on PATH)"),
]
pyspark = pytest.importorskip("pyspark", reason="pyspark is the `spark` extra")

from tonearm.recs.engine.spark_als import SparkFactoriser, main, session, write_interactions  # noqa: E402

# Spark runs a few jobs per iteration, whatever the size of the data: few iterations keep this fast.
FEW = replace(PARAMS, iterations=5)
NEW = "new-item"  # known only by its content vector: no plays, so its factors stay at the origin


@dataclass(frozen=True)
class Split:
    world: World
    fit: sp.csr_matrix
    held: sp.csr_matrix


@pytest.fixture(scope="module")
def spark() -> Iterator[object]:
    started = session()
    yield started
    started.stop()


@pytest.fixture(scope="module")
def split() -> Split:
    world = planted(seed=1)
    content = dict(world.side.item_content) | {NEW: world.side.item_content[item(2, 0)]}
    world = replace(world, side=replace(world.side, item_content=content))
    fit, held = holdout(world.feedback.plays, 0.25, seed=5)
    return Split(world, fit, held)


def _feedback(split: Split) -> Feedback:
    return Feedback(split.world.feedback.users, split.world.feedback.items, split.fit)


@pytest.fixture(scope="module")
def on_spark(spark: object, split: Split) -> Model:
    return train(_feedback(split), split.world.side, params=FEW, factoriser=SparkFactoriser())


@pytest.fixture(scope="module")
def in_process(split: Split) -> Model:
    return train(_feedback(split), split.world.side, params=FEW)


def _ranked(model: Model, split: Split, k: int) -> np.ndarray:
    scores = model.parts.user_factors @ model.parts.item_factors[: split.fit.shape[1]].T
    return top_k(scores, k, split.fit)


def _held(split: Split, user: int) -> set[int]:
    return set(split.held.getrow(user).indices.tolist())


def test_spark_factors_rank_held_out_items_high_and_inside_the_community(
    on_spark: Model, split: Split
) -> None:
    ranked = _ranked(on_spark, split, 5)
    recalls = [recall_at_k(list(row), _held(split, u), 5) for u, row in enumerate(ranked)]
    assert np.mean(recalls) > 0.25  # chance within the right community is about 0.4, outside it 0
    items, users = split.world.feedback.items, split.world.feedback.users
    inside = [
        community_of(items[i]) == community_of(users[u])
        for u, row in enumerate(ranked)
        for i in row
        if items[i] != "hit"
    ]
    assert np.mean(inside) > 0.9


def test_the_model_on_spark_factors_recommends_the_community_with_reasons(
    on_spark: Model, split: Split
) -> None:
    played = {
        split.world.feedback.items[i]
        for i in split.fit.getrow(split.world.feedback.users.index("u3-02")).indices
    }
    picks = on_spark.recommend("u3-02", 10, exclude=played | {"hit"})
    assert len(picks) == 10
    assert all(community_of(pick.item) == 3 for pick in picks if pick.item != NEW)
    assert all(pick.reasons for pick in picks)


def test_an_item_nobody_played_stays_at_the_origin(on_spark: Model) -> None:
    assert not on_spark.parts.item_factors[on_spark.items.index(NEW)].any()


def test_spark_ndcg_is_within_a_fair_factor_of_implicits(
    on_spark: Model, in_process: Model, split: Split
) -> None:
    def ndcg(model: Model) -> float:
        ranked = _ranked(model, split, 10)
        return float(np.mean([ndcg_at_k(list(row), _held(split, u), 10) for u, row in enumerate(ranked)]))

    assert ndcg(on_spark) >= 0.8 * ndcg(in_process)


def test_the_cluster_job_reads_parquet_and_writes_the_same_factors(
    spark: object, split: Split, on_spark: Model, tmp_path: Path
) -> None:
    widened = sp.csr_matrix(sp.hstack([split.fit, sp.csr_matrix((split.fit.shape[0], 1))]))  # with NEW
    weights = confidence(widened, None, FEW)
    write_interactions(session(), weights, str(tmp_path / "interactions.parquet"))
    flags = {
        name: getattr(FEW, name) for name in ("factors", "iterations", "regularization", "alpha", "seed")
    }
    paths = [str(tmp_path / "interactions.parquet"), str(tmp_path / "factors.npz")]
    main(paths + [part for name, value in flags.items() for part in (f"--{name}", str(value))])
    saved = np.load(tmp_path / "factors.npz")
    played = split.fit.shape[1]
    assert saved["user_factors"].shape == on_spark.parts.user_factors.shape
    np.testing.assert_allclose(
        saved["item_factors"], on_spark.parts.item_factors[:played], atol=1e-2
    )  # the blocks sum in another order
