"""Offline evaluation: a per-user random holdout, and recall@k, NDCG@k and catalogue coverage."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence

import numpy as np
import scipy.sparse as sp

__all__ = ["coverage", "holdout", "ndcg_at_k", "recall_at_k", "top_k"]


def holdout(plays: sp.csr_matrix, fraction: float, seed: int) -> tuple[sp.csr_matrix, sp.csr_matrix]:
    """(train, held out): for each user a random `fraction` of their items (rounded, at least
    one, but never all of them: a user with one item keeps it) moved to the held-out matrix."""
    rng = np.random.default_rng(seed)
    plays = sp.csr_matrix(plays)
    plays.sort_indices()
    held = np.zeros(plays.nnz, dtype=bool)
    for user in range(plays.shape[0]):
        start, end = plays.indptr[user], plays.indptr[user + 1]
        count = end - start
        take = min(max(round(fraction * count), 1), count - 1) if count > 1 else 0
        if take:
            held[start + rng.choice(count, take, replace=False)] = True
    return _keep(plays, ~held), _keep(plays, held)


def _keep(matrix: sp.csr_matrix, mask: np.ndarray) -> sp.csr_matrix:
    coo = matrix.tocoo()
    return sp.csr_matrix(
        (coo.data[mask], (coo.row[mask], coo.col[mask])), shape=matrix.shape, dtype=np.float32
    )


def top_k(scores: np.ndarray, k: int, exclude: sp.csr_matrix) -> np.ndarray:
    """Per row the k highest-scoring columns, best first, never a column set in `exclude`."""
    scores = np.array(scores, dtype=np.float64)
    rows, cols = exclude.nonzero()
    scores[rows, cols] = -np.inf
    k = min(k, scores.shape[1])
    top = np.argpartition(-scores, k - 1, axis=1)[:, :k]
    order = np.argsort(-np.take_along_axis(scores, top, axis=1), axis=1, kind="stable")
    return np.take_along_axis(top, order, axis=1)


def recall_at_k(ranked: Sequence[int], relevant: Collection[int], k: int) -> float:
    """Share of the relevant items found in the first k."""
    if not relevant:
        return 0.0
    return len(set(ranked[:k]) & set(relevant)) / len(relevant)


def ndcg_at_k(ranked: Sequence[int], relevant: Collection[int], k: int) -> float:
    """Binary relevance, gain 1/log2(rank + 1), over the ideal for min(k, |relevant|) hits."""
    if not relevant:
        return 0.0
    wanted = set(relevant)
    gain = sum(1 / np.log2(rank + 2) for rank, item in enumerate(ranked[:k]) if item in wanted)
    ideal = sum(1 / np.log2(rank + 2) for rank in range(min(k, len(wanted))))
    return float(gain / ideal)


def coverage(lists: Iterable[Sequence[int]], catalogue: int) -> float:
    """Share of the catalogue that appears in at least one list."""
    seen = {item for ranked in lists for item in ranked}
    return len(seen) / catalogue if catalogue else 0.0
