"""The ANN index: recall against exact search, filters, persistence."""

from __future__ import annotations

import numpy as np

from tonearm.recs.engine import AnnIndex


def vectors(count: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(50, 16))
    base = centres[rng.integers(0, 50, count)] + 0.3 * rng.normal(size=(count, 16))
    return (base * rng.lognormal(0, 0.4, (count, 1))).astype(np.float32)


def test_approximate_search_finds_most_of_the_exact_top_20() -> None:
    data = vectors(8_000)
    ids = [f"i{n}" for n in range(len(data))]
    approximate = AnnIndex.build(ids, data, exact_below=0)
    exact = AnnIndex.build(ids, data)
    assert exact.exact and not approximate.exact
    queries = vectors(50, seed=1)
    recall = np.mean(
        [
            len({i for i, _ in approximate.search(q, 20)} & {i for i, _ in exact.search(q, 20)}) / 20
            for q in queries
        ]
    )
    assert recall >= 0.9
    best = exact.search(queries[0], 5)
    assert [i for i, _ in best] == [ids[n] for n in np.argsort(-(data @ queries[0]))[:5]]
    assert best[0][1] >= best[1][1] >= best[4][1]


def test_only_allowed_ids_are_returned_small_and_large_sets_alike() -> None:
    data = vectors(8_000)
    ids = [f"i{n}" for n in range(len(data))]
    index = AnnIndex.build(ids, data, exact_below=0)
    for allowed in ({"i1", "i2", "i3", "nope"}, {f"i{n}" for n in range(0, 8_000, 2)}):
        found = index.search(vectors(1, seed=2)[0], 10, allowed=allowed)
        assert len(found) == min(10, len(allowed - {"nope"}))
        assert {i for i, _ in found} <= allowed


def test_an_index_restored_from_bytes_answers_the_same() -> None:
    data = vectors(3_000)
    ids = [f"i{n}" for n in range(len(data))]
    index = AnnIndex.build(ids, data, exact_below=0)
    again = AnnIndex.from_bytes(ids, data, index.to_bytes())
    query = vectors(1, seed=3)[0]
    assert again.search(query, 30) == index.search(query, 30)
    assert AnnIndex.build([], np.zeros((0, 4), np.float32)).search(query[:4], 3) == []
