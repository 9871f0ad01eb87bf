"""Password hashing with argon2id. The cost is argon2-cffi's default (RFC 9106's low-memory
profile: 3 passes over 64 MiB, about 130 ms a hash on this machine) unless the settings lower
it, as for a small machine, or for a test suite that makes a thousand accounts."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

__all__ = ["hash_password", "needs_rehash", "use_password_cost", "verify_password"]


class _Hashing:
    def __init__(self, hasher: PasswordHasher) -> None:
        self.hasher = hasher
        # Compared against when the user does not exist, so an unknown name costs the same time.
        self.dummy = hasher.hash("tonearm: no such user")


_hashing = _Hashing(PasswordHasher())


def use_password_cost(time_cost: int, memory_kib: int) -> None:
    """The cost of the hashes made from now on (set once, from the settings). A stored hash
    of another cost still verifies, and is made again at this one on the next sign-in."""
    global _hashing
    current = _hashing.hasher
    if (current.time_cost, current.memory_cost) != (time_cost, memory_kib):
        _hashing = _Hashing(PasswordHasher(time_cost=time_cost, memory_cost=memory_kib))


def hash_password(password: str) -> str:
    return _hashing.hasher.hash(password)


def verify_password(stored: str | None, password: str) -> bool:
    try:
        return _hashing.hasher.verify(stored or _hashing.dummy, password) and stored is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    return _hashing.hasher.check_needs_rehash(stored)
