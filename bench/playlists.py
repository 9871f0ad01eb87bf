"""A 10,000-item playlist over HTTP: a page of 100 and adding 100 items, p50/p99; and how the
history's storage grows with edits.

One `tonearm serve` process on SQLite, one client sending one request at a time:

- fill a playlist to 9,900 items (99 adds of 100);
- `--rounds` times: add 100 more (timed: the playlist holds 9,900 and becomes 10,000), then
  remove those 100 by URI (not timed);
- `--rounds` pages of 100 at random offsets of the 10,000-item playlist (timed), after a few
  seconds' pause for the server's background work on the edits before;
- single-item adds and removes until the playlist has 1,000 edits, noting the history's rows
  and bytes along the way, against what a full copy of the list per version would take.

    .venv/bin/python bench/playlists.py [--rounds 200]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

from _common import ROOT, bench_tokens, record, tonearm_server

sys.path.insert(0, str(ROOT))
from tests.catalog_factory import make_track, publish

from tonearm.config import Settings
from tonearm.kit.db import unit_of_work
from tonearm.playlists.repository import PlaylistRepository
from tonearm.runtime import open_runtime

SIZE = 10_000
BATCH = 100
SETTLE_SECONDS = 5.0


def catalog(data: Path) -> tuple[list[str], list[str]]:
    """100 filler tracks and 100 probe tracks, published straight into the catalog."""
    runtime = open_runtime(Settings(data_dir=data))
    try:
        with unit_of_work(runtime.session_factory) as session:
            tracks = [
                make_track(f"Bench {n}", track_number=n + 1, album_name=f"Bench {n // 20}")
                for n in range(200)
            ]
            ids = publish(session, *tracks)
        return ids[:BATCH], ids[BATCH:]
    finally:
        runtime.close()


def history(data: Path, playlist_id: str) -> tuple[int, int]:
    runtime = open_runtime(Settings(data_dir=data))
    try:
        with unit_of_work(runtime.session_factory) as session:
            return PlaylistRepository(session).history_size(playlist_id)
    finally:
        runtime.close()


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(share * len(ordered)))], 2)


def timed(call: httpx.Client, method: str, path: str, **kwargs: object) -> float:
    started = time.perf_counter()
    answer = call.request(method, path, **kwargs)  # type: ignore[arg-type]
    elapsed = (time.perf_counter() - started) * 1000
    answer.raise_for_status()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=200)
    args = parser.parse_args()
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="tonearm-bench-") as folder:
        data = Path(folder) / "var"
        filler, probe = catalog(data)
        bench_tokens(data)
        with tonearm_server(data) as base, httpx.Client(base_url=base, headers=base.auth, timeout=60) as call:
            pid = call.post("/v1/me/playlists", json={"name": "Big"}).json()["id"]
            items = f"/v1/playlists/{pid}/tracks"
            filler_uris = [f"spotify:track:{t}" for t in filler]
            probe_uris = [f"spotify:track:{t}" for t in probe]
            for _ in range(SIZE // BATCH - 1):
                call.post(items, json={"uris": filler_uris}).raise_for_status()
            storage = [("filled to 9,900", *history(data, pid))]
            adds = []
            for _ in range(args.rounds):
                adds.append(timed(call, "POST", items, json={"uris": probe_uris}))
                removal = {"tracks": [{"uri": uri} for uri in probe_uris]}
                call.request("DELETE", items, json=removal).raise_for_status()
            call.post(items, json={"uris": probe_uris}).raise_for_status()
            total = call.get(f"/v1/playlists/{pid}?fields=tracks.total").json()["tracks"]["total"]
            assert total == SIZE, total
            # The 2 x rounds edits above left the outbox relay and the consumers a backlog of
            # playlist events; pages are timed once the server has worked through it, as a
            # reader of a playlist nobody is editing would find it.
            time.sleep(SETTLE_SECONDS)
            pages = [
                timed(call, "GET", f"{items}?limit=100&offset={random.randrange(0, SIZE - BATCH)}")
                for _ in range(args.rounds)
            ]
            storage.append(("after the add/remove rounds", *history(data, pid)))
            edits = storage[-1][1]
            while edits < 1000:
                call.request("DELETE", items, json={"tracks": [{"uri": probe_uris[edits % BATCH]}]})
                call.post(items, json={"uris": [probe_uris[edits % BATCH]]}).raise_for_status()
                edits += 2
            storage.append(("1,000 edits", *history(data, pid)))
    rows, size = storage[-1][1], storage[-1][2]
    # Item rows a copy of the list per version would have held: every version holds ~9,900+.
    copies = 99 * 9_900 // 2 + (rows - 99) * SIZE
    record(
        "playlists",
        {
            "what": "one tonearm serve process (SQLite), one client, requests one at a time: add 100 "
            "items to a 9,900-item playlist, and a page of 100 at a random offset of a 10,000-item "
            f"one, {args.rounds} of each; then history storage up to 1,000 edits",
            "load_at_start": load,
            "add_100_at_10k_ms": {"p50": round(statistics.median(adds), 2), "p99": percentile(adds, 0.99)},
            "page_100_at_10k_ms": {"p50": round(statistics.median(pages), 2), "p99": percentile(pages, 0.99)},
            "history": [
                {"when": w, "edits": r, "change_bytes": b, "bytes_per_edit": round(b / r)}
                for w, r, b in storage
            ],
            "item_rows_if_each_version_were_a_copy": copies,
            "history_bytes_vs_copies_at_40_bytes_an_item": round(size / (copies * 40), 4),
        },
    )


if __name__ == "__main__":
    main()
