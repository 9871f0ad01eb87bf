"""The index on disk: its schema, and the generations a rebuild swaps between.

    <root>/CURRENT          the name of the generation searches read
    <root>/<generation>/    one tantivy index, plus cursor.json: how far along the event
                            log's catalog topic it has applied

A rebuild writes a new generation beside the live one and then points CURRENT at it, so a
running server keeps answering from the old one until the new one is complete.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

import tantivy

from tonearm.kit.time import utcnow

__all__ = ["SCHEMA", "SHORT_PREFIX", "TIERS", "Cursor", "IndexStore", "SearchIndex"]

# Bump when the schema, the folding or the cursor's meaning changes: servers then rebuild
# instead of reusing. (8: the cursor is an offset on the event log, no longer a change seq.)
SCHEMA_VERSION = 8
FOLDED = "folded"
SHORT_PREFIXES = "short_prefixes"
# Prefixes up to this long are terms of their own; longer ones are looked up in the term
# dictionary (few words share a 6-letter start, many share "th" or "black").
SHORT_PREFIX = 5
TIERS = (50, 70)


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("key", stored=True, tokenizer_name="raw")
    builder.add_text_field("kind", tokenizer_name="raw")
    # Words are folded in Python (search.fold), so the index only splits on spaces.
    # Free words match `words` (the name, artists and album together); the others serve the
    # own-name boost, field filters and phrases.
    builder.add_text_field("words", tokenizer_name=FOLDED, index_option="freq")
    for name in ("name", "artist", "album"):
        builder.add_text_field(name, tokenizer_name=FOLDED, index_option="position")
    # The 1-5 letter prefixes of the name's and artists' words (one value per word): the
    # broadest prefixes are single posting lists instead of unions of thousands of words.
    builder.add_text_field("prefixes", tokenizer_name=SHORT_PREFIXES, index_option="basic")
    builder.add_text_field("exact", tokenizer_name="raw")
    # Popularity tiers ("50", "70"): type-ahead for a prefix most of the catalog shares looks
    # only at the popular part of it.
    builder.add_text_field("tier", tokenizer_name="raw", index_option="basic")
    # The popular part's own terms, "50=word" and "50:pre" (see documents.head_terms): a broad
    # prefix looked up in a tier is one short posting list, not an intersection of two long ones.
    builder.add_text_field("head", tokenizer_name=FOLDED, index_option="basic")
    builder.add_text_field("isrc", tokenizer_name="raw")
    builder.add_text_field("markets", tokenizer_name="raw")
    builder.add_integer_field("year", indexed=True, fast=True)
    builder.add_integer_field("released", indexed=True, fast=True)
    builder.add_integer_field("popularity", indexed=True, fast=True)
    builder.add_float_field("weight", fast=True)
    # What a type-ahead answer shows, so it needs no database read.
    builder.add_bytes_field("card", stored=True)
    return builder.build()


SCHEMA = _schema()


@dataclass
class Cursor:
    """How far a generation has followed the catalog: the last offset of the catalog topic it
    applied, and until when it has looked for rights windows opening or closing. `offset` is
    None for a generation built without the log at hand: its build started at
    `rights_checked_at`, and the replica that takes it over finds that moment's offset."""

    offset: int | None = 0
    rights_checked_at: str = ""

    @classmethod
    def read(cls, path: Path) -> Cursor:
        try:
            return cls(**json.loads((path / "cursor.json").read_text()))
        except (OSError, ValueError, TypeError):
            return cls()

    def write(self, path: Path) -> None:
        temporary = path / "cursor.json.tmp"
        temporary.write_text(json.dumps(asdict(self)))
        temporary.replace(path / "cursor.json")

    def checked_at(self) -> datetime:
        return datetime.fromisoformat(self.rights_checked_at) if self.rights_checked_at else utcnow()


class SearchIndex:
    """One generation, opened for searching; `writer()` adds writing if no one else writes."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._index = tantivy.Index(SCHEMA, path=str(path), reuse=True)
        analyzers = {
            FOLDED: tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.whitespace()).filter(
                tantivy.Filter.remove_long(100)
            ),
            SHORT_PREFIXES: tantivy.TextAnalyzerBuilder(
                tantivy.Tokenizer.ngram(min_gram=1, max_gram=SHORT_PREFIX, prefix_only=True)
            ),
        }
        for name, analyzer in analyzers.items():
            self._index.register_tokenizer(name, analyzer.build())
        self._index.config_reader("Manual")

    def searcher(self) -> tantivy.Searcher:
        return self._index.searcher()

    def reload(self) -> None:
        self._index.reload()

    def writer(self, *, heap_bytes: int = 50_000_000, threads: int = 1) -> tantivy.IndexWriter | None:
        """The writer, or None while another process (or object) holds this generation's lock."""
        try:
            return self._index.writer(heap_size=heap_bytes, num_threads=threads)
        except ValueError as error:
            if "LockBusy" in str(error):
                return None
            raise

    def committed_at(self) -> float:
        """When the last commit landed (meta.json's mtime), to notice other processes' commits."""
        try:
            return (self.path / "meta.json").stat().st_mtime
        except OSError:
            return 0.0


class IndexStore:
    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)

    def current(self) -> Path | None:
        try:
            name = (self.root / "CURRENT").read_text().strip()
        except OSError:
            return None
        path = self.root / name
        if not name.startswith(f"v{SCHEMA_VERSION}-") or not (path / "meta.json").exists():
            return None
        return path

    def new_generation(self) -> Path:
        path = self.root / f"v{SCHEMA_VERSION}-{time.time_ns()}"
        path.mkdir()
        return path

    def publish(self, path: Path) -> None:
        temporary = self.root / f"CURRENT.{os.getpid()}"
        temporary.write_text(path.name)
        temporary.replace(self.root / "CURRENT")

    def remove_stale(self, *, keep: Path, older_than_seconds: float = 60.0) -> None:
        """Drop generations older than `keep` once no reader can still be switching away; newer
        ones may be a rebuild in progress."""
        cutoff = time.time() - older_than_seconds
        for path in self.root.iterdir():
            if path.is_dir() and _born(path) < _born(keep) and path.stat().st_mtime < cutoff:
                shutil.rmtree(path, ignore_errors=True)


def _born(generation: Path) -> int:
    stamp = generation.name.rpartition("-")[2]
    return int(stamp) if stamp.isdigit() else 0
