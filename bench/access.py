"""What the guard on every /v1 request costs: resolving the bearer token (remembered for 5 s, or
read from the database) and counting the request against its quota (in process, or in Redis).

    .venv/bin/python bench/access.py [--calls 20000]

In process, no HTTP: the figures are per call, to set against a request's whole time (the
type-ahead's p50 is about 0.7 ms in process, docs/BENCHMARKS.md).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from _common import record
from tonearm.accounts.service import account
from tonearm.backends.ratelimit import open_rate_limiter
from tonearm.config import Settings
from tonearm.kit.db import unit_of_work
from tonearm.kit.limits import Quota, RateLimits
from tonearm.runtime import open_runtime


def per_call_us(call: Callable[[], object], calls: int, rounds: int = 5) -> float:
    """The best round's mean, in microseconds: the least disturbed by the rest of the machine."""
    means = []
    for _ in range(rounds):
        started = time.perf_counter()
        for _ in range(calls):
            call()
        means.append((time.perf_counter() - started) / calls * 1e6)
    return round(min(means), 2)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=20_000)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/0?namespace=bench")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="tonearm-bench-") as folder:
        runtime = open_runtime(Settings(data_dir=Path(folder)))
        with unit_of_work(runtime.session_factory) as session:
            account.create_user(session, "bench", password="bench-password", country="SE")
        with unit_of_work(runtime.session_factory) as session:
            token = account.token_for_name(session, "bench", scope="streaming").access_token
        with unit_of_work(runtime.session_factory) as session:
            caller = account.caller(session, token)

        def remembered() -> object:
            return account.remembered_caller(token)

        def read() -> object:
            account.forget_callers()
            with unit_of_work(runtime.session_factory) as session:
                return account.caller(session, token)

        # A quota no run can reach, so every call is a counted, allowed hit.
        wide = {"standard": Quota(10**9, 30)}
        memory = RateLimits(open_rate_limiter("memory://"), wide)  # type: ignore[arg-type]
        redis = RateLimits(open_rate_limiter(args.redis), wide)  # type: ignore[arg-type]
        calls = args.calls
        figures = {
            "token_remembered_us": per_call_us(remembered, calls),
            "token_read_from_sqlite_us": per_call_us(read, max(calls // 10, 100)),
            "quota_in_process_us": per_call_us(lambda: memory.check(caller, "standard"), calls),
            "quota_redis_us": per_call_us(lambda: redis.check(caller, "standard"), max(calls // 10, 100)),
        }
        redis.close()
        runtime.close()
    figures["guard_per_request_us"] = round(
        statistics.fsum([figures["token_remembered_us"], figures["quota_in_process_us"]]), 2
    )
    record(
        "access",
        {
            "what": "the /v1 guard per call, in process: token lookup (remembered 5 s, or read from "
            "SQLite) and the quota count (in process, or Redis on 127.0.0.1)",
            **figures,
        },
    )


if __name__ == "__main__":
    main()
