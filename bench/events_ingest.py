"""Playback event ingest over HTTP against publishing straight to the log, side by side.

`POST /v1/me/player/events` with batches of 500 events (each answered only once the log holds
it) from `--clients` concurrent connections to `tonearm serve`, against the same number of
events appended by one thread straight to the same kind of log in batches of 500
(`bench/eventlog_publish.py`). Rounds alternate between the two; the medians are reported with
the ratio. The server runs its consumers meanwhile, as in production.

    .venv/bin/python bench/events_ingest.py [--events 100000] [--rounds 3] [--workers 2]
    .venv/bin/python bench/events_ingest.py --url 'nats://127.0.0.1:4222?prefix=bench-ingest'

Without --url each side gets a fresh SQLite log file; with a NATS URL, each round uses a prefix
of its own, whose streams are deleted afterwards.
"""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx
import orjson

from _common import record, tonearm_server
from eventlog_publish import publish_rate
from tonearm.backends.eventlog import open_event_log
from tonearm.backends.eventlog_nats import NatsEventLog
from tonearm.config import Settings
from tonearm.errors import BackendError
from tonearm.ingest.demo import ingest_demo
from tonearm.kit.time import iso_ms, utcnow
from tonearm.runtime import open_runtime

BATCH = 500
PLAY = ("play.start", "play.progress", "play.progress", "play.pause", "play.resume", "play.end")


def batches(track_ids: list[str], events: int) -> list[bytes]:
    """Request bodies of 500 events each: plays of a few seconds as a player reports them."""
    now = utcnow()
    bodies, batch = [], []
    for number in range(events):
        step = number % len(PLAY)
        batch.append(
            {
                "type": PLAY[step],
                "event_id": uuid.uuid4().hex,
                "track_id": track_ids[number // len(PLAY) % len(track_ids)],
                "context_uri": None,
                "device_id": "bench-device",
                "position_ms": step * 500,
                "ms_played": step * 500,
                "timestamp": iso_ms(now),
                "offline": False,
            }
        )
        if len(batch) == BATCH:
            bodies.append(orjson.dumps({"events": batch}))
            batch = []
    if batch:
        bodies.append(orjson.dumps({"events": batch}))
    return bodies


def http_rate(base: str, token: str, bodies: list[bytes], clients: int) -> float:
    """Events per second accepted over HTTP; every event must be answered accepted."""
    todo = list(reversed(bodies))
    lock = threading.Lock()
    failures: list[str] = []
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    def client() -> None:
        with httpx.Client(base_url=base, headers=headers, timeout=60) as http:
            while True:
                with lock:
                    if not todo:
                        return
                    body = todo.pop()
                answer = http.post("/v1/me/player/events", content=body)
                if answer.status_code != 200 or answer.json()["accepted"] != BATCH:
                    failures.append(answer.text[:300])

    threads = [threading.Thread(target=client) for _ in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    if failures:
        raise RuntimeError(f"{len(failures)} batches not wholly accepted, e.g. {failures[0]}")
    return len(bodies) * BATCH / seconds


def with_prefix(url: str, prefix: str) -> str:
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query)) | {"prefix": prefix}
    return urlunsplit(parts._replace(query=urlencode(query)))


@contextmanager
def a_log(url: str | None, folder: Path, name: str) -> Iterator[str]:
    """A fresh log for one side of one round: a new SQLite file, or a NATS prefix of its own
    whose streams go afterwards."""
    if url is None:
        yield f"sqlite:///{folder / f'{name}.db'}"
        return
    fresh = with_prefix(url, f"bench-{secrets.token_hex(3)}")
    try:
        yield fresh
    finally:
        log = open_event_log(fresh)
        try:
            for topic in log.status():
                with suppress(BackendError):
                    if isinstance(log, NatsEventLog):
                        log.delete_topic(topic.topic)
        finally:
            log.close()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--url", help="a NATS URL (default: SQLite files in a temporary folder)")
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--clients", type=int, default=4)
    args = parser.parse_args()
    load = os.getloadavg()[0]
    http, direct = [], []
    with tempfile.TemporaryDirectory(prefix="tonearm-ingest-bench-") as folder:
        for round_ in range(args.rounds):
            with a_log(args.url, Path(folder), f"direct-{round_}") as url:
                direct.append(publish_rate(url, args.events))
            data = Path(folder) / f"var-{round_}"
            with a_log(args.url, Path(folder), f"http-{round_}") as url:
                runtime = open_runtime(Settings(data_dir=data, event_log_url=url))
                try:
                    track_ids = [r.id for r in ingest_demo(runtime.ingest_context(), seconds=3, count=4)]
                finally:
                    runtime.close()
                bodies = batches(track_ids, args.events)
                environment = {"TONEARM_EVENT_LOG_URL": url}
                with tonearm_server(data, workers=args.workers, env=environment) as base:
                    http_rate(base, base.token, batches(track_ids, 5 * BATCH), args.clients)  # warm-up
                    http.append(http_rate(base, base.token, bodies, args.clients))
    http_median, direct_median = statistics.median(http), statistics.median(direct)
    record(
        f"events_ingest_{urlsplit(args.url).scheme if args.url else 'sqlite'}",
        {
            "what": f"{args.events} playback events in batches of {BATCH}: POST /v1/me/player/events from "
            f"{args.clients} connections to tonearm serve --workers {args.workers}, against one thread "
            "appending straight to the log; rounds alternate",
            "backend": urlsplit(args.url).scheme if args.url else "sqlite",
            "load_at_start": load,
            "http_events_per_second": [round(rate) for rate in http],
            "direct_events_per_second": [round(rate) for rate in direct],
            "http_median": round(http_median),
            "direct_median": round(direct_median),
            "ratio": round(http_median / direct_median, 2),
        },
    )


if __name__ == "__main__":
    main()
