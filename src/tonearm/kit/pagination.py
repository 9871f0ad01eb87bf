"""Spotify's paging object: href, items, limit, next, offset, previous, total (absolute URLs)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

__all__ = ["MAX_LIMIT", "MAX_OFFSET", "paging"]

MAX_LIMIT = 50
MAX_OFFSET = 1_000_000


def _page_url(url: str, params: dict[str, str], limit: int, offset: int) -> str:
    return f"{url}?{urlencode({**params, 'offset': offset, 'limit': limit})}"


def paging(
    url: str,
    items: list[Any],
    *,
    limit: int,
    offset: int,
    total: int,
    params: dict[str, str] | None = None,
) -> dict[str, Any]:
    """A paging object for `url` (absolute, without query); `params` are kept in every link."""
    kept = {key: value for key, value in (params or {}).items() if value is not None}
    return {
        "href": _page_url(url, kept, limit, offset),
        "items": items,
        "limit": limit,
        "next": _page_url(url, kept, limit, offset + limit) if offset + limit < total else None,
        "offset": offset,
        "previous": _page_url(url, kept, limit, max(offset - limit, 0)) if offset > 0 else None,
        "total": total,
    }
