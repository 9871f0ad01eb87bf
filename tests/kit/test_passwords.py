"""Password hashes: argon2id at the deployed cost unless the settings lower it, and a hash of
another cost still verifies and is due to be made again."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tonearm.config import Settings
from tonearm.kit.passwords import hash_password, needs_rehash, use_password_cost, verify_password


@pytest.fixture
def deployed_cost() -> Iterator[None]:
    # The suite runs cheap hashes (tests/conftest.py); this test puts them back after.
    defaults = Settings.model_fields
    use_password_cost(
        defaults["password_hash_time_cost"].default, defaults["password_hash_memory_kib"].default
    )
    yield
    use_password_cost(1, 1024)


def test_the_deployed_cost_is_argon2ids_recommended_one(deployed_cost: None) -> None:
    stored = hash_password("correct horse battery")
    assert stored.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert verify_password(stored, "correct horse battery")
    assert not verify_password(stored, "wrong horse battery")


def test_a_hash_of_another_cost_verifies_and_is_due_for_a_rehash(deployed_cost: None) -> None:
    use_password_cost(1, 1024)
    cheap = hash_password("pw long enough")
    use_password_cost(3, 65536)
    assert verify_password(cheap, "pw long enough")
    assert needs_rehash(cheap)
    assert not needs_rehash(hash_password("pw long enough"))
    assert not verify_password(None, "pw long enough")  # an unknown user never signs in
