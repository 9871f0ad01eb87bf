"""Media serving: req/s and MB/s for random 100 KB ranges, Tonearm's media route against nginx
serving the same files, side by side in one run (wrk on 127.0.0.1).

    .venv/bin/python bench/serving.py [--seconds 10] [--rounds 3] [--workers 2]
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import tempfile
import textwrap
from pathlib import Path

import numpy as np

from _common import free_port, record, tonearm_server, wait_for
from tonearm.kit.media_paths import signature_scope
from tonearm.kit.signing import load_key_ring

FILE_BYTES = 8 * 1024 * 1024
RANGE_BYTES = 100 * 1024
KEY = "audio/bench-8mb.ogg"

WRK_SCRIPT = textwrap.dedent(
    f"""
    math.randomseed(os.time())
    request = function()
      local start = math.random(0, {FILE_BYTES - RANGE_BYTES})
      wrk.headers["Range"] = "bytes=" .. start .. "-" .. (start + {RANGE_BYTES - 1})
      return wrk.format(nil)
    end
    """
)


def nginx_config(prefix: Path, blobs: Path, port: int, workers: int) -> str:
    return textwrap.dedent(
        f"""
        user root;
        worker_processes {workers};
        pid {prefix}/nginx.pid;
        error_log {prefix}/error.log warn;
        events {{ worker_connections 1024; }}
        http {{
          access_log off;
          sendfile on;
          client_body_temp_path {prefix}/body;
          proxy_temp_path {prefix}/proxy;
          fastcgi_temp_path {prefix}/fastcgi;
          uwsgi_temp_path {prefix}/uwsgi;
          scgi_temp_path {prefix}/scgi;
          server {{
            listen 127.0.0.1:{port};
            location /media/ {{
              alias {blobs}/;
              add_header Cache-Control "public, max-age=31536000, immutable";
            }}
          }}
        }}
        """
    )


def wrk(url: str, script: Path, seconds: int) -> tuple[float, float]:
    output = subprocess.run(
        ["wrk", "-t", "1", "-c", "32", "-d", f"{seconds}s", "-s", str(script), url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    requests = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    if "Non-2xx" in output:
        raise RuntimeError(f"wrk saw errors:\n{output}")
    return requests, requests * RANGE_BYTES / 1e6


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="tonearm-bench-") as folder:
        root = Path(folder)
        os.chmod(root, 0o755)
        blobs = root / "var" / "blobs"
        (blobs / "audio").mkdir(parents=True)
        (blobs / KEY).write_bytes(np.random.default_rng(1).bytes(FILE_BYTES))
        script = root / "range.lua"
        script.write_text(WRK_SCRIPT)
        port = free_port()
        (root / "nginx.conf").write_text(nginx_config(root, blobs, port, args.workers))
        nginx = subprocess.Popen(
            ["nginx", "-p", str(root), "-c", str(root / "nginx.conf"), "-g", "daemon off;"]
        )
        try:
            with tonearm_server(root / "var", workers=args.workers) as base:
                keys = load_key_ring("", root / "var")
                query = keys.sign(signature_scope(KEY, "premium"), uid="bench", ttl_seconds=3600).encode()
                app_url = f"{base}/media/{KEY}?{query}"
                nginx_url = f"http://127.0.0.1:{port}/media/{KEY}"
                wait_for(nginx_url)
                app_runs, nginx_runs = [], []
                for _ in range(args.rounds):
                    app_runs.append(wrk(app_url, script, args.seconds))
                    nginx_runs.append(wrk(nginx_url, script, args.seconds))
        finally:
            nginx.terminate()
            nginx.wait(timeout=10)
    app_rps = statistics.median(r for r, _ in app_runs)
    nginx_rps = statistics.median(r for r, _ in nginx_runs)
    record(
        "serving",
        {
            "what": "random 100 KB ranges of one 8 MB file, wrk 1 thread 32 connections, median of rounds",
            "workers": args.workers,
            "app_req_per_s": round(app_rps),
            "app_mb_per_s": round(app_rps * RANGE_BYTES / 1e6, 1),
            "nginx_req_per_s": round(nginx_rps),
            "nginx_mb_per_s": round(nginx_rps * RANGE_BYTES / 1e6, 1),
            "ratio_app_to_nginx": round(app_rps / nginx_rps, 3),
        },
    )


if __name__ == "__main__":
    main()
