"""Approximate inner-product search over item vectors, for candidate retrieval.

faiss's inverted lists (IVF, flat vectors, inner product), chosen by `bench/recs_ann.py`
(docs/BENCHMARKS.md): on ALS-like vectors, whose norms vary, it kept recall@100 above 0.95 within
the latency goal where both HNSW graphs (faiss's and usearch's) stayed under 0.9. Below
`exact_below` vectors the search is exact: one matrix product is fast there, and always right.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

import numpy as np

__all__ = ["AnnIndex"]

LISTS_PER_SQRT = 2  # nlist = 2 * sqrt(n): 2,000 lists at 1M vectors
PROBED_SHARE = 8  # nprobe = nlist / 8
TRAINING_PER_LIST = 64


class AnnIndex:
    def __init__(self, ids: Sequence[str], vectors: np.ndarray, graph: object | None) -> None:
        self.ids = tuple(ids)
        self.vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        self._graph = graph
        self._at = {item: i for i, item in enumerate(self.ids)}

    @classmethod
    def build(cls, ids: Sequence[str], vectors: np.ndarray, *, exact_below: int = 50_000) -> AnnIndex:
        if len(ids) != len(vectors):
            raise ValueError(f"{len(ids)} ids for {len(vectors)} vectors")
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        if len(ids) < max(exact_below, 1):
            return cls(ids, vectors, None)
        return cls(ids, vectors, _inverted_lists(vectors))

    @property
    def exact(self) -> bool:
        return self._graph is None

    def search(
        self, query: np.ndarray, k: int, allowed: Collection[str] | None = None
    ) -> list[tuple[str, float]]:
        """The k ids with the largest inner product with `query`, best first. With `allowed`,
        only those: a small allowed set is scored exactly, a large one filters an over-fetch."""
        if k <= 0 or not self.ids:
            return []
        query = np.asarray(query, dtype=np.float32).ravel()
        if allowed is not None:
            rows = np.array(sorted({self._at[item] for item in allowed if item in self._at}), np.int64)
            if self._graph is None or len(rows) * PROBED_SHARE < len(self.ids):
                return self._exact(query, k, rows)
            return self._filtered(query, k, rows)
        if self._graph is None:
            return self._exact(query, k, None)
        return self._graph_search(query, k)

    def _exact(self, query: np.ndarray, k: int, rows: np.ndarray | None) -> list[tuple[str, float]]:
        vectors = self.vectors if rows is None else self.vectors[rows]
        if not len(vectors):
            return []
        scores = vectors @ query
        top = np.argpartition(-scores, min(k, len(scores)) - 1)[:k]
        top = top[np.lexsort((top, -scores[top]))]
        chosen = top if rows is None else rows[top]
        return [(self.ids[int(i)], float(scores[j])) for i, j in zip(chosen, top, strict=True)]

    def _graph_search(
        self, query: np.ndarray, k: int, rows: np.ndarray | None = None
    ) -> list[tuple[str, float]]:
        import faiss

        index: Any = self._graph
        selector = None
        if rows is not None:
            selector = faiss.SearchParametersIVF()
            selector.sel = faiss.IDSelectorBatch(rows)
            selector.nprobe = index.nprobe  # the parameters' own default is 1 list
        scores, found = index.search(query[None, :], min(k, len(self.ids)), params=selector)
        return [
            (self.ids[int(i)], float(score)) for i, score in zip(found[0], scores[0], strict=True) if i >= 0
        ]

    def _filtered(self, query: np.ndarray, k: int, rows: np.ndarray) -> list[tuple[str, float]]:
        found = self._graph_search(query, k, rows)
        return found if len(found) >= min(k, len(rows)) else self._exact(query, k, rows)

    def to_bytes(self) -> bytes:
        """The inverted lists, for saving (empty for an exact index)."""
        if self._graph is None:
            return b""
        import faiss

        graph: Any = self._graph
        return bytes(faiss.serialize_index(graph).tobytes())

    @classmethod
    def from_bytes(cls, ids: Sequence[str], vectors: np.ndarray, data: bytes) -> AnnIndex:
        if not data:
            return cls(ids, vectors, None)
        import faiss

        return cls(ids, vectors, faiss.deserialize_index(np.frombuffer(data, dtype=np.uint8)))


def _inverted_lists(vectors: np.ndarray) -> object:
    import faiss

    count, dims = vectors.shape
    lists = max(1, int(LISTS_PER_SQRT * np.sqrt(count)))
    index = faiss.IndexIVFFlat(faiss.IndexFlatIP(dims), dims, lists, faiss.METRIC_INNER_PRODUCT)
    sample = np.random.default_rng(0).choice(count, min(count, TRAINING_PER_LIST * lists), replace=False)
    index.train(vectors[np.sort(sample)])
    index.add(vectors)
    index.nprobe = max(1, lists // PROBED_SHARE)
    return index
