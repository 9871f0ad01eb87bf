"""Blob store for audio and artwork: immutable objects under content-addressed keys."""

from __future__ import annotations

import importlib
import re
from pathlib import Path
from typing import Protocol, runtime_checkable
from urllib.parse import urlsplit

from tonearm.backends.registry import SchemeRegistry

__all__ = ["ADAPTER_MODULES", "BlobStore", "blob_stores", "check_key", "open_blob_store"]

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


# The module that registers each scheme, imported only when that scheme is opened: no caller
# depends on a concrete adapter, and an SDK loads only where its engine is used.
ADAPTER_MODULES = {"file": "tonearm.backends.blobs_file"}


def open_blob_store(url: str) -> BlobStore:
    module = ADAPTER_MODULES.get(urlsplit(url).scheme)
    if module is not None:
        importlib.import_module(module)
    return blob_stores.open(url)
