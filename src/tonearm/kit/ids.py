"""22-character base62 ids, as Spotify's, and tonearm:<type>:<id> URIs."""

from __future__ import annotations

import hashlib
import re
import secrets

from tonearm.errors import InvalidId

__all__ = ["ID_LENGTH", "derive_id", "new_id", "parse_id", "uri"]

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
ID_LENGTH = 22
_ID_PATTERN = re.compile(r"^[0-9A-Za-z]{22}$")


def _encode(number: int) -> str:
    chars = []
    for _ in range(ID_LENGTH):
        number, digit = divmod(number, 62)
        chars.append(ALPHABET[digit])
    return "".join(reversed(chars))


def new_id() -> str:
    # 128 random bits fit in 22 base62 digits (62**22 > 2**130).
    return _encode(secrets.randbits(128))


def derive_id(*parts: str) -> str:
    """A stable id from names, so the same artist or album ingested twice is one row."""
    digest = hashlib.sha256("\x1f".join(parts).encode()).digest()
    return _encode(int.from_bytes(digest[:16], "big"))


def parse_id(value: str, kind: str = "id") -> str:
    """Accept a bare id or a tonearm:<kind>:<id> URI; raise InvalidId otherwise."""
    candidate = value.rsplit(":", 1)[-1] if value.startswith("tonearm:") else value
    if not _ID_PATTERN.match(candidate):
        raise InvalidId(f"invalid {kind} id '{value[:64]}': expected 22 base62 characters")
    return candidate


def uri(kind: str, id_: str) -> str:
    return f"tonearm:{kind}:{id_}"
