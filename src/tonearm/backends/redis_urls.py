"""Redis URLs as the Redis adapters take them: redis-py's URL plus an optional `namespace`."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

__all__ = ["split_namespace"]


def split_namespace(url: str) -> tuple[str, str]:
    """The URL without `namespace` (redis-py would reject it), and the namespace ('' if none)."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query)
    namespace = next((value for name, value in query if name == "namespace"), "")
    rest = urlencode([(name, value) for name, value in query if name != "namespace"])
    return urlunsplit(parts._replace(query=rest)), namespace
