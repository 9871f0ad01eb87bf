"""Signed URLs: HMAC over path, expiry and user, with rotating keys."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from tonearm.errors import SignatureInvalid
from tonearm.kit.signing import KeyRing, load_key_ring

RING = KeyRing(keys={"new": b"new-secret", "old": b"old-secret"}, active="new")


def test_a_signed_scope_verifies() -> None:
    query = RING.sign("/media/a.ogg", uid="u1", ttl_seconds=60)
    RING.verify("/media/a.ogg", query)
    assert query.kid == "new"


@pytest.mark.parametrize(
    "tamper",
    [
        lambda q: replace(q, uid="u2"),
        lambda q: replace(q, exp=q.exp + 3600),
        lambda q: replace(q, sig=q.sig[:-2] + "AA"),
    ],
)
def test_any_change_to_a_signed_query_is_refused(tamper) -> None:  # type: ignore[no-untyped-def]
    query = RING.sign("/media/a.ogg", uid="u1", ttl_seconds=60)
    with pytest.raises(SignatureInvalid, match="does not match"):
        RING.verify("/media/a.ogg", tamper(query))


def test_a_signature_does_not_open_another_path() -> None:
    query = RING.sign("/media/a.ogg", uid="u1", ttl_seconds=60)
    with pytest.raises(SignatureInvalid):
        RING.verify("/media/b.ogg", query)


def test_an_expired_signature_is_refused() -> None:
    query = RING.sign("/media/a.ogg", uid="u1", ttl_seconds=60, now=1000)
    RING.verify("/media/a.ogg", query, now=1059)
    with pytest.raises(SignatureInvalid, match="expired"):
        RING.verify("/media/a.ogg", query, now=1061)


def test_urls_signed_before_a_key_rotation_still_verify() -> None:
    before = KeyRing(keys={"old": b"old-secret"}, active="old")
    query = before.sign("/media/a.ogg", uid="u1", ttl_seconds=60)
    RING.verify("/media/a.ogg", query)


def test_an_unknown_key_id_is_refused() -> None:
    query = replace(RING.sign("/media/a.ogg", uid="u1", ttl_seconds=60), kid="gone")
    with pytest.raises(SignatureInvalid, match="unknown signing key"):
        RING.verify("/media/a.ogg", query)


def test_a_generated_key_is_kept_across_restarts(tmp_path: Path) -> None:
    first = load_key_ring("", tmp_path)
    second = load_key_ring("", tmp_path)
    assert first == second
    assert (tmp_path / "signing.key").stat().st_mode & 0o077 == 0


def test_a_malformed_key_setting_says_how_it_should_look() -> None:
    with pytest.raises(ValueError, match="kid:secret"):
        load_key_ring("nocolon", Path("."))


def test_a_user_id_with_url_characters_survives_the_query_string() -> None:
    from tonearm.delivery.media import _signed_query

    query = RING.sign("/media/a.ogg", uid="ann@example.com/&=", ttl_seconds=60)
    RING.verify("/media/a.ogg", _signed_query(query.encode().encode()))
