"""The encryption of offline files: pure functions, no database, no HTTP.

Each (device, track) has its own 256-bit content key, made at random when the track is first
licensed to the device and wrapped for it with the device's RSA-OAEP public key (SHA-256, as
WebCrypto's `{name: "RSA-OAEP", hash: "SHA-256"}`). A downloaded file carries its wrapped key,
so only the device whose private key unwraps it can play it; a copy on another device, or a
file with one byte changed, decrypts to nothing.

The file, all integers big-endian:

    offset  size  field
    0       4     magic "TNOF"
    4       1     version, 1
    5       1     reserved, 0
    6       2     header length H (bytes before the first chunk, this field included)
    8       4     chunk size C (1 MiB): plaintext bytes per chunk, the last one shorter
    12      8     plaintext size P
    20      8     nonce N
    28      2     wrapped key length W, then W bytes: the content key, RSA-OAEP SHA-256
    30+W    1     media type length T, then T bytes of ASCII (`audio/mp4; codecs="mp4a.40.2"`)
    31+W+T  1     track id length I, then I bytes of ASCII (the track's 22-character id)
    H       ...   ceil(P / C) chunks: chunk i is AES-256-GCM with the content key, IV = N || i
                  (12 bytes: the nonce then i as 4 bytes), additional data = the H header bytes,
                  ciphertext then the 16-byte tag (WebCrypto's layout: `decrypt` takes it whole)

Every chunk authenticates the header (so the sizes, the type and the track cannot be changed)
and its own index (so chunks cannot be reordered); the plaintext size says how many chunks
there are (so a file cut short is found). The nonce is derived from the content key and the
rendition's blob key, so one rendition always encrypts to the same bytes and two renditions of
a track never share an IV under one key.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import math
import os
import struct
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

__all__ = [
    "CHUNK_SIZE",
    "KEY_BITS",
    "MAGIC",
    "TAG_SIZE",
    "BadPublicKey",
    "FileHeader",
    "TamperedFile",
    "decrypt_file",
    "encrypt_chunks",
    "encrypted_size",
    "fingerprint",
    "new_content_key",
    "nonce_for",
    "open_file",
    "parse_header",
    "public_key_der",
    "unwrap_key",
    "wrap_key",
]

MAGIC = b"TNOF"
VERSION = 1
CHUNK_SIZE = 1024 * 1024
TAG_SIZE = 16
# What a device's key may be: WebCrypto makes 2048-bit keys by default; up to 4096 is accepted.
KEY_BITS = (2048, 4096)
_FIXED = struct.Struct(">4sBBHIQ8s")  # magic, version, reserved, H, C, P, N: 28 bytes
_OAEP = padding.OAEP(mgf=padding.MGF1(algorithm=hashes.SHA256()), algorithm=hashes.SHA256(), label=None)


class BadPublicKey(ValueError):
    """A public key that is not an RSA key of 2048 to 4096 bits for RSA-OAEP with SHA-256."""


class TamperedFile(ValueError):
    """An offline file that does not decrypt: changed, cut short, or not for this key."""


# ---- device keys ----


def public_key_der(value: str | Mapping[str, Any]) -> bytes:
    """The device's public key as DER SubjectPublicKeyInfo, from a JWK (WebCrypto's
    `exportKey("jwk")`) or SPKI in base64 (`exportKey("spki")`, standard or URL-safe)."""
    key = _from_jwk(value) if isinstance(value, Mapping) else _from_spki(value)
    if not isinstance(key, rsa.RSAPublicKey):
        raise BadPublicKey("public_key must be an RSA key (RSA-OAEP with SHA-256)")
    if not KEY_BITS[0] <= key.key_size <= KEY_BITS[1]:
        raise BadPublicKey(f"public_key must have {KEY_BITS[0]} to {KEY_BITS[1]} bits, got {key.key_size}")
    if key.public_numbers().e != 65537:
        raise BadPublicKey("public_key's exponent must be 65537 (WebCrypto's [1, 0, 1])")
    return key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def _b64(text: str, what: str) -> bytes:
    cleaned = "".join(text.split()).replace("-", "+").replace("_", "/")
    try:
        return base64.b64decode(cleaned + "=" * (-len(cleaned) % 4), validate=True)
    except (binascii.Error, ValueError):
        raise BadPublicKey(f"{what} is not base64") from None


def _from_spki(text: str) -> Any:
    der = _b64(text, "public_key")
    try:
        return serialization.load_der_public_key(der)
    except ValueError:
        raise BadPublicKey("public_key is not a DER SubjectPublicKeyInfo (WebCrypto's spki)") from None


def _from_jwk(jwk: Mapping[str, Any]) -> Any:
    if jwk.get("kty") != "RSA":
        raise BadPublicKey('public_key as a JWK must have "kty": "RSA"')
    if jwk.get("alg", "RSA-OAEP-256") != "RSA-OAEP-256":
        raise BadPublicKey('public_key must be made for RSA-OAEP with SHA-256 ("alg": "RSA-OAEP-256")')
    if "d" in jwk:
        raise BadPublicKey("that JWK holds a private key: send the public key only")
    n, e = jwk.get("n"), jwk.get("e")
    if not isinstance(n, str) or not isinstance(e, str) or len(n) > 1024 or len(e) > 16:
        raise BadPublicKey('public_key as a JWK needs "n" and "e" as base64url strings')
    numbers = rsa.RSAPublicNumbers(int.from_bytes(_b64(e, "e"), "big"), int.from_bytes(_b64(n, "n"), "big"))
    try:
        return numbers.public_key()
    except ValueError as error:
        raise BadPublicKey(f"public_key is not a valid RSA key: {error}") from None


def fingerprint(der: bytes) -> str:
    """The SHA-256 of the SPKI, in hex: what names a device's key (the same key is one device)."""
    return hashlib.sha256(der).hexdigest()


def new_content_key() -> bytes:
    return os.urandom(32)


def wrap_key(der: bytes, content_key: bytes) -> bytes:
    public = serialization.load_der_public_key(der)
    assert isinstance(public, rsa.RSAPublicKey)  # public_key_der checked it on the way in
    return public.encrypt(content_key, _OAEP)


def unwrap_key(private: rsa.RSAPrivateKey, wrapped: bytes) -> bytes:
    """What the device does with WebCrypto's `unwrapKey`/`decrypt`; here for tests and tools."""
    try:
        return private.decrypt(wrapped, _OAEP)
    except ValueError:
        raise TamperedFile("the content key is not wrapped for this device's key") from None


# ---- files ----


def nonce_for(content_key: bytes, storage_key: str) -> bytes:
    return hmac.new(content_key, b"tonearm offline nonce\x00" + storage_key.encode(), "sha256").digest()[:8]


@dataclass(frozen=True, slots=True)
class FileHeader:
    plain_size: int
    nonce: bytes
    wrapped_key: bytes
    media_type: str
    track_id: str
    chunk_size: int = CHUNK_SIZE

    @property
    def chunks(self) -> int:
        return math.ceil(self.plain_size / self.chunk_size)

    def encode(self) -> bytes:
        media, track = self.media_type.encode("ascii"), self.track_id.encode("ascii")
        tail = (
            struct.pack(">H", len(self.wrapped_key))
            + self.wrapped_key
            + bytes([len(media)])
            + media
            + bytes([len(track)])
            + track
        )
        length = _FIXED.size + len(tail)
        fixed = _FIXED.pack(MAGIC, VERSION, 0, length, self.chunk_size, self.plain_size, self.nonce)
        return fixed + tail


def encrypted_size(header: FileHeader) -> int:
    return len(header.encode()) + header.plain_size + TAG_SIZE * header.chunks


def encrypt_chunks(
    header: FileHeader, content_key: bytes, read: Callable[[int, int], bytes]
) -> Iterator[bytes]:
    """The file, piece by piece: the header, then each chunk as it is read (`read(start,
    length)` from the plaintext), so a large file never sits whole in memory."""
    head = header.encode()
    yield head
    aead = AESGCM(content_key)
    for index in range(header.chunks):
        start = index * header.chunk_size
        plain = read(start, min(header.chunk_size, header.plain_size - start))
        yield aead.encrypt(header.nonce + struct.pack(">I", index), plain, head)


def parse_header(data: bytes) -> tuple[FileHeader, bytes]:
    """The header of a file and its raw bytes; TamperedFile when it is not one."""
    if len(data) < _FIXED.size + 4:
        raise TamperedFile("too short to be an offline file")
    magic, version, _reserved, length, chunk, plain, nonce = _FIXED.unpack_from(data)
    if magic != MAGIC or version != VERSION or not 0 < chunk <= 16 * CHUNK_SIZE or length > len(data):
        raise TamperedFile("not a Tonearm offline file (version 1)")
    try:
        at = _FIXED.size
        (key_length,) = struct.unpack_from(">H", data, at)
        wrapped = data[at + 2 : at + 2 + key_length]
        at += 2 + key_length
        media = data[at + 1 : at + 1 + data[at]].decode("ascii")
        at += 1 + data[at]
        track = data[at + 1 : at + 1 + data[at]].decode("ascii")
        at += 1 + data[at]
    except (IndexError, struct.error, UnicodeDecodeError):
        raise TamperedFile("the offline file's header is damaged") from None
    if at != length:
        raise TamperedFile("the offline file's header is damaged")
    return FileHeader(plain, nonce, wrapped, media, track, chunk), data[:length]


def decrypt_file(data: bytes, content_key: bytes) -> bytes:
    """The plaintext, as a player recovers it; TamperedFile if any byte was changed or cut."""
    header, head = parse_header(data)
    expected = len(head) + header.plain_size + TAG_SIZE * header.chunks
    if len(data) != expected:
        raise TamperedFile(f"the offline file has {len(data)} bytes, its header says {expected}")
    aead, at, plain = AESGCM(content_key), len(head), bytearray()
    for index in range(header.chunks):
        size = min(header.chunk_size, header.plain_size - index * header.chunk_size) + TAG_SIZE
        try:
            plain += aead.decrypt(header.nonce + struct.pack(">I", index), data[at : at + size], head)
        except InvalidTag:
            raise TamperedFile(f"chunk {index} of the offline file does not decrypt") from None
        at += size
    return bytes(plain)


def open_file(data: bytes, private: rsa.RSAPrivateKey) -> bytes:
    """What a device does: unwrap the key the file carries with its private key, decrypt."""
    header, _head = parse_header(data)
    return decrypt_file(data, unwrap_key(private, header.wrapped_key))
