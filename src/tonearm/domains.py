"""The registry of domains: the one list the app, the CLI, the privacy service, the migrations
and the import contracts read. Each name is a package `tonearm.<name>` with a `plugin.py`."""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from functools import cache

from tonearm.kit.plugin import Plugin

__all__ = ["DOMAINS", "plugins"]

# Order matters where one domain's data outlives another's during erasure: accounts (the user
# row itself) goes last.
DOMAINS: tuple[str, ...] = (
    "catalog",
    "ingest",
    "delivery",
    "search",
    "listening",
    "playlists",
    "library",
    "social",
    "shares",
    "blend",
    "recs",
    "warehouse",
    "royalties",
    "offline",
    "player",
    "accounts",
)


@cache
def plugins() -> Sequence[Plugin]:
    found = []
    for name in DOMAINS:
        plugin = importlib.import_module(f"tonearm.{name}.plugin").plugin
        if not isinstance(plugin, Plugin) or plugin.name != name:
            raise TypeError(f"tonearm.{name}.plugin.plugin must be Plugin(name='{name}', ...)")
        found.append(plugin)
    return tuple(found)
