from __future__ import annotations

import pytest

from tonearm.errors import InvalidId
from tonearm.kit.ids import derive_id, new_id, parse_id


def test_new_ids_are_22_base62_characters_and_distinct() -> None:
    ids = {new_id() for _ in range(1000)}
    assert len(ids) == 1000
    assert all(len(i) == 22 and i.isalnum() for i in ids)


def test_derived_ids_are_stable() -> None:
    assert derive_id("artist", "x") == derive_id("artist", "x") != derive_id("artist", "y")


def test_a_uri_parses_to_its_id() -> None:
    id_ = new_id()
    assert parse_id(f"tonearm:track:{id_}") == id_


@pytest.mark.parametrize("bad", ["", "abc", "a" * 23, "../../etc/passwd", "a" * 21 + "é"])
def test_malformed_ids_are_refused(bad: str) -> None:
    with pytest.raises(InvalidId):
        parse_id(bad)
