"""Candidate retrieval at 1M tracks: approximate inner-product search over ALS-like item vectors.

The vectors are synthetic but shaped like ALS item factors: 64 dimensions, a low-rank taste
space (16 latent directions mixed into 64) with 2,000 clusters, and lognormal norms (popular items
have long factor vectors, which is what makes inner-product search harder than cosine). Queries
are user-like vectors drawn from the same clusters. Each candidate builds its index over the
1,000,000 vectors, then answers single queries (top 100, one thread, after a warm-up); its
recall@100 is measured against exact inner-product search (numpy) on a sample of the queries.

    .venv/bin/python bench/recs_ann.py [--items 1000000] [--queries 2000] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import date

import numpy as np

DIMS = 64
TOP = 100


@dataclass
class Row:
    library: str
    settings: str
    build_s: float
    memory_mb: float
    p50_ms: float
    p99_ms: float
    recall_at_100: float


def als_like(items: int, queries: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    mixing = rng.normal(size=(16, DIMS)).astype(np.float32) / 4
    centres = rng.normal(size=(2_000, 16)).astype(np.float32) @ mixing

    def draw(count: int, spread: float, norm_sigma: float) -> np.ndarray:
        members = centres[rng.integers(0, len(centres), count)]
        vectors = members + spread * rng.normal(size=(count, DIMS)).astype(np.float32)
        scale = rng.lognormal(0.0, norm_sigma, size=(count, 1)).astype(np.float32)
        return np.ascontiguousarray(vectors * scale, dtype=np.float32)

    return draw(items, 0.35, 0.5), draw(queries, 0.5, 0.2)


def exact_top(vectors: np.ndarray, queries: np.ndarray) -> list[set[int]]:
    found = []
    for start in range(0, len(queries), 50):
        scores = queries[start : start + 50] @ vectors.T
        top = np.argpartition(-scores, TOP, axis=1)[:, :TOP]
        found += [set(row.tolist()) for row in top]
    return found


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def timed_queries(search: Callable[[np.ndarray], list[int]], queries: np.ndarray) -> tuple[np.ndarray, list]:
    for query in queries[:200]:
        search(query)
    took, answers = [], []
    for query in queries:
        start = time.perf_counter()
        answers.append(search(query))
        took.append(time.perf_counter() - start)
    return np.array(took) * 1000, answers


Search = Callable[[np.ndarray], list[int]]
Built = tuple[Callable[[int], Search], list[int]]  # a search for each setting, and the settings


def measure(
    name: str, what: str, build: Callable[[], Built], queries: np.ndarray, truth: list[set[int]]
) -> list[Row]:
    """Build once, then time the queries at each search setting (nprobe or ef)."""
    before = rss_mb()
    start = time.perf_counter()
    search_at, settings = build()
    build_s = time.perf_counter() - start
    memory = rss_mb() - before
    rows = []
    for setting in settings:
        took, answers = timed_queries(search_at(setting), queries)
        recall = np.mean([len(truth[i] & set(answers[i])) / TOP for i in range(len(truth))])
        rows.append(
            Row(
                name,
                what.format(setting),
                round(build_s, 1),
                round(memory),
                round(float(np.percentile(took, 50)), 3),
                round(float(np.percentile(took, 99)), 3),
                round(float(recall), 4),
            )
        )
        print(json.dumps(asdict(rows[-1])), flush=True)
    return rows


def faiss_ivf(vectors: np.ndarray, nlist: int) -> Built:
    import faiss

    faiss.omp_set_num_threads(2)
    quantizer = faiss.IndexFlatIP(DIMS)
    index = faiss.IndexIVFFlat(quantizer, DIMS, nlist, faiss.METRIC_INNER_PRODUCT)
    sample = vectors[np.random.default_rng(0).choice(len(vectors), 32 * nlist, replace=False)]
    index.train(sample)
    index.add(vectors)
    faiss.omp_set_num_threads(1)

    def at(nprobe: int) -> Search:
        index.nprobe = nprobe
        return lambda query: index.search(query[None, :], TOP)[1][0].tolist()

    return at, [64, 128, 256]


def faiss_hnsw(vectors: np.ndarray, m: int) -> Built:
    import faiss

    faiss.omp_set_num_threads(2)
    index = faiss.IndexHNSWFlat(DIMS, m, faiss.METRIC_INNER_PRODUCT)
    index.hnsw.efConstruction = 64
    index.add(vectors)
    faiss.omp_set_num_threads(1)

    def at(ef: int) -> Search:
        index.hnsw.efSearch = ef
        return lambda query: index.search(query[None, :], TOP)[1][0].tolist()

    return at, [128, 256, 512]


def usearch_hnsw(vectors: np.ndarray, connectivity: int) -> Built:
    from usearch.index import Index

    index = Index(ndim=DIMS, metric="ip", dtype="f32", connectivity=connectivity, expansion_add=64)
    index.add(np.arange(len(vectors), dtype=np.uint64), vectors, threads=2)

    def at(ef: int) -> Search:
        index.expansion_search = ef
        return lambda query: index.search(query, TOP, threads=1).keys.tolist()

    return at, [128, 256, 512]


def tonearm_index(vectors: np.ndarray) -> Built:
    from tonearm.recs.engine import AnnIndex

    index = AnnIndex.build([str(i) for i in range(len(vectors))], vectors)
    return (lambda _: lambda query: [int(found) for found, _ in index.search(query, TOP)]), [0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=2_000)
    parser.add_argument("--truth", type=int, default=500, help="queries checked against exact search")
    parser.add_argument("--only", default="", help="comma-separated libraries to run")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    vectors, queries = als_like(args.items, args.queries, seed=7)
    truth = exact_top(vectors, queries[: args.truth])
    candidates: list[tuple[str, str, Callable[[], Built]]] = [
        ("usearch-hnsw", "M 16, ef_add 64, ef {}", lambda: usearch_hnsw(vectors, 16)),
        ("faiss-hnsw", "M 32, efC 64, ef {}", lambda: faiss_hnsw(vectors, 32)),
        ("faiss-ivf", "nlist 2048, nprobe {}", lambda: faiss_ivf(vectors, 2048)),
        ("tonearm", "AnnIndex as shipped", lambda: tonearm_index(vectors)),
    ]
    only = set(filter(None, args.only.split(",")))
    rows = [
        row
        for name, what, build in candidates
        if not only or name in only
        for row in measure(name, what, build, queries, truth)
    ]
    print(f"{'library':18} {'settings':24} {'build s':>8} {'MB':>6} {'p50 ms':>7} {'p99 ms':>7} {'R@100':>6}")
    for row in rows:
        print(
            f"{row.library:18} {row.settings:24} {row.build_s:8.1f} {row.memory_mb:6.0f} "
            f"{row.p50_ms:7.3f} {row.p99_ms:7.3f} {row.recall_at_100:6.3f}"
        )
    load = os.getloadavg()[0]
    print(f"items {args.items}, dims {DIMS}, {args.queries} queries, {date.today()}, load {load:.2f}")
    if args.json:
        print(json.dumps({"rows": [asdict(row) for row in rows], "load": load}))


if __name__ == "__main__":
    main()
