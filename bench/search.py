"""Search at catalog scale, end to end over HTTP on 127.0.0.1.

    .venv/bin/python bench/search.py [--tracks 1000000] [--seconds 20] [--workers 2]

1. A realistic catalog (bench/search_catalog.py: real hetrec artist names, Zipf titles, rights,
   popularity) written to SQLite, with its query set; reused when it already exists.
2. Indexing: `tonearm search reindex` over the whole catalog, reading it from the database
   (what an operator's rebuild costs); then, with the catalog's records already in memory, the
   rate from records to a committed index, and of the engine alone (prebuilt documents).
3. `tonearm serve --workers N` (granian). Quality, one query at a time: is the intended item
   in the top 3 for one-edit and two-edit misspellings and for prefixes.
4. Latency with 8 concurrent clients (wrk, one connection each), two ways:
   - typing: each client sends a keystroke's type-ahead request after an exponentially
     distributed pause (mean `--think-ms`), as people type; this is the goal's setting.
   - flat out: each client sends its next request as soon as the last one answers, to find the
     throughput at which queueing begins (8 in flight on 2 cores).
   Full searches (`type=track,artist,album&limit=10`, hydrated from the database) likewise.
5. The server's resident memory (all processes) after the load.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx

from _common import ROOT, TONEARM, Server, record, run_wrk, tonearm_server, tree_rss_mb

CLIENTS = 8
LUA = """
local paths = {{{paths}}}
local counter = 0
local think = {think_ms}
function setup(thread) thread:set("offset", math.random(1, #paths)) end
request = function()
  counter = counter + 1
  return wrk.format("GET", paths[((counter + offset) % #paths) + 1])
end
if think > 0 then
  function delay() return -math.log(1 - math.random()) * think end
end
"""


def ensure_catalog(tracks: int, folder: Path) -> list[dict[str, Any]]:
    generator = ROOT / "bench" / "search_catalog.py"
    subprocess.run(
        [sys.executable, str(generator), "--tracks", str(tracks), "--out", str(folder)], check=True
    )
    return list(json.loads((folder / "queries.json").read_text()))


def reindex(folder: Path) -> dict[str, float]:
    started = time.perf_counter()
    done = subprocess.run(
        [TONEARM, "search", "reindex"],
        env={**os.environ, "TONEARM_DATA_DIR": str(folder)},
        capture_output=True,
        text=True,
        check=True,
    )
    elapsed = time.perf_counter() - started
    documents = int(done.stdout.split("indexed ", 1)[1].split()[0])
    current = folder / "search" / (folder / "search" / "CURRENT").read_text().strip()
    size = sum(f.stat().st_size for f in current.rglob("*") if f.is_file())
    return {
        "documents": documents,
        "reindex_s": round(elapsed, 1),
        "index_docs_per_s": round(documents / elapsed),
        "index_mb": round(size / 2**20),
    }


def engine_rate(folder: Path) -> dict[str, float]:
    """Indexing without the database read: catalog records already in memory -> documents ->
    a committed index (what the engine comparison measures), and the engine alone."""
    from tonearm.catalog.feed import feed
    from tonearm.config import Settings
    from tonearm.runtime import open_runtime
    from tonearm.search.build import ORDER
    from tonearm.search.documents import to_document
    from tonearm.search.index import SearchIndex

    runtime = open_runtime(Settings(data_dir=folder))
    with runtime.session_factory() as session:
        records = [record for kind in ORDER for batch in feed.all_records(session, kind) for record in batch]
    runtime.close()
    figures = {}
    for name, prebuilt in (("from_records", False), ("engine_only", True)):
        with tempfile.TemporaryDirectory(prefix="tonearm-engine-") as scratch:
            documents = [to_document(record) for record in records] if prebuilt else None
            writer = SearchIndex(Path(scratch)).writer(heap_bytes=400_000_000, threads=2)
            assert writer is not None
            started = time.perf_counter()
            for document in documents or (to_document(record) for record in records):
                writer.add_document(document)
            writer.commit()
            writer.wait_merging_threads()
            figures[f"index_{name}_docs_per_s"] = round(len(records) / (time.perf_counter() - started))
            del documents
    return figures


def quality(base: Server, queries: list[dict[str, Any]]) -> dict[str, float]:
    """Share of queries whose intended item is in the top 3 (type-ahead; and full search of its type).
    Asked with an app's own token: a listener's answers leave out what cannot play in their
    country, which would count as misses here."""
    hits: dict[str, list[bool]] = {}
    with httpx.Client(base_url=base, timeout=10, headers=base.app_auth) as client:
        for query in queries:
            items = client.get("/v1/search/suggest", params={"q": query["text"], "limit": 3}).json()["items"]
            found = any(item["id"] == query["target_id"] for item in items)
            hits.setdefault(f"{query['kind']}_top3_suggest", []).append(found)
            if query["kind"] != "prefix":
                kind = query["target_kind"]
                params = {"q": query["text"], "type": kind, "limit": 3}
                page = client.get("/v1/search", params=params).json()[f"{kind}s"]
                found = any(item["id"] == query["target_id"] for item in page["items"])
                hits.setdefault(f"{query['kind']}_top3_search", []).append(found)
    return {name: round(100 * sum(found) / len(found), 1) for name, found in sorted(hits.items())}


def lua(server: Server, folder: Path, name: str, paths: list[str], think_ms: float) -> Path:
    script = folder / f"{name}.lua"
    listed = ",\n".join(f'"{path}"' for path in paths)
    script.write_text(server.lua_auth() + LUA.format(paths=listed, think_ms=think_ms))
    return script


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tracks", type=int, default=1_000_000)
    parser.add_argument("--dir", type=Path, default=None, help="catalog folder (default /tmp/...)")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--think-ms", type=float, default=100.0)
    parser.add_argument("--skip-reindex", action="store_true")
    args = parser.parse_args()
    folder = args.dir or Path(f"/tmp/tonearm-search-{args.tracks}")
    queries = ensure_catalog(args.tracks, folder)
    indexing = {} if args.skip_reindex else {**reindex(folder), **engine_rate(folder)}
    print(indexing, flush=True)
    typed = [f"/v1/search/suggest?q={quote(q['text'])}" for q in queries]
    full = [f"/v1/search?q={quote(q['text'])}&type=track,artist,album&limit=10" for q in queries]
    figures: dict[str, Any] = {"tracks": args.tracks, "queries": len(queries), **indexing}
    with tonearm_server(folder, workers=args.workers) as base:
        figures.update(quality(base, queries))
        figures["idle_rss_mb"] = tree_rss_mb(base.pid)
        runs = {
            "typeahead_typing": (typed, args.think_ms),
            "typeahead_flat_out": (typed, 0.0),
            "search_typing": (full, args.think_ms),
            "search_flat_out": (full, 0.0),
        }
        for name, (paths, think) in runs.items():
            script = lua(base, folder, name, paths, think)
            run_wrk(base, script, 3, connections=CLIENTS)  # warm-up
            measured = run_wrk(base, script, args.seconds, connections=CLIENTS)
            figures.update({f"{name}_{key}": value for key, value in measured.items()})
            print(name, measured, flush=True)
        figures["loaded_rss_mb"] = tree_rss_mb(base.pid)
    record(
        f"search_{args.tracks}",
        {
            "what": f"{CLIENTS} clients over HTTP, {args.workers} server processes (granian), SQLite, "
            f"typing = exponential pauses of mean {args.think_ms:.0f} ms between requests per client",
            **figures,
        },
    )


if __name__ == "__main__":
    main()
