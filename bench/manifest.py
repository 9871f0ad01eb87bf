"""Manifest latency under load: an open-loop client at a fixed request rate (200/s) against
`GET /v1/tracks/{id}/manifest`, p50/p99 end to end over 127.0.0.1.

    .venv/bin/python bench/manifest.py [--rate 200] [--seconds 20]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path

import httpx
import numpy as np

from _common import record, tonearm_server
from tonearm.config import Settings
from tonearm.ingest.demo import ingest_demo
from tonearm.runtime import open_runtime


async def load(base: str, track_ids: list[str], rate: float, seconds: float) -> tuple[list[float], int]:
    latencies: list[float] = []
    errors = 0
    limits = httpx.Limits(max_connections=64, max_keepalive_connections=64)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=10) as client:

        async def one(index: int) -> None:
            nonlocal errors
            started = time.perf_counter()
            response = await client.get(f"/v1/tracks/{track_ids[index % len(track_ids)]}/manifest")
            latencies.append(time.perf_counter() - started)
            errors += response.status_code != 200

        tasks = []
        start = time.perf_counter()
        for index in range(int(rate * seconds)):
            # Open loop: requests leave on schedule whether or not earlier ones have returned.
            delay = start + index / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(index)))
        await asyncio.gather(*tasks)
    return latencies, errors


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rate", type=float, default=200.0)
    parser.add_argument("--seconds", type=float, default=20.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="tonearm-bench-") as folder:
        data = Path(folder) / "var"
        runtime = open_runtime(Settings(data_dir=data))
        track_ids = [r.id for r in ingest_demo(runtime.ingest_context(), seconds=3, count=4)]
        runtime.close()
        with tonearm_server(data) as base:
            asyncio.run(load(base, track_ids, args.rate, 2))  # warm-up
            latencies, errors = asyncio.run(load(base, track_ids, args.rate, args.seconds))
    millis = np.array(latencies) * 1000
    record(
        "manifest",
        {
            "what": f"GET /v1/tracks/{{id}}/manifest at {args.rate:.0f} req/s open loop "
            f"for {args.seconds:.0f} s, SQLite, one server process",
            "requests": len(latencies),
            "errors": errors,
            "p50_ms": round(float(np.percentile(millis, 50)), 2),
            "p99_ms": round(float(np.percentile(millis, 99)), 2),
            "max_ms": round(float(millis.max()), 2),
        },
    )


if __name__ == "__main__":
    main()
