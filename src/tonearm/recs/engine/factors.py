"""Implicit ALS: play counts weighted into confidences (skips as negatives), factorised with
`implicit`, and a user folded in from a few items without retraining."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import scipy.sparse as sp
from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

from tonearm.recs.engine.values import Params

__all__ = ["Factoriser", "confidence", "factorise", "fold_in"]

# Confidences in, (user factors, item factors) out: `factorise` in process, or Spark's ALS
# (`spark_als.SparkFactoriser`) on a cluster.
Factoriser = Callable[[sp.csr_matrix, Params], tuple[np.ndarray, np.ndarray]]


def confidence(plays: sp.csr_matrix, skips: sp.csr_matrix | None, params: Params) -> sp.csr_matrix:
    """Users x items confidences: weighted plays, minus weighted skips (a negative entry is
    confidence in a zero preference, which is how implicit's ALS reads it)."""
    weighted = _bm25(plays, params) if params.weighting == "bm25" else _log(plays)
    if skips is not None and skips.nnz and params.skip_weight:
        weighted = weighted - params.skip_weight * _log(skips)
    weighted = sp.csr_matrix(weighted, dtype=np.float32)
    weighted.eliminate_zeros()
    return weighted


def _log(counts: sp.csr_matrix) -> sp.csr_matrix:
    weighted = sp.csr_matrix(counts, dtype=np.float32, copy=True)
    weighted.data = np.log1p(np.maximum(weighted.data, 0)).astype(np.float32)
    return weighted


def _bm25(plays: sp.csr_matrix, params: Params) -> sp.csr_matrix:
    """BM25 with items as documents and users as terms (as implicit's lastfm example): a user
    who listens to everything says less about each item; long play counts saturate."""
    items = sp.coo_matrix(plays.T)
    if not items.nnz:
        return sp.csr_matrix(plays, dtype=np.float32, copy=True)
    idf = np.log(max(items.shape[0], 1)) - np.log1p(np.bincount(items.col, minlength=items.shape[1]))
    lengths = np.ravel(items.sum(axis=1))
    length_norm = (1.0 - params.bm25_b) + params.bm25_b * lengths / max(float(lengths.mean()), 1e-9)
    k1 = params.bm25_k1
    data = (
        items.data * (k1 + 1.0) / (k1 * length_norm[items.row] + items.data) * np.maximum(idf[items.col], 0.1)
    )
    weighted = sp.coo_matrix((data.astype(np.float32), (items.row, items.col)), shape=items.shape)
    return sp.csr_matrix(weighted.T)


def factorise(weights: sp.csr_matrix, params: Params) -> tuple[np.ndarray, np.ndarray]:
    """User and item factors (float32), deterministic for a seed."""
    users, items = weights.shape
    if not weights.nnz:
        return np.zeros((users, params.factors), np.float32), np.zeros((items, params.factors), np.float32)
    from implicit.cpu.als import AlternatingLeastSquares  # type: ignore[import-untyped]

    # implicit warns when BLAS runs its own threads under its solver; it should not.
    with threadpool_limits(1, "blas"):
        model = AlternatingLeastSquares(
            factors=params.factors,
            regularization=params.regularization,
            alpha=params.alpha,
            iterations=params.iterations,
            num_threads=params.threads,
            random_state=params.seed,
        )
        model.fit(weights, show_progress=False)
    user_factors = np.asarray(model.user_factors, dtype=np.float32)
    item_factors = np.asarray(model.item_factors, dtype=np.float32)
    item_factors[np.ravel(abs(weights).sum(axis=0)) == 0] = 0  # never-played items stay at the origin
    return user_factors, item_factors


def fold_in(item_factors: np.ndarray, items: np.ndarray, weights: np.ndarray, params: Params) -> np.ndarray:
    """The factor vector ALS would give a user with these (item, confidence) entries, solved
    against fixed item factors: (YtY + Yt(C - I)Y + reg I) x = Yt C p."""
    gram = item_factors.T @ item_factors + params.regularization * np.eye(item_factors.shape[1])
    chosen = item_factors[items]
    confidences = params.alpha * weights.astype(np.float64)
    gram += chosen.T @ (chosen * confidences[:, None])
    target = chosen.T @ (1.0 + confidences)
    return np.linalg.solve(gram, target).astype(np.float32)
