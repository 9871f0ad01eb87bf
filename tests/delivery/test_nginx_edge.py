"""A real nginx in front: Tonearm checks each signature and hands the file back with
X-Accel-Redirect; nginx sends the bytes (sendfile, ranges) without them passing through Python."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tonearm.config import Settings
from tonearm.kit.media_paths import signature_scope
from tonearm.runtime import open_runtime

TONEARM = str(Path(sys.executable).parent / "tonearm")
KEY = "audio/edge.ogg"
PAYLOAD = os.urandom(300_000)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait(url: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.2)
    raise AssertionError(f"{url} never answered")


def _nginx_config(root: Path, blobs: Path, port: int, app_port: int) -> str:
    temp = " ".join(
        f"{kind}_temp_path {root}/{kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return f"""
user root;
worker_processes 1;
pid {root}/nginx.pid;
error_log {root}/error.log warn;
events {{ worker_connections 64; }}
http {{
  access_log off;
  sendfile on;
  {temp}
  server {{
    listen 127.0.0.1:{port};
    location /media/ {{ proxy_pass http://127.0.0.1:{app_port}; }}
    location /_blobs/ {{ internal; alias {blobs}/; }}
  }}
}}
"""


@pytest.fixture(scope="module")
def edge(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Settings]]:
    if shutil.which("nginx") is None:
        pytest.skip("nginx is not installed (the Debian nginx package; `make test` installs it)")
    root = tmp_path_factory.mktemp("edge")
    settings = Settings(data_dir=root / "var", accel_redirect_prefix="/_blobs/")
    runtime = open_runtime(settings)
    source = root / "source"
    source.write_bytes(PAYLOAD)
    runtime.blobs.put_file(KEY, source)
    blobs = Path(settings.resolved_blob_url.removeprefix("file://"))
    app_port, port = _free_port(), _free_port()
    env = {
        **os.environ,
        "TONEARM_DATA_DIR": str(settings.data_dir),
        "TONEARM_ACCEL_REDIRECT_PREFIX": "/_blobs/",
    }
    app = subprocess.Popen([TONEARM, "serve", "--port", str(app_port)], env=env, stdout=subprocess.DEVNULL)
    (root / "nginx.conf").write_text(_nginx_config(root, blobs, port, app_port))
    nginx = subprocess.Popen(["nginx", "-p", str(root), "-c", str(root / "nginx.conf"), "-g", "daemon off;"])
    try:
        _wait(f"http://127.0.0.1:{app_port}/healthz")
        _wait(f"http://127.0.0.1:{port}/media/")
        yield f"http://127.0.0.1:{port}", settings
    finally:
        for process in (nginx, app):
            process.terminate()
            process.wait(timeout=20)


def _signed(settings: Settings, key: str, ttl: int = 60) -> str:
    keys = open_runtime(settings).keys
    return f"/media/{key}?{keys.sign(signature_scope(key, 'premium'), uid='u1', ttl_seconds=ttl).encode()}"


def test_nginx_serves_the_signed_range_itself(edge: tuple[str, Settings]) -> None:
    base, settings = edge
    response = httpx.get(base + _signed(settings, KEY), headers={"Range": "bytes=1000-101999"})
    assert response.status_code == 206
    assert response.content == PAYLOAD[1000:102000]
    assert response.headers["content-range"] == f"bytes 1000-101999/{len(PAYLOAD)}"
    # nginx's own ETag ("<mtime hex>-<size hex>"): the bytes came from nginx, not through Python.
    assert response.headers["etag"].endswith(f'-{len(PAYLOAD):x}"')
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"


def test_nginx_passes_on_tonearms_refusals(edge: tuple[str, Settings]) -> None:
    base, settings = edge
    tampered = httpx.get(base + _signed(settings, KEY).replace("uid=u1", "uid=u2"))
    assert tampered.status_code == 403
    assert "does not match" in tampered.json()["error"]["message"]
    past_end = httpx.get(base + _signed(settings, KEY), headers={"Range": f"bytes={len(PAYLOAD)}-"})
    assert past_end.status_code == 416
