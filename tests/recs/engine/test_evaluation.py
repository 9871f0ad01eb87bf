"""The offline metrics on cases worked out by hand, and the holdout split."""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.sparse as sp

from tonearm.recs.engine import coverage, holdout, ndcg_at_k, recall_at_k, top_k


def test_recall_counts_the_share_of_held_out_items_found_in_the_first_k() -> None:
    assert recall_at_k([1, 2, 3, 4], {2, 9}, 3) == 0.5
    assert recall_at_k([1, 2, 3, 4], {4}, 3) == 0.0
    assert recall_at_k([1], set(), 10) == 0.0


def test_ndcg_discounts_by_log2_of_the_rank_and_normalises_by_the_ideal() -> None:
    # One hit at rank 2 of two relevant: (1/log2 3) / (1 + 1/log2 3).
    expected = (1 / math.log2(3)) / (1 + 1 / math.log2(3))
    assert ndcg_at_k([7, 2, 5], {2, 9}, 3) == pytest.approx(expected)
    assert ndcg_at_k([2, 9, 5], {2, 9}, 3) == pytest.approx(1.0)
    # The ideal is for min(k, |relevant|) hits: 3 relevant, k = 2, both top places hit.
    assert ndcg_at_k([1, 2], {1, 2, 3}, 2) == pytest.approx(1.0)
    assert ndcg_at_k([4, 5, 6], {1}, 3) == 0.0


def test_coverage_is_the_share_of_the_catalogue_in_any_list() -> None:
    assert coverage([[0, 1], [1, 2]], 6) == pytest.approx(0.5)
    assert coverage([], 0) == 0.0


def test_top_k_orders_by_score_and_skips_excluded_columns() -> None:
    scores = np.array([[0.1, 0.9, 0.5, 0.7], [1.0, 0.0, 0.2, 0.3]])
    exclude = sp.csr_matrix(np.array([[0, 1, 0, 0], [0, 0, 0, 0]], dtype=np.float32))
    assert top_k(scores, 2, exclude).tolist() == [[3, 2], [0, 3]]


def test_the_holdout_moves_a_fifth_of_each_users_items_and_depends_only_on_the_seed() -> None:
    rng = np.random.default_rng(0)
    dense = (rng.random((30, 40)) < 0.5) * rng.integers(1, 9, (30, 40))
    dense[0] = 0
    dense[1] = 0
    dense[1, 3] = 4  # a user with one item keeps it
    plays = sp.csr_matrix(dense, dtype=np.float32)
    train, held = holdout(plays, 0.2, seed=4)
    again, _ = holdout(plays, 0.2, seed=4)
    other, _ = holdout(plays, 0.2, seed=5)
    assert (train + held != plays).nnz == 0 and train.multiply(held).nnz == 0
    per_user = np.diff(plays.indptr)
    assert np.diff(held.indptr).tolist() == [round(0.2 * n) if n > 1 else 0 for n in per_user]
    assert (train != again).nnz == 0 and (train != other).nnz > 0
