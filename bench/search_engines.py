"""Embedded search engines on the same catalog documents: tantivy (tantivy-py) against SQLite
FTS5, in process, one query at a time.

    .venv/bin/python bench/search_engines.py [--tracks 1000000] [--quick] [--queries 2000]
        [--engines tantivy,tantivy-edge,sqlite-fts5,sqlite-fts5-pop] [--fuzzy-from 5 9]

Documents are every artist, album and track of `search_catalog.generate` (1M tracks make about
1.23M documents): a name field (the title, folded by `search_catalog.index_terms`: lowercase, no
diacritics, punctuation split with the joined form kept) and an artists field (the folded names of
its artists; an artist document carries its own name there too, so an artist outranks the tracks
named after it), with a popularity of 0-100. Each engine indexes them into a fresh folder, in a
forked process of its own so that memory figures do not mix. Build time is the engine's alone
(the documents are already in memory), up to a searcher ready to answer.

- typeahead: the folded query's last word is a prefix, earlier words exact; every word must match
  the name or the artists (name weighted twice); the top 10 by relevance x log2(2 + popularity).
  Reported: p50/p99 and how often the intended item is in the top 10.
- typo: every word must match; words of 5+ letters within 1 edit (2 from 9 letters, transposition
  counting 1), shorter words exact; the same ranking; top 3 checked against the intended item.
  The lengths are the query word's, so a deletion in a 5-letter word leaves it exact-only:
  `--fuzzy-from 4 8` measures the looser rule.

The engines:
- tantivy: Query API only (its query-string parser returns nothing for `kar*` and `karm~1`). The
  prefix is `fuzzy_term_query(distance=0, prefix=True)`, the typo `fuzzy_term_query(distance=d)`,
  both constant-scored, so each is ORed with the exact `term_query` (bm25) of the same word.
  Popularity enters as `weight_by_field`, which multiplies the score by log2(2 + value).
- tantivy-edge: the same, with every prefix of every term indexed in two more fields, so a
  prefix is one `term_query`, bm25-ranked.
- sqlite-fts5: `word*` prefixes, ORDER BY bm25 x log2(2 + popularity) over every match. FTS5 has
  no fuzzy query: a misspelt word is expanded to the index's own terms within the edit distance
  (rapidfuzz over the fts5vocab term list, bucketed by length), ORed.
- sqlite-fts5-pop: rows stored most popular first; FTS5 yields matches in rowid order, so it
  stops after the 200 most popular matches, which alone are ranked by bm25 x popularity.
"""

from __future__ import annotations

import argparse
import gc
import math
import multiprocessing
import os
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from rapidfuzz import process
from rapidfuzz.distance import OSA

from _common import record
from search_catalog import DEFAULT_DATA_DIR, Catalog, Query, generate, index_terms, query_set, query_terms

if TYPE_CHECKING:
    import tantivy

__all__ = ["ENGINES", "Doc", "Engine", "Fts5Engine", "TantivyEngine", "documents"]

TOP = 10
WARMUP = 200
NAME_WEIGHT = 2.0


@dataclass(frozen=True, slots=True)
class Doc:
    key: str  # "track:<id>"
    name: str  # folded terms, space-separated
    artists: str
    popularity: int


def documents(catalog: Catalog) -> list[Doc]:
    artist_terms = {artist.id: " ".join(index_terms(artist.name)) for artist in catalog.artists}
    # An artist is by itself: its name is in both fields, which ranks it over its namesakes.
    docs = [
        Doc(f"artist:{a.id}", artist_terms[a.id], artist_terms[a.id], a.popularity) for a in catalog.artists
    ]
    for kind, records in (("album", catalog.albums), ("track", catalog.tracks)):
        for r in records:
            artists = " ".join(artist_terms[a] for a in r.artist_ids)
            docs.append(Doc(f"{kind}:{r.id}", " ".join(index_terms(r.name)), artists, r.popularity))
    return docs


# Fuzzy matching from these query-word lengths (1 edit, 2 edits); --fuzzy-from changes them.
FUZZY_FROM = [5, 9]


def typo_distance(word: str) -> int:
    return 2 if len(word) >= FUZZY_FROM[1] else 1 if len(word) >= FUZZY_FROM[0] else 0


class Engine(Protocol):
    name: str

    def build(self, docs: Sequence[Doc], folder: Path) -> dict[str, object]: ...

    def typeahead(self, text: str) -> list[str]: ...

    def typo(self, text: str) -> list[str]: ...


# ---------------------------------------------------------------------------------------------
# tantivy


class TantivyEngine:
    name = "tantivy"

    def __init__(self, *, edge: bool = False, threads: int = 0, heap_bytes: int = 512_000_000) -> None:
        self.edge, self.threads, self.heap_bytes = edge, threads, heap_bytes
        if edge:
            self.name = "tantivy-edge"

    def build(self, docs: Sequence[Doc], folder: Path) -> dict[str, object]:
        import tantivy

        builder = tantivy.SchemaBuilder()
        for field in ("name", "artists", *(("name_edge", "artists_edge") if self.edge else ())):
            builder.add_text_field(field, tokenizer_name="whitespace", index_option="freq")
        builder.add_text_field("key", stored=True, tokenizer_name="raw", index_option="basic")
        # An i64 field: Document(pop=<int>) sends an i64, and an unsigned field panics on it.
        builder.add_integer_field("pop", fast=True)
        self.schema = builder.build()
        index = tantivy.Index(self.schema, path=str(folder))
        writer = index.writer(heap_size=self.heap_bytes, num_threads=self.threads)
        for doc in docs:
            fields = {"name": doc.name, "artists": doc.artists, "key": doc.key, "pop": doc.popularity}
            if self.edge:
                fields |= {"name_edge": edge_grams(doc.name), "artists_edge": edge_grams(doc.artists)}
            writer.add_document(tantivy.Document(**fields))
        writer.commit()
        writer.wait_merging_threads()
        index.reload()
        self.searcher = index.searcher()
        self.tantivy = tantivy
        return {"segments": self.searcher.num_segments, "writer_threads": self.threads or "auto"}

    def _search(self, query: tantivy.Query, limit: int = TOP) -> list[str]:
        hits = self.searcher.search(query, limit, count=False, weight_by_field="pop").hits
        return [self.searcher.doc(address)["key"][0] for _score, address in hits]

    def _term(self, word: str, *, distance: int = 0) -> tantivy.Query:
        """The word in the name (weighted) or in the artists, exact (bm25) or, with a distance,
        also within that many edits: a fuzzy match scores a constant, so the exact term query
        stays beside it to rank an exact match first."""
        query, occur = self.tantivy.Query, self.tantivy.Occur
        clauses = []
        for field, weight in (("name", NAME_WEIGHT), ("artists", 1.0)):
            clauses.append(
                (occur.Should, query.boost_query(query.term_query(self.schema, field, word), weight))
            )
            if distance:
                fuzzy = query.fuzzy_term_query(self.schema, field, word, distance, True, False)
                clauses.append((occur.Should, query.boost_query(fuzzy, weight)))
        return query.boolean_query(clauses)

    def _all(self, clauses: list[tantivy.Query]) -> tantivy.Query:
        return self.tantivy.Query.boolean_query([(self.tantivy.Occur.Must, clause) for clause in clauses])

    def typeahead(self, text: str) -> list[str]:
        words = query_terms(text)
        if not words:
            return []
        clauses = [self._term(word) for word in words[:-1]]
        return self._search(self._all([*clauses, self._prefix(words[-1])]))

    def _prefix(self, word: str) -> tantivy.Query:
        """With edge n-grams the prefix is one term, ranked by bm25; otherwise a prefix query over
        the term dictionary (fuzzy at distance 0 with prefix=True), scored as a constant."""
        query, occur = self.tantivy.Query, self.tantivy.Occur
        clauses = []
        for field, weight in (("name", NAME_WEIGHT), ("artists", 1.0)):
            if self.edge:
                matcher = query.term_query(self.schema, f"{field}_edge", word[:EDGE_MAX])
            else:
                matcher = query.fuzzy_term_query(self.schema, field, word, 0, True, True)
            clauses.append((occur.Should, query.boost_query(matcher, weight)))
        return query.boolean_query(clauses)

    def typo(self, text: str) -> list[str]:
        words = query_terms(text)
        if not words:
            return []
        return self._search(self._all([self._term(word, distance=typo_distance(word)) for word in words]))


EDGE_MAX = 20


def edge_grams(text: str) -> str:
    """Every prefix of every term ("mode" -> "m mo mod mode"): typeahead by one term lookup."""
    return " ".join(term[:end] for term in text.split() for end in range(1, min(len(term), EDGE_MAX) + 1))


# ---------------------------------------------------------------------------------------------
# SQLite FTS5


class Fts5Engine:
    """bm25 x popularity over every match; or, with `candidates`, rows stored most popular first
    so that FTS5 (which yields matches in rowid order) stops after that many of the most popular
    matches, and only those are ranked by bm25 x popularity."""

    def __init__(
        self, *, prefix_index: str = "", detail: str = "full", candidates: int | None = None
    ) -> None:
        self.prefix_index, self.detail, self.candidates = prefix_index, detail, candidates
        self.name = "sqlite-fts5" + ("-pop" if candidates else "")

    def build(self, docs: Sequence[Doc], folder: Path) -> dict[str, object]:
        import sqlite3

        self.db = sqlite3.connect(folder / "search.db", isolation_level=None, check_same_thread=False)
        prefix = f", prefix='{self.prefix_index}'" if self.prefix_index else ""
        self.db.executescript(
            f"""
            PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF;
            CREATE VIRTUAL TABLE docs USING fts5(
                name, artists, key UNINDEXED, weight UNINDEXED,
                tokenize='unicode61 remove_diacritics 0', detail={self.detail}{prefix});
            CREATE VIRTUAL TABLE terms USING fts5vocab(docs, 'row');
            """
        )
        ordered = sorted(docs, key=lambda doc: -doc.popularity) if self.candidates else docs
        self.db.execute("BEGIN")
        self.db.executemany(
            "INSERT INTO docs (rowid, name, artists, key, weight) VALUES (?, ?, ?, ?, ?)",
            ((i, d.name, d.artists, d.key, math.log2(2 + d.popularity)) for i, d in enumerate(ordered, 1)),
        )
        self.db.execute("INSERT INTO docs (docs) VALUES ('optimize')")
        self.db.execute("COMMIT")
        self.vocabulary = _Vocabulary([term for (term,) in self.db.execute("SELECT term FROM terms")])
        return {
            "prefix_index": self.prefix_index or "none",
            "detail": self.detail,
            "terms": len(self.vocabulary),
            "candidates": self.candidates or "all",
        }

    def _search(self, match: str, limit: int = TOP) -> list[str]:
        if self.candidates:
            sql = (
                "SELECT key FROM (SELECT key, bm25(docs, ?, 1.0) * weight AS score FROM docs"
                " WHERE docs MATCH ? ORDER BY rowid LIMIT ?) ORDER BY score LIMIT ?"
            )
            rows = self.db.execute(sql, (NAME_WEIGHT, match, self.candidates, limit))
        else:
            sql = "SELECT key FROM docs WHERE docs MATCH ? ORDER BY bm25(docs, ?, 1.0) * weight LIMIT ?"
            rows = self.db.execute(sql, (match, NAME_WEIGHT, limit))
        return [key for (key,) in rows]

    def typeahead(self, text: str) -> list[str]:
        words = query_terms(text)
        if not words:
            return []
        return self._search(" ".join([*(_quoted(word) for word in words[:-1]), _quoted(words[-1]) + "*"]))

    def typo(self, text: str) -> list[str]:
        words = query_terms(text)
        if not words:
            return []
        groups = []
        for word in words:
            alternatives = self.vocabulary.near(word, typo_distance(word)) or [word]
            groups.append("(" + " OR ".join(_quoted(term) for term in alternatives) + ")")
        return self._search(" AND ".join(groups))


def _quoted(word: str) -> str:
    return '"' + word.replace('"', '""') + '"'


class _Vocabulary:
    """The index's terms by length, for expanding a misspelt word (FTS5 has no fuzzy query)."""

    MAX_ALTERNATIVES = 64

    def __init__(self, terms: list[str]) -> None:
        self.by_length: dict[int, list[str]] = {}
        for term in terms:
            self.by_length.setdefault(len(term), []).append(term)
        self.size = len(terms)

    def __len__(self) -> int:
        return self.size

    def near(self, word: str, distance: int) -> list[str]:
        if distance == 0:
            return [word]
        found = [word]
        for length in range(len(word) - distance, len(word) + distance + 1):
            matches = process.extract(
                word, self.by_length.get(length, []), scorer=OSA.distance, score_cutoff=distance, limit=None
            )
            found.extend(term for term, _score, _index in matches if term != word)
        return found[: self.MAX_ALTERNATIVES]


ENGINES: dict[str, Callable[[], Engine]] = {
    "tantivy": TantivyEngine,
    "tantivy-edge": lambda: TantivyEngine(edge=True),
    "sqlite-fts5": Fts5Engine,
    "sqlite-fts5-pop": lambda: Fts5Engine(candidates=200, prefix_index="1 2"),
}


# ---------------------------------------------------------------------------------------------
# Measuring


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def folder_mb(folder: Path) -> float:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file()) / 1e6


def percentiles(samples_ms: list[float]) -> dict[str, float]:
    ordered = sorted(samples_ms)
    return {
        "p50_ms": round(statistics.median(ordered), 3),
        "p99_ms": round(ordered[min(len(ordered) - 1, math.ceil(0.99 * len(ordered)) - 1)], 3),
        "max_ms": round(ordered[-1], 3),
    }


def timed(run: Callable[[str], list[str]], queries: Sequence[Query]) -> tuple[list[float], list[list[str]]]:
    latencies, results = [], []
    for query in queries:
        started = time.perf_counter_ns()
        keys = run(query.text)
        latencies.append((time.perf_counter_ns() - started) / 1e6)
        results.append(keys)
    return latencies, results


def hit_rate(queries: Sequence[Query], results: list[list[str]], within: int) -> float:
    hits = sum(
        f"{q.target_kind}:{q.target_id}" in keys[:within] for q, keys in zip(queries, results, strict=True)
    )
    return round(hits / max(1, len(queries)), 3)


def measure(engine: Engine, docs: Sequence[Doc], queries: Sequence[Query], folder: Path) -> dict[str, Any]:
    by_kind = {kind: [q for q in queries if q.kind == kind] for kind in ("prefix", "one_edit", "two_edit")}
    rss_before = rss_mb()
    started = time.perf_counter()
    details = engine.build(docs, folder)
    build_s = time.perf_counter() - started
    figures: dict[str, Any] = {
        "build_s": round(build_s, 1),
        "build_docs_per_s": round(len(docs) / build_s),
        "disk_mb": round(folder_mb(folder), 1),
        "rss_before_build_mb": round(rss_before, 1),
        "rss_added_by_build_mb": round(rss_mb() - rss_before, 1),
        **details,
    }
    timed(engine.typeahead, by_kind["prefix"][:WARMUP])
    latencies, results = timed(engine.typeahead, by_kind["prefix"])
    figures["typeahead"] = {
        **percentiles(latencies),
        "target_in_top10": hit_rate(by_kind["prefix"], results, TOP),
    }
    for kind in ("one_edit", "two_edit"):
        latencies, results = timed(engine.typo, by_kind[kind])
        figures[kind] = {**percentiles(latencies), "top3_accuracy": hit_rate(by_kind[kind], results, 3)}
    figures["rss_added_after_queries_mb"] = round(rss_mb() - rss_before, 1)
    return figures


def measure_in_child(
    factory: Callable[[], Engine], docs: Sequence[Doc], queries: Sequence[Query], root: Path
) -> dict[str, Any]:
    """Build and query in a forked child: each engine starts from the same memory and leaves
    nothing behind (the documents are shared copy-on-write)."""
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    engine = factory()
    folder = root / engine.name
    folder.mkdir()

    def child() -> None:
        send.send(measure(engine, docs, queries, folder))

    worker = context.Process(target=child)
    worker.start()
    figures: dict[str, Any] = receive.recv()
    worker.join()
    shutil.rmtree(folder, ignore_errors=True)
    return figures


COLUMNS = (
    ("engine", 16),
    ("build docs/s", 12),
    ("disk MB", 8),
    ("RSS+ MB", 8),
    ("typeahead p50/p99 ms", 20),
    ("top10", 6),
    ("typo p50/p99 ms", 16),
    ("top3 1e", 8),
    ("top3 2e", 8),
)


def table(results: dict[str, dict[str, Any]]) -> str:
    """One line an engine; RSS+ is what the engine added to the process (build and queries)."""
    lines = [_row([title for title, _width in COLUMNS])]
    lines.append("-" * len(lines[0]))
    for name, f in results.items():
        t, one, two = f["typeahead"], f["one_edit"], f["two_edit"]
        cells = (
            name,
            f"{f['build_docs_per_s']:,}",
            f["disk_mb"],
            f["rss_added_after_queries_mb"],
            f"{t['p50_ms']} / {t['p99_ms']}",
            t["target_in_top10"],
            f"{one['p50_ms']} / {one['p99_ms']}",
            one["top3_accuracy"],
            two["top3_accuracy"],
        )
        lines.append(_row(cells))
    return "\n".join(lines)


def _row(cells: Sequence[object]) -> str:
    """The engine name to the left, figures to the right."""
    (_first, first_width), *rest = COLUMNS
    figures = " ".join(f"{cell!s:>{width}}" for cell, (_title, width) in zip(cells[1:], rest, strict=True))
    return f"{cells[0]!s:<{first_width}} {figures}"


def main() -> None:
    args = arguments()
    load = os.getloadavg()[0]
    FUZZY_FROM[:] = args.fuzzy_from
    tracks = 50_000 if args.quick else args.tracks
    try:
        docs, queries, prepared = prepare(tracks, args.seed, args.queries, args.data_dir.resolve())
    except FileNotFoundError as error:
        raise SystemExit(str(error)) from None
    results = {}
    with tempfile.TemporaryDirectory(prefix="search-engines-") as root:
        for name in args.engines.split(","):
            print(f"{name}: building {len(docs):,} documents and querying", flush=True)
            results[name] = measure_in_child(ENGINES[name], docs, queries, Path(root))
            print(f"  {results[name]}", flush=True)
    print(table(results))
    suffix = ("_quick" if args.quick else "") + ("" if FUZZY_FROM == [5, 9] else f"_fuzzy{FUZZY_FROM[0]}")
    record(
        "search_engines" + suffix,
        {
            "tracks": tracks,
            "documents": len(docs),
            "queries_per_kind": args.queries,
            "fuzzy_from": FUZZY_FROM,
            "load_before": round(load, 2),
            "load_after": round(os.getloadavg()[0], 2),
            **prepared,
            "engines": results,
        },
    )


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tracks", type=int, default=1_000_000)
    parser.add_argument("--quick", action="store_true", help="50k tracks, a smoke check")
    parser.add_argument("--queries", type=int, default=2000, help="queries of each kind")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--engines", default=",".join(ENGINES), help=f"comma-separated, of {', '.join(ENGINES)}"
    )
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    parser.add_argument(
        "--fuzzy-from",
        type=int,
        nargs=2,
        default=[5, 9],
        metavar=("ONE", "TWO"),
        help="query-word lengths from which 1 and 2 edits are allowed",
    )
    return parser.parse_args()


def prepare(
    tracks: int, seed: int, n_queries: int, data_dir: Path
) -> tuple[list[Doc], list[Query], dict[str, Any]]:
    """The documents and queries; the catalog itself is dropped before the engines fork."""
    started = time.perf_counter()
    catalog = generate(tracks, seed, data_dir)
    generated = time.perf_counter() - started
    docs = documents(catalog)
    queries = query_set(catalog, n_queries, seed)
    del catalog
    gc.collect()
    prepared = time.perf_counter() - started - generated
    sizes = f"{len(docs):,} documents and {len(queries):,} queries"
    print(f"catalog of {tracks:,} tracks in {generated:.1f} s; {sizes} in {prepared:.1f} s", flush=True)
    return docs, queries, {"generate_s": round(generated, 1), "documents_and_queries_s": round(prepared, 1)}


if __name__ == "__main__":
    main()
