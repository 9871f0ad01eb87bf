"""Consumer lag under the manifest load: how long after `POST /v1/me/player/events` answers
"accepted" a play is in `GET /v1/me/player/recently-played`.

wrk sends `GET /v1/tracks/{id}/manifest` at about 200 req/s (Poisson, as `bench/manifest.py`) to
one `tonearm serve` process; meanwhile one client posts a play.start about every 100 ms and polls
recently-played (limit 1) every 10 ms until that play is its newest item. The lag is from the
accepted answer to the first poll that shows the play; p50/p99/max are reported with the
manifest latencies of the same run.

    .venv/bin/python bench/consumer_lag.py [--seconds 30] [--rate 200] [--workers 1]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path

import httpx

from _common import millis, record, tonearm_server
from manifest import CONNECTIONS, demo_data, manifest_script
from tonearm.kit.time import iso_ms, utcnow

PLAY_EVERY_S = 0.1
POLL_EVERY_S = 0.01
GIVE_UP_S = 10.0


def a_play(track_id: str, number: int) -> bytes:
    # Each play a millisecond later than the one before, so "newest" is unambiguous.
    moment = utcnow() + timedelta(milliseconds=number)
    event = {
        "type": "play.start",
        "event_id": uuid.uuid4().hex,
        "track_id": track_id,
        "context_uri": None,
        "device_id": "bench-lag",
        "position_ms": 0,
        "ms_played": 0,
        "timestamp": iso_ms(moment),
        "offline": False,
    }
    return httpx.Request("POST", "/", json={"events": [event]}).read()


def measure_lag(base: str, token: str, track_ids: list[str], seconds: float) -> list[float]:
    """Milliseconds from accepted to visible, for each play posted over `seconds`."""
    lags = []
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    with httpx.Client(base_url=base, headers=headers, timeout=30) as http:
        deadline, number = time.monotonic() + seconds, 0
        while time.monotonic() < deadline:
            started = time.monotonic()
            number += 1
            answer = http.post(
                "/v1/me/player/events", content=a_play(track_ids[number % len(track_ids)], number)
            )
            answer.raise_for_status()
            [result] = answer.json()["events"]
            if result["status"] != "accepted":
                raise RuntimeError(f"play not accepted: {result}")
            accepted = time.monotonic()
            while True:
                page = http.get("/v1/me/player/recently-played", params={"limit": 1}).json()
                if page["total"] >= number:
                    lags.append((time.monotonic() - accepted) * 1000)
                    break
                if time.monotonic() - accepted > GIVE_UP_S:
                    raise RuntimeError(f"play {number} not in recently-played after {GIVE_UP_S} s")
                time.sleep(POLL_EVERY_S)
            time.sleep(max(0.0, PLAY_EVERY_S - (time.monotonic() - started)))
    return lags


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rate", type=float, default=200.0)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="tonearm-lag-") as folder:
        data, track_ids = demo_data(Path(folder))
        with tonearm_server(data, workers=args.workers) as base:
            script = manifest_script(base, track_ids, args.rate, Path(folder))
            wrk = subprocess.Popen(
                [
                    "wrk",
                    "-t",
                    "1",
                    "-c",
                    str(CONNECTIONS),
                    "-d",
                    f"{args.seconds + 4:.0f}s",
                    "--latency",
                    "-s",
                    str(script),
                    base,
                ],
                stdout=subprocess.PIPE,
                text=True,
            )
            time.sleep(2)  # the load is on before the first play
            lags = measure_lag(base, base.token, track_ids, args.seconds)
            output, _ = wrk.communicate(timeout=60)
    if "Non-2xx" in output:
        raise RuntimeError(f"errors under load:\n{output}")
    manifest = {
        line.split()[0]: millis(line.split()[1])
        for line in output.splitlines()
        if line.strip().startswith(("50%", "99%"))
    }
    record(
        "consumer_lag",
        {
            "what": f"a play.start every {PLAY_EVERY_S * 1000:.0f} ms, from accepted to shown in "
            f"recently-played (polled every {POLL_EVERY_S * 1000:.0f} ms), while wrk sends manifests "
            f"at {args.rate:.0f} req/s; SQLite, {args.workers} server process(es)",
            "load_at_start": load,
            "plays": len(lags),
            "lag_p50_ms": round(statistics.median(lags), 1),
            "lag_p99_ms": round(percentile(lags, 0.99), 1),
            "lag_max_ms": round(max(lags), 1),
            "manifest_p50_ms": manifest.get("50%"),
            "manifest_p99_ms": manifest.get("99%"),
        },
    )


if __name__ == "__main__":
    main()
