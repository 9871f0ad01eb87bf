"""Manifest latency under load: `GET /v1/tracks/{id}/manifest` at about 200 requests/s over
127.0.0.1, p50/p99 end to end, measured by wrk (a Python load generator on this 2-core machine
took more CPU than the server and measured itself).

Arrivals are open-loop Poisson: each of wrk's connections waits an exponentially distributed
time (mean connections/rate) before its next request, so together they form a Poisson stream at
`rate`. (A fixed wait would line the connections up into bursts that measure queueing behind
one's own burst rather than latency at the rate.) The achieved rate is reported.

    .venv/bin/python bench/manifest.py [--rate 200] [--seconds 20] [--workers 1]
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from _common import Server, record, run_wrk, tonearm_server
from tonearm.config import Settings
from tonearm.ingest.demo import ingest_demo
from tonearm.runtime import open_runtime

CONNECTIONS = 20
SCRIPT = """
math.randomseed(os.time())
local ids = {{{ids}}}
local counter = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", "/v1/tracks/" .. ids[(counter % #ids) + 1] .. "/manifest")
end
function delay() return -math.log(1 - math.random()) * {interval_ms} end
"""


def demo_data(folder: Path) -> tuple[Path, list[str]]:
    """A data folder under `folder` with four 3-second demo tracks, and their ids."""
    data = folder / "var"
    runtime = open_runtime(Settings(data_dir=data))
    try:
        return data, [r.id for r in ingest_demo(runtime.ingest_context(), seconds=3, count=4)]
    finally:
        runtime.close()


def manifest_script(base: Server, track_ids: list[str], rate: float, folder: Path) -> Path:
    """The wrk script asking for the tracks' manifests at `rate` (Poisson) with `base`'s token."""
    script = folder / "manifest.lua"
    ids = ", ".join(f'"{track_id}"' for track_id in track_ids)
    lua = SCRIPT.format(ids=ids, interval_ms=round(1000 * CONNECTIONS / rate))
    script.write_text(base.lua_auth() + lua)
    return script


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rate", type=float, default=200.0)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="tonearm-bench-") as folder:
        data, track_ids = demo_data(Path(folder))
        with tonearm_server(data, workers=args.workers) as base:
            script = manifest_script(base, track_ids, args.rate, Path(folder))
            run_wrk(base, script, 3, connections=CONNECTIONS)  # warm-up
            figures = run_wrk(base, script, args.seconds, connections=CONNECTIONS)
    record(
        "manifest",
        {
            "what": f"GET /v1/tracks/{{id}}/manifest, Poisson arrivals at {args.rate:.0f} req/s "
            f"for {args.seconds:.0f} s, "
            f"wrk {CONNECTIONS} connections, SQLite, {args.workers} server process(es)",
            **figures,
        },
    )


if __name__ == "__main__":
    main()
