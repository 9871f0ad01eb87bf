"""What the benchmarks share: free ports, a Tonearm server in a subprocess, result rows."""

from __future__ import annotations

import contextlib
import json
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
TONEARM = str(Path(sys.executable).parent / "tonearm")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for(url: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(url, timeout=1).status_code < 500:
                return
        time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer within {timeout} s")


class Server(str):
    """A running server's base URL that also knows its process id, and an access token of a
    premium listener with every scope (every /v1 route needs one)."""

    pid: int
    token: str
    app_token: str

    @property
    def app_auth(self) -> dict[str, str]:
        """An app's own token (client credentials): the catalog answers for no user's market."""
        return {"Authorization": f"Bearer {self.app_token}"}

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def lua_auth(self) -> str:
        """The line a wrk script starts with so each request carries the token."""
        return f'wrk.headers["Authorization"] = "Bearer {self.token}"\n'


def bench_tokens(data_dir: Path) -> tuple[str, str]:
    """A token for the user "bench" (made on first use): premium, in Sweden, every scope; and a
    client-credentials token of a registered app (acting for no user)."""
    from tonearm.accounts.scopes import SCOPES
    from tonearm.accounts.service import account
    from tonearm.config import Settings
    from tonearm.kit.db import unit_of_work
    from tonearm.runtime import open_runtime

    runtime = open_runtime(Settings(data_dir=data_dir))
    try:
        with unit_of_work(runtime.session_factory) as session:
            if not any(user.name == "bench" for user in account.list_users(session)):
                account.create_user(
                    session, "bench", password="bench-password", country="SE", product="premium"
                )
        with unit_of_work(runtime.session_factory) as session:
            user = account.token_for_name(session, "bench", scope=" ".join(SCOPES)).access_token
            client, _secret = account.create_client(session, "bench catalog app", redirect_uris=[])
            app = account.issue_token(
                session, client_id=client.client_id, user_id=None, scope="", refresh=False
            ).access_token
            return user, app
    finally:
        runtime.close()


def tree_rss_mb(pid: int) -> float:
    """Resident memory of a process and all its descendants (a server and its workers)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        todo.extend(children.get(current, []))
        with contextlib.suppress(OSError):
            for line in (Path("/proc") / str(current) / "status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
    return round(total / 1024, 1)


def millis(text: str) -> float:
    value, unit = re.match(r"([\d.]+)(us|ms|s)", text).groups()  # type: ignore[union-attr]
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def run_wrk(
    base: str, script: Path, seconds: float, *, connections: int, threads: int = 1
) -> dict[str, float]:
    """wrk against `base` with a Lua script; p50/p90/p99 in ms and the achieved rate."""
    command = ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{seconds:.0f}s", "--latency"]
    output = subprocess.run(
        [*command, "-s", str(script), base], capture_output=True, text=True, check=True
    ).stdout
    if "Non-2xx" in output:
        raise RuntimeError(f"errors under load:\n{output}")
    percentiles = dict(re.findall(r"^\s+(\d+)%\s+(\S+)", output, re.MULTILINE))
    return {
        "achieved_req_per_s": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),  # type: ignore[union-attr]
        "p50_ms": millis(percentiles["50"]),
        "p90_ms": millis(percentiles["90"]),
        "p99_ms": millis(percentiles["99"]),
    }


@contextlib.contextmanager
def tonearm_server(
    data_dir: Path, *, workers: int = 1, env: dict[str, str] | None = None
) -> Iterator[Server]:
    port = free_port()
    # Benchmarks measure the service flat out, not the per-user quotas that would refuse them.
    environment = {
        **os.environ,
        "TONEARM_DATA_DIR": str(data_dir),
        "TONEARM_RATE_LIMIT_URL": "off",
        **(env or {}),
    }
    token, app_token = bench_tokens(data_dir)
    command = [TONEARM, "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)]
    process = subprocess.Popen(command, env=environment, stdout=subprocess.DEVNULL)
    try:
        wait_for(f"http://127.0.0.1:{port}/healthz")
        server = Server(f"http://127.0.0.1:{port}")
        server.pid, server.token, server.app_token = process.pid, token, app_token
        yield server
    finally:
        process.terminate()
        process.wait(timeout=20)


def record(name: str, figures: dict[str, object]) -> None:
    """Print the figures and keep them as JSON beside the other runs."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    row = {"benchmark": name, "date": date.today().isoformat(), "cpus": os.cpu_count(), **figures}
    (RESULTS / f"{name}.json").write_text(json.dumps(row, indent=2) + "\n")
    print(json.dumps(row, indent=2))
