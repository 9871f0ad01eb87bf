"""22-character base62 ids, as Spotify's, and URIs as clients send them: tonearm:<type>:<id>,
spotify:<type>:<id> and web links (https://host/<type>/<id>). What Tonearm returns uses one
scheme, `tonearm` by default or `spotify` for clients that parse Spotify's URIs."""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Sequence
from typing import Literal
from urllib.parse import urlsplit

from tonearm.errors import InvalidId

__all__ = [
    "ID_LENGTH",
    "URI_SCHEMES",
    "UriScheme",
    "derive_id",
    "new_id",
    "parse_id",
    "parse_uri",
    "parse_uri_of",
    "uri",
    "use_uri_scheme",
]

UriScheme = Literal["tonearm", "spotify"]
URI_SCHEMES: tuple[UriScheme, ...] = ("tonearm", "spotify")
_scheme: UriScheme = "tonearm"

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
    candidate = value.rsplit(":", 1)[-1] if value.startswith(("tonearm:", "spotify:")) else value
    if not _ID_PATTERN.match(candidate):
        raise InvalidId(f"invalid {kind} id '{value[:64]}': expected 22 base62 characters")
    return candidate


def parse_uri(value: str, kind: str) -> str:
    """The id in a URI or link naming a `kind` (tonearm:track:<id>, spotify:track:<id>,
    https://host/track/<id>); InvalidId for anything else, or a URI of another kind."""
    return parse_uri_of(value, (kind,))[1]


def parse_uri_of(value: str, kinds: Sequence[str]) -> tuple[str, str]:
    """The kind and id in a URI or link naming one of `kinds` (as parse_uri)."""
    shown, kind = value[:80], " or ".join(kinds)
    if value.startswith(("http://", "https://")):
        link = urlsplit(value)
        # The web player's own links keep their route in the fragment: /#/track/<id>.
        route = link.fragment.split("?", 1)[0] if link.fragment.startswith("/") else link.path
        parts = [part for part in route.split("/") if part]
        named, candidate = (parts[-2], parts[-1]) if len(parts) >= 2 else ("", "")
    else:
        scheme, _, rest = value.partition(":")
        named, _, candidate = rest.partition(":")
        if scheme not in URI_SCHEMES:
            raise InvalidId(
                f"'{shown}' is not a {kind} URI: expected tonearm:{kinds[0]}:<id> or spotify:{kinds[0]}:<id>"
            )
    if named not in kinds:
        raise InvalidId(f"'{shown}' does not name a {kind}")
    if not _ID_PATTERN.match(candidate):
        raise InvalidId(f"invalid {named} id in '{shown}': expected 22 base62 characters")
    return named, candidate


def use_uri_scheme(scheme: UriScheme) -> None:
    """The scheme of the URIs Tonearm hands out from now on (set once, from the settings)."""
    global _scheme
    _scheme = scheme


def uri(kind: str, id_: str) -> str:
    return f"{_scheme}:{kind}:{id_}"
