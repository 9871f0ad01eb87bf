"""The media route: signed, ranged, immutable bytes.

It is a bare ASGI app rather than a FastAPI route because it is the hottest path of the
platform: per request it checks one HMAC, stats one file and reads one range, with no
dependency injection or validation layers in between. Behind nginx it hands the file over with
X-Accel-Redirect so the bytes never pass through Python at all.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import orjson

from tonearm.backends.blobs import BlobStore
from tonearm.delivery.playlists import rewrite_playlist
from tonearm.errors import BadRequest, NotFound, RangeNotSatisfiable, SignatureInvalid, TonearmError
from tonearm.kit.caller import FREE, PREMIUM, Product, is_premium
from tonearm.kit.media_paths import MEDIA_PREFIX, hls_folder, signature_scope, variant_of
from tonearm.kit.metrics import Metrics
from tonearm.kit.signing import KeyRing, SignedQuery

__all__ = ["MediaApp", "parse_range"]

_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
_CHUNK = 256 * 1024
_IMMUTABLE = b"public, max-age=31536000, immutable"
_CONTENT_TYPES = {
    ".opus": b"audio/ogg; codecs=opus",
    ".ogg": b"audio/ogg",
    ".m4a": b"audio/mp4",
    ".flac": b"audio/flac",
    ".mp4": b"audio/mp4",
    ".m4s": b"audio/mp4",
    ".m3u8": b"application/vnd.apple.mpegurl",
}


def parse_range(header: str, size: int) -> tuple[int, int]:
    """(start, end inclusive) of a single byte range; 416 past the end."""
    match = _RANGE.match(header.strip())
    if match is None or match.group(1) == match.group(2) == "":
        raise BadRequest(f"Range '{header[:40]}' is not one byte range (multiple ranges are not served)")
    first, last = match.group(1), match.group(2)
    if first == "":
        start, end = max(size - int(last), 0), size - 1
    else:
        start, end = int(first), min(int(last), size - 1) if last else size - 1
    if start >= size or start > end:
        raise RangeNotSatisfiable(f"range starts at {start}, past the end of {size} bytes", size)
    return start, end


def _signed_query(query_string: bytes) -> SignedQuery:
    # exp and sig are digits and urlsafe base64; only the ids may carry percent-escapes.
    params = dict(part.split("=", 1) for part in query_string.decode("latin-1").split("&") if "=" in part)
    try:
        return SignedQuery(
            exp=int(params["exp"]), uid=unquote(params["uid"]), kid=unquote(params["kid"]), sig=params["sig"]
        )
    except (KeyError, ValueError) as missing:
        raise SignatureInvalid("media URL needs exp, uid, kid and sig query parameters") from missing


Header = tuple[bytes, bytes]


@dataclass(frozen=True)
class _Located:
    path: str | None
    size: int
    etag: bytes
    headers: tuple[Header, ...]


class MediaApp:
    def __init__(
        self,
        *,
        blobs: BlobStore,
        keys: KeyRing,
        metrics: Metrics,
        premium_variants: Collection[str],
        accel_redirect_prefix: str = "",
    ) -> None:
        self.blobs, self.keys, self.metrics = blobs, keys, metrics
        self.premium_variants = frozenset(premium_variants)
        self.accel_prefix = accel_redirect_prefix
        # Objects are immutable under content-addressed keys, so where they are and how big
        # they are can be remembered; a deleted one is found out when it fails to open.
        self._located = lru_cache(maxsize=65536)(self._find)

    def _find(self, key: str) -> _Located:
        size = self.blobs.size(key)
        path = self.blobs.local_path(key)
        etag = b'"' + hashlib.blake2b(key.encode(), digest_size=12).hexdigest().encode() + b'"'
        headers = (
            (b"content-type", _CONTENT_TYPES.get(Path(key).suffix, b"application/octet-stream")),
            (b"accept-ranges", b"bytes"),
            (b"etag", etag),
            (b"cache-control", _IMMUTABLE),
        )
        return _Located(None if path is None else str(path), size, etag, headers)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        try:
            await self._serve(scope, send)
        except TonearmError as error:
            await _send_error(send, error)

    def _authorise(self, key: str, query: SignedQuery) -> Product:
        if hls_folder(key) is None:
            self.keys.verify(signature_scope(key, PREMIUM), query)
            return PREMIUM
        try:
            self.keys.verify(signature_scope(key, PREMIUM), query)
            return PREMIUM
        except SignatureInvalid:
            self.keys.verify(signature_scope(key, FREE), query)
        if variant_of(key) in self.premium_variants:
            raise SignatureInvalid("this variant needs a premium subscription")
        return FREE

    async def _serve(self, scope: dict[str, Any], send: Any) -> None:
        if scope["method"] not in ("GET", "HEAD"):
            raise TonearmError("media answers GET and HEAD only", 405)
        key = scope["path"].removeprefix(MEDIA_PREFIX)
        tier = self._authorise(key, _signed_query(scope["query_string"]))
        if key.endswith(".m3u8"):
            await self._send_playlist(scope, send, key, tier)
            return
        await self._send_bytes(scope, send, key)

    def _size(self, key: str) -> int:
        return self._locate(key).size

    def _locate(self, key: str) -> _Located:
        try:
            return self._located(key)
        except (FileNotFoundError, ValueError) as missing:
            raise NotFound(f"no media at '{key[:120]}'") from missing

    async def _send_playlist(self, scope: dict[str, Any], send: Any, key: str, tier: Product) -> None:
        self._size(key)
        text = self.blobs.read_range(key, 0, 1 << 20).decode()
        hidden = frozenset() if is_premium(tier) else self.premium_variants
        body = rewrite_playlist(text, query=scope["query_string"].decode(), hidden_variants=hidden).encode()
        headers = [
            (b"content-type", _CONTENT_TYPES[".m3u8"]),
            (b"content-length", str(len(body)).encode()),
            (b"cache-control", b"private, max-age=60"),
        ]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else body})

    async def _send_bytes(self, scope: dict[str, Any], send: Any, key: str) -> None:
        located = self._locate(key)
        request = dict(scope["headers"])
        if request.get(b"if-none-match") == located.etag:
            await _respond(send, 304, located.headers)
            return
        if self.accel_prefix and scope["method"] == "GET":
            # nginx re-reads the Range header itself and sends the bytes with sendfile.
            accel = (b"x-accel-redirect", (self.accel_prefix + key).encode())
            await _respond(send, 200, [*located.headers, accel])
            return
        status, start, length, headers = _window(request, located)
        if scope["method"] == "HEAD":
            await _respond(send, status, headers)
            return
        if located.path is None:
            await _respond(send, status, headers, self.blobs.read_range(key, start, length))
        else:
            await self._send_file(send, located, status, headers, start, length)
        self.metrics.bytes_served.inc(length)

    async def _send_file(
        self, send: Any, located: _Located, status: int, headers: list[Header], start: int, length: int
    ) -> None:
        try:
            fd = os.open(located.path or "", os.O_RDONLY)
        except FileNotFoundError as gone:
            self._located.cache_clear()
            raise NotFound("this media object has been removed") from gone
        try:
            await send({"type": "http.response.start", "status": status, "headers": headers})
            # A page-cached pread of a few hundred KB is cheaper than a hop to a worker thread.
            while length > 0:
                chunk = os.pread(fd, min(_CHUNK, length), start) or b"\0" * min(_CHUNK, length)
                start, length = start + len(chunk), length - len(chunk)
                await send({"type": "http.response.body", "body": chunk, "more_body": length > 0})
        finally:
            os.close(fd)


def _window(request: dict[bytes, bytes], located: _Located) -> tuple[int, int, int, list[Header]]:
    """Status, first byte, length and headers for the whole object or the requested range."""
    size = located.size
    if b"range" not in request:
        return 200, 0, size, [*located.headers, (b"content-length", str(size).encode())]
    start, end = parse_range(request[b"range"].decode("latin-1"), size)
    length = end - start + 1
    headers = [
        *located.headers,
        (b"content-range", f"bytes {start}-{end}/{size}".encode()),
        (b"content-length", str(length).encode()),
    ]
    return 206, start, length, headers


async def _respond(send: Any, status: int, headers: Sequence[Header], body: bytes = b"") -> None:
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def _send_error(send: Any, error: TonearmError) -> None:
    body = orjson.dumps({"error": {"status": error.status, "message": error.message}})
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    if isinstance(error, RangeNotSatisfiable):
        headers.append((b"content-range", f"bytes */{error.size}".encode()))
    await _respond(send, error.status, headers, body)
