"""Signed media URLs: HMAC-SHA256 over path, expiry and user, with a key id so keys can rotate.

The query carries exp, uid, kid and sig. Verification is constant-time, and a URL signed by any
key still in the ring verifies, so rotating the signing key does not break URLs already issued.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from tonearm.errors import SignatureInvalid

__all__ = ["KeyRing", "SignedQuery", "load_key_ring"]


@dataclass(frozen=True)
class SignedQuery:
    exp: int
    uid: str
    kid: str
    sig: str

    def encode(self) -> str:
        # sig is urlsafe base64 and exp a number; only ids chosen elsewhere need quoting.
        return f"exp={self.exp}&uid={quote(self.uid, safe='')}&kid={quote(self.kid, safe='')}&sig={self.sig}"


def _mac(secret: bytes, scope: str, exp: int, uid: str) -> str:
    message = f"{scope}\n{exp}\n{uid}".encode()
    digest = hmac.new(secret, message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


@dataclass(frozen=True)
class KeyRing:
    """Keys by id; `active` signs, every key verifies."""

    keys: dict[str, bytes]
    active: str

    def sign(self, scope: str, *, uid: str, ttl_seconds: int, now: float | None = None) -> SignedQuery:
        exp = int((now if now is not None else time.time()) + ttl_seconds)
        sig = _mac(self.keys[self.active], scope, exp, uid)
        return SignedQuery(exp=exp, uid=uid, kid=self.active, sig=sig)

    def verify(self, scope: str, query: SignedQuery, *, now: float | None = None) -> None:
        secret = self.keys.get(query.kid)
        if secret is None:
            raise SignatureInvalid(f"unknown signing key '{query.kid[:32]}'")
        expected = _mac(secret, scope, query.exp, query.uid)
        if not hmac.compare_digest(expected, query.sig):
            raise SignatureInvalid("signature does not match this URL")
        if query.exp < (now if now is not None else time.time()):
            raise SignatureInvalid("signed URL has expired")


def _parse_keys(spec: str) -> KeyRing:
    pairs = [item.split(":", 1) for item in spec.split(",") if item.strip()]
    if not pairs or any(len(pair) != 2 or not pair[1] for pair in pairs):
        raise ValueError("TONEARM_SIGNING_KEYS must look like 'kid:secret,kid:secret'")
    keys = {kid.strip(): secret.strip().encode() for kid, secret in pairs}
    return KeyRing(keys=keys, active=pairs[0][0].strip())


def load_key_ring(spec: str, data_dir: Path) -> KeyRing:
    """Keys from settings, or one generated once and kept in the data directory."""
    if spec:
        return _parse_keys(spec)
    key_file = data_dir / "signing.key"
    if not key_file.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        key_file.write_text(f"k1:{secrets.token_urlsafe(32)}\n")
        key_file.chmod(0o600)
    return _parse_keys(key_file.read_text().strip())
