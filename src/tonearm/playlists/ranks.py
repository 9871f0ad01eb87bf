"""Order keys for a playlist's items: strings that sort in playlist order, so an insert or a move
writes the rows it touches and no other (rocicorp's fractional indexing)."""

from __future__ import annotations

from fractional_indexing import generate_n_keys_between  # type: ignore[import-untyped]

__all__ = ["ranks_between"]


def ranks_between(before: str | None, after: str | None, count: int) -> list[str]:
    """`count` keys in order, each sorting after `before` and before `after` (None: an end)."""
    if count == 0:
        return []
    keys: list[str] = generate_n_keys_between(before, after, count)
    return keys
