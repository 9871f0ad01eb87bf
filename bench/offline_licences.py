"""Offline licences over HTTP: issue and renewal (check-in) p50/p99, and encryption speed.

One `tonearm serve` process (granian) on SQLite, a live server on 127.0.0.1, one httpx client
sending one request at a time, a premium listener in Sweden:

- `--albums` albums of 12 tracks published straight into the catalog;
- issue: `POST /v1/me/offline/devices/{id}/licences` for each album in turn on one device
  (12 content keys made and wrapped with RSA-OAEP each time; the device fills up to
  albums x 12 tracks);
- renewal: the day's first check-in (`POST .../check-in`) of that full device and of a device
  holding one album (every held track's playability read again from the catalog), then
  `--rounds` check-ins of each (only the tracks the catalog topic named since: none here);
- in process: AES-256-GCM of an 8 MiB file in 1 MiB chunks, as the file route streams it.

    .venv/bin/python bench/offline_licences.py [--albums 300 --rounds 300]
"""

from __future__ import annotations

import argparse
import base64
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx
from cryptography.hazmat.primitives.asymmetric import rsa
from sqlalchemy import text

from _common import ROOT, record, tonearm_server
from playlists import percentile, timed

sys.path.insert(0, str(ROOT))
from tests.catalog_factory import make_track, publish

from tonearm.config import Settings
from tonearm.kit.db import unit_of_work
from tonearm.offline import crypto
from tonearm.runtime import open_runtime

ALBUM_TRACKS = 12
FILE_BYTES = 8 * 1024 * 1024
_ALBUM_OF = text("SELECT album_id FROM tracks WHERE id = :id")


def catalog(data: Path, albums: int) -> list[str]:
    """The albums' ids, published straight into the catalog."""
    runtime = open_runtime(Settings(data_dir=data))
    try:
        ids = []
        for number in range(albums):
            with unit_of_work(runtime.session_factory) as session:
                tracks = [
                    make_track(f"Bench {number}.{n}", album_name=f"Bench Album {number}", track_number=n + 1)
                    for n in range(ALBUM_TRACKS)
                ]
                first = publish(session, *tracks)[0]
                ids.append(str(session.execute(_ALBUM_OF, {"id": first}).scalar_one()))
        return ids
    finally:
        runtime.close()


def _public_key() -> dict[str, str]:
    numbers = rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key().public_numbers()

    def b64url(value: int) -> str:
        return (
            base64.urlsafe_b64encode(value.to_bytes((value.bit_length() + 7) // 8, "big"))
            .decode()
            .rstrip("=")
        )

    return {"kty": "RSA", "n": b64url(numbers.n), "e": b64url(numbers.e), "alg": "RSA-OAEP-256"}


def summary(values: list[float]) -> dict[str, float]:
    return {"n": len(values), "p50": round(statistics.median(values), 2), "p99": percentile(values, 0.99)}


def encryption_mb_per_s() -> float:
    plain = os.urandom(FILE_BYTES)
    key = crypto.new_content_key()
    header = crypto.FileHeader(len(plain), crypto.nonce_for(key, "x"), b"w" * 256, "audio/mp4", "A" * 22)
    best = float("inf")
    for _round in range(5):
        started = time.perf_counter()
        for _chunk in crypto.encrypt_chunks(header, key, lambda start, n: plain[start : start + n]):
            pass
        best = min(best, time.perf_counter() - started)
    return round(FILE_BYTES / best / 1e6, 1)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--albums", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=300)
    args = parser.parse_args()
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="tonearm-bench-") as folder:
        data = Path(folder) / "var"
        albums = catalog(data, args.albums)
        with tonearm_server(data) as base, httpx.Client(base_url=base, headers=base.auth, timeout=60) as call:
            devices = "/v1/me/offline/devices"
            full = call.post(devices, json={"name": "Full", "public_key": _public_key()}).json()["id"]
            small = call.post(devices, json={"name": "Small", "public_key": _public_key()}).json()["id"]
            call.post(
                f"{devices}/{small}/licences", json={"uri": f"tonearm:album:{albums[0]}"}
            ).raise_for_status()
            issues = [
                timed(call, "POST", f"{devices}/{full}/licences", json={"uri": f"tonearm:album:{album}"})
                for album in albums
            ]
            held = call.get(devices).json()["items"][0]["tracks"]
            # The first check-in of a day reads every held track again; the others only what the
            # catalog topic named since (nothing, here).
            full_checks = [timed(call, "POST", f"{devices}/{device}/check-in") for device in (full, small)]
            full_renewals = [timed(call, "POST", f"{devices}/{full}/check-in") for _ in range(args.rounds)]
            small_renewals = [timed(call, "POST", f"{devices}/{small}/check-in") for _ in range(args.rounds)]
    record(
        "offline_licences",
        {
            "what": "one tonearm serve process (granian, SQLite) on 127.0.0.1, httpx, one request at a "
            f"time: {args.albums} licences for 12-track albums on one device, then {args.rounds} "
            "check-ins of that device and of a one-album device",
            "load_at_start": load,
            "issue_album_ms": summary(issues),
            "renew_full_device_ms": {**summary(full_renewals), "tracks_held": held},
            "renew_one_album_device_ms": {**summary(small_renewals), "tracks_held": ALBUM_TRACKS},
            "daily_full_check_ms": {
                "full_device": round(full_checks[0], 2),
                "one_album": round(full_checks[1], 2),
            },
            "aes_gcm_encrypt_mb_per_s": encryption_mb_per_s(),
        },
    )


if __name__ == "__main__":
    main()
