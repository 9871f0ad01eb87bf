"""Pseudonyms for the users and devices in the warehouse: the first 32 hex characters of an
HMAC-SHA256 over the id, keyed by a key derived from the first signing key (HMAC of the label
b"warehouse-pseudonym" under it). The same user has the same pseudonym in every file, so
royalties can count distinct listeners, but a file alone names nobody.

Rotating the first signing key changes the pseudonyms of whatever is exported after; the older
keys stay in the ring, so a user's export and erasure still find rows under the old ones.
"""

from __future__ import annotations

import hashlib
import hmac

from tonearm.config import Settings
from tonearm.kit.signing import load_key_ring

__all__ = ["ANONYMOUS", "LABEL", "Pseudonyms", "pseudonym", "pseudonyms_of"]

LABEL = b"warehouse-pseudonym"
# Who a play belongs to once its user row is gone.
ANONYMOUS = "anonymous"


def _derived(secret: bytes) -> bytes:
    return hmac.new(secret, LABEL, hashlib.sha256).digest()


def _secrets(settings: Settings) -> list[bytes]:
    """The ring's secrets, the first (signing) key first."""
    ring = load_key_ring(settings.signing_keys, settings.data_dir)
    return [ring.keys[ring.active], *(secret for kid, secret in ring.keys.items() if kid != ring.active)]


class Pseudonyms:
    """One key's pseudonyms, remembered: an export meets each user and device many times."""

    def __init__(self, secret: bytes) -> None:
        self._key = _derived(secret)
        self._known: dict[str, str] = {}

    @classmethod
    def current(cls, settings: Settings) -> Pseudonyms:
        return cls(_secrets(settings)[0])

    def of(self, id_: str) -> str:
        found = self._known.get(id_)
        if found is None:
            found = self._known[id_] = hmac.new(self._key, id_.encode(), hashlib.sha256).hexdigest()[:32]
        return found

    def user(self, user_id: str | None) -> str:
        return self.of(user_id) if user_id else ANONYMOUS

    def device(self, device_id: str | None) -> str:
        return self.of(device_id) if device_id else ""


def pseudonym(settings: Settings, user_id: str) -> str:
    """The user's pseudonym in files exported from now on."""
    return Pseudonyms.current(settings).of(user_id)


def pseudonyms_of(settings: Settings, user_id: str) -> list[str]:
    """The user's pseudonym under every key in the ring, the current one first."""
    return [Pseudonyms(secret).of(user_id) for secret in _secrets(settings)]
