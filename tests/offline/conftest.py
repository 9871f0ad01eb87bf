"""An app with a small catalog whose tracks have real (random) bytes in the blob store, users
premium and free, and device key pairs as the web player makes them (RSA-OAEP 2048, SHA-256)."""

from __future__ import annotations

import base64
import hashlib
import os
from collections.abc import Iterator
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi.testclient import TestClient
from sqlalchemy import text

from tests.auth import bearer, user_token
from tests.catalog_factory import make_track, publish
from tonearm.accounts import account
from tonearm.config import Settings
from tonearm.kit.db import unit_of_work

# Three chunks and a bit: the last chunk is shorter than the others.
FILE_BYTES = 3 * 1024 * 1024 + 12_345


@cache
def device_key(number: int) -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def b64url(value: int) -> str:
    raw = value.to_bytes((value.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def jwk(number: int) -> dict[str, Any]:
    """The public key as WebCrypto's exportKey("jwk") gives it."""
    numbers = device_key(number).public_key().public_numbers()
    return {"kty": "RSA", "n": b64url(numbers.n), "e": b64url(numbers.e), "alg": "RSA-OAEP-256", "ext": True}


def spki(number: int) -> str:
    """The public key as exportKey("spki"), in base64."""
    der = (
        device_key(number)
        .public_key()
        .public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    return base64.b64encode(der).decode()


@dataclass
class Offline:
    client: TestClient
    album: str
    tracks: list[str]  # the album's playable tracks, in order
    elsewhere: str  # on the album, playable only in the US
    audio: dict[str, bytes]  # each track's AAC file, as stored

    @property
    def app(self) -> Any:
        return self.client.app

    def token(self, user: str, **fields: Any) -> str:
        return user_token(self.app, user, **fields)

    def call(self, user: str, method: str, path: str, **kwargs: Any) -> Any:
        headers = {**bearer(self.token(user)), **kwargs.pop("headers", {})}
        return self.client.request(method, path, headers=headers, **kwargs)

    def register(self, user: str, number: int, name: str = "Laptop") -> dict[str, Any]:
        answer = self.call(
            user, "POST", "/v1/me/offline/devices", json={"name": name, "public_key": jwk(number)}
        )
        assert answer.status_code in (200, 201), answer.text
        return dict(answer.json())

    def licence(self, user: str, device: str, item_uri: str, status: int = 201) -> dict[str, Any]:
        answer = self.call(user, "POST", f"/v1/me/offline/devices/{device}/licences", json={"uri": item_uri})
        assert answer.status_code == status, answer.text
        return dict(answer.json())

    def check_in(self, user: str, device: str) -> dict[str, Any]:
        answer = self.call(user, "POST", f"/v1/me/offline/devices/{device}/check-in")
        assert answer.status_code == 200, answer.text
        return dict(answer.json())

    def file(self, user: str, device: str, track: str) -> Any:
        return self.call(user, "GET", f"/v1/me/offline/devices/{device}/tracks/{track}/file")

    def user_id(self, name: str, **fields: Any) -> str:
        self.token(name, **fields)
        with self.session() as session:
            return str(account.get_by_name(session, name).id)

    def session(self) -> Any:
        return unit_of_work(self.app.state.session_factory)


def _with_aac(app: Any, name: str, number: int, tmp: Path, **changes: Any) -> tuple[Any, bytes]:
    # Four minutes, as songs are: playback events are checked against the length.
    track = make_track(
        name,
        album_name="Offline Album",
        track_number=number,
        duration_ms=240_000,
        samples=240 * 48_000,
        **changes,
    )
    key = f"audio/{hashlib.sha256(name.encode()).hexdigest()}.m4a"
    audio = os.urandom(FILE_BYTES)
    source = tmp / f"{number}.m4a"
    source.write_bytes(audio)
    app.state.blobs.put_file(key, source)
    aac = replace(
        track.renditions[0],
        rung="aac_256",
        codec="aac",
        container="mp4",
        bitrate=256_000,
        storage_key=key,
        bytes=len(audio),
    )
    return replace(track, renditions=(*track.renditions, aac)), audio


@pytest.fixture
def offline(settings: Settings, tmp_path: Path) -> Iterator[Offline]:
    from tonearm.app import create_app

    app = create_app(settings)
    with TestClient(app, base_url="http://testserver") as client:
        made = [_with_aac(app, f"Song {n}", n, tmp_path) for n in (1, 2, 3)]
        made.append(_with_aac(app, "Song US", 4, tmp_path, territories=("US",)))
        with unit_of_work(app.state.session_factory) as session:
            ids = publish(session, *(track for track, _audio in made))
            album = session.execute(
                text("SELECT album_id FROM tracks WHERE id = :id"), {"id": ids[0]}
            ).scalar_one()
        audio = {track_id: data for track_id, (_track, data) in zip(ids, made, strict=True)}
        yield Offline(client, album, ids[:3], ids[3], audio)
