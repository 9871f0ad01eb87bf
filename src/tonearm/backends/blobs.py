"""Blob store for audio and artwork: immutable objects under content-addressed keys."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Protocol, runtime_checkable

from tonearm.backends.registry import SchemeRegistry

__all__ = ["BlobStore", "blob_stores", "check_key", "open_blob_store"]

_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)*$")


def check_key(key: str) -> str:
    """Keys are relative slash paths with no '..', so they can never escape the store."""
    if not _KEY.match(key) or ".." in key.split("/"):
        raise ValueError(f"invalid blob key '{key[:80]}'")
    return key


@runtime_checkable
class BlobStore(Protocol):
    def put_file(self, key: str, source: Path) -> None:
        """Store source under key atomically: readers see all of it or nothing."""

    def exists(self, key: str) -> bool: ...

    def size(self, key: str) -> int:
        """Bytes of the object; raises FileNotFoundError when absent."""

    def read_range(self, key: str, start: int, length: int) -> bytes: ...

    def local_path(self, key: str) -> Path | None:
        """A path on this machine for zero-copy serving, or None when remote."""

    def delete(self, key: str) -> None:
        """Remove key; absent keys are not an error."""


blob_stores: SchemeRegistry[BlobStore] = SchemeRegistry("blob store")


def open_blob_store(url: str) -> BlobStore:
    # Importing the adapters registers their schemes; kept here so callers need only this module.
    from tonearm.backends import blobs_file  # noqa: F401

    return blob_stores.open(url)
