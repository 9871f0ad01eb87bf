"""One suite over every blob store adapter (local folder now; S3 joins in a later issue)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tonearm.backends.blobs import BlobStore, open_blob_store
from tonearm.backends.registry import SchemeRegistry


@pytest.fixture(params=["file"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[BlobStore]:
    yield open_blob_store((tmp_path / "blobs").as_uri())


def test_a_put_object_reads_back_by_range(store: BlobStore, tmp_path: Path) -> None:
    source = tmp_path / "source.bin"
    source.write_bytes(bytes(range(256)) * 4)
    store.put_file("audio/ab/c.ogg", source)
    assert store.exists("audio/ab/c.ogg")
    assert store.size("audio/ab/c.ogg") == 1024
    assert store.read_range("audio/ab/c.ogg", 10, 5) == bytes(range(10, 15))


def test_a_missing_object_is_absent_and_deleting_it_is_fine(store: BlobStore) -> None:
    assert not store.exists("audio/none.ogg")
    with pytest.raises(FileNotFoundError):
        store.size("audio/none.ogg")
    store.delete("audio/none.ogg")


@pytest.mark.parametrize("key", ["../escape", "/abs", "a/../../b", "a//b", ""])
def test_keys_cannot_escape_the_store(store: BlobStore, key: str, tmp_path: Path) -> None:
    source = tmp_path / "s"
    source.write_bytes(b"x")
    with pytest.raises(ValueError, match="invalid blob key"):
        store.put_file(key, source)


def test_an_unknown_scheme_names_the_known_ones() -> None:
    with pytest.raises(ValueError, match="known: file"):
        open_blob_store("gopher://x")


def test_a_scheme_registered_twice_is_an_error() -> None:
    registry: SchemeRegistry[object] = SchemeRegistry("thing")
    registry.register("x")(lambda url: url)
    with pytest.raises(ValueError, match="registered twice"):
        registry.register("x")(lambda url: url)
