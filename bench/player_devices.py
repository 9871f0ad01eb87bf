"""10,000 connected devices on one server process: memory per connection, and how long a
command takes to reach its device at 100 commands/s.

`tonearm serve` (one granian process, the in-process player hub) on 127.0.0.1. The bench makes
`--users` listeners with `--devices-per-user` devices each (1,000 × 10: making accounts is what
limits the setup, not the sockets) and opens every device's WebSocket
from this one process (the `websockets` asyncio client, many sockets on one loop, the fd limit
raised to its hard limit), registers each, and makes the first device of each user the active
one. Memory is the server's RSS after everything connected and settled, less its RSS before the
first socket, over the number of sockets. Then, for `--seconds`, a command goes out every
1/`--rate` s (Poisson arrivals) to a random user's active device: `PUT
/v1/me/player/volume?volume_percent=N` (each one a new N, so each changes the state); its
latency is from the moment the request is sent to the moment the device's socket has the state
message carrying the volume command for it (every device of that user receives it).

    .venv/bin/python bench/player_devices.py [--users 1000] [--devices-per-user 10] [--rate 100]
        [--seconds 30]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import random
import resource
import statistics
import tempfile
import time
from pathlib import Path

import httpx
from websockets.asyncio.client import ClientConnection, connect

from _common import record, tonearm_server, tree_rss_mb

CONNECT_AT_ONCE = 200


def make_listeners(data_dir: Path, count: int) -> list[str]:
    """`count` premium listeners' tokens with every scope (cheap password hashes: the figure is
    about sockets, not sign-ins)."""
    from tonearm.accounts.scopes import SCOPES
    from tonearm.accounts.service import account
    from tonearm.config import Settings
    from tonearm.kit.db import unit_of_work
    from tonearm.kit.passwords import use_password_cost
    from tonearm.runtime import open_runtime

    use_password_cost(1, 1024)
    runtime = open_runtime(Settings(data_dir=data_dir))
    tokens = []
    try:
        with unit_of_work(runtime.session_factory) as session:
            for n in range(count):
                account.create_user(
                    session, f"device-bench-{n}", password="bench-password", country="SE", product="premium"
                )
        with unit_of_work(runtime.session_factory) as session:
            scope = " ".join(SCOPES)
            tokens = [
                account.token_for_name(session, f"device-bench-{n}", scope=scope).access_token
                for n in range(count)
            ]
    finally:
        runtime.close()
    return tokens


class Devices:
    """Every open socket, and the arrivals the commands wait for."""

    def __init__(self) -> None:
        self.sockets: list[ClientConnection] = []
        self.waiting: dict[tuple[str, int], asyncio.Future[float]] = {}

    async def open(self, base: str, token: str, device_id: str) -> None:
        url = base.replace("http://", "ws://") + f"/v1/me/player/connect?access_token={token}"
        socket = await connect(url, open_timeout=60, ping_interval=None, max_queue=64)
        device = {"id": device_id, "name": device_id, "type": "Computer", "volume_percent": 50}
        await socket.send(json.dumps({"type": "hello", "device": device}))
        json.loads(await socket.recv())
        self.sockets.append(socket)
        asyncio.get_running_loop().create_task(self.read(socket, device_id))

    async def read(self, socket: ClientConnection, device_id: str) -> None:
        async for text in socket:
            if '"volume"' not in text:
                continue
            message = json.loads(text)
            for command in message.get("commands", ()):
                if command["device_id"] == device_id and command["action"] == "volume":
                    waiter = self.waiting.pop((device_id, message["state"]["volume_percent"]), None)
                    if waiter is not None and not waiter.done():
                        waiter.set_result(time.perf_counter())


async def connect_all(base: str, tokens: list[str], per_user: int, devices: Devices) -> float:
    started = time.perf_counter()
    pending = [(token, f"u{u}-d{d}") for u, token in enumerate(tokens) for d in range(per_user)]
    for start in range(0, len(pending), CONNECT_AT_ONCE):
        batch = pending[start : start + CONNECT_AT_ONCE]
        await asyncio.gather(*(devices.open(base, token, device_id) for token, device_id in batch))
    return time.perf_counter() - started


async def activate(http: httpx.AsyncClient, tokens: list[str]) -> None:
    async def one(user: int, token: str) -> None:
        headers = {"Authorization": f"Bearer {token}"}
        answer = await http.put("/v1/me/player", headers=headers, json={"device_ids": [f"u{user}-d0"]})
        answer.raise_for_status()

    for start in range(0, len(tokens), 100):
        await asyncio.gather(*(one(u, tokens[u]) for u in range(start, min(start + 100, len(tokens)))))


async def command_load(
    http: httpx.AsyncClient, tokens: list[str], devices: Devices, *, rate: float, seconds: float
) -> tuple[list[float], int]:
    """Latencies in ms of the commands sent at `rate` for `seconds`, and how many never arrived."""
    volumes = [50] * len(tokens)
    latencies: list[float] = []
    lost = 0
    loop = asyncio.get_running_loop()

    async def one(user: int) -> None:
        nonlocal lost
        volumes[user] = (volumes[user] + 1) % 101
        waiter: asyncio.Future[float] = loop.create_future()
        devices.waiting[(f"u{user}-d0", volumes[user])] = waiter
        sent = time.perf_counter()
        answer = await http.put(
            f"/v1/me/player/volume?volume_percent={volumes[user]}",
            headers={"Authorization": f"Bearer {tokens[user]}"},
        )
        answer.raise_for_status()
        try:
            arrived = await asyncio.wait_for(waiter, 10)
        except TimeoutError:
            lost += 1
            return
        latencies.append((arrived - sent) * 1000)

    tasks, deadline = [], time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        tasks.append(loop.create_task(one(random.randrange(len(tokens)))))
        await asyncio.sleep(random.expovariate(rate))
    await asyncio.gather(*tasks)
    return latencies, lost


async def run(base: str, pid: int, tokens: list[str], args: argparse.Namespace) -> dict[str, object]:
    devices = Devices()
    limits = httpx.Limits(max_connections=200, max_keepalive_connections=200)
    async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits) as http:
        for token in tokens[:20]:  # warm the routes and the token cache before the baseline
            (
                await http.get("/v1/me/player/devices", headers={"Authorization": f"Bearer {token}"})
            ).raise_for_status()
        await asyncio.sleep(2)
        before_mb = tree_rss_mb(pid)
        connect_s = await connect_all(base, tokens, args.devices_per_user, devices)
        await activate(http, tokens)
        await asyncio.sleep(5)
        after_mb = tree_rss_mb(pid)
        # This process holds 10,000 sockets too: its own full collections (about a second over
        # them) would count as the server's latency. Kept out of the cyclic collector's scans.
        gc.collect()
        gc.freeze()
        sockets = len(devices.sockets)
        latencies, lost = await command_load(http, tokens, devices, rate=args.rate, seconds=args.seconds)
        for socket in devices.sockets:
            await socket.close()
    cuts = statistics.quantiles(latencies, n=100)
    return {
        "devices": sockets,
        "users": len(tokens),
        "connect_seconds": round(connect_s, 1),
        "server_rss_before_mb": before_mb,
        "server_rss_connected_mb": after_mb,
        "kib_per_connection": round((after_mb - before_mb) * 1024 / sockets, 1),
        "commands": len(latencies),
        "commands_lost": lost,
        "rate_per_s": args.rate,
        "p50_ms": round(cuts[49], 2),
        "p90_ms": round(cuts[89], 2),
        "p99_ms": round(cuts[98], 2),
        "max_ms": round(max(latencies), 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--devices-per-user", type=int, default=10)
    parser.add_argument("--rate", type=float, default=100.0)
    parser.add_argument("--seconds", type=float, default=30.0)
    args = parser.parse_args()
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))  # the server process inherits it
    with tempfile.TemporaryDirectory() as folder:
        data_dir = Path(folder) / "var"
        tokens = make_listeners(data_dir, args.users)
        with tonearm_server(data_dir) as server:
            figures = asyncio.run(run(server, server.pid, tokens, args))
    record("player_devices", figures)


if __name__ == "__main__":
    main()
