"""The warehouse's part of a user's personal data: the streams exported under their pseudonym,
and the pseudonym itself (it links those rows to each other).

Erasure rewrites every day's file holding the user's rows without them, each atomically; the
plays themselves go with the listening domain's part, which runs first, so no later export
brings the rows back. An export job that read the plays before the erasure committed may write
them into a recent day once more; its next pass, an hour on, takes them out again.

The provider is made with no arguments (`Plugin.personal_data`), so it reads the settings from
the environment, as every server process and CLI command does, unless handed them.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy.orm import Session

from tonearm.config import Settings
from tonearm.warehouse.files import read_batches, write_atomically
from tonearm.warehouse.layout import partitions, warehouse_root
from tonearm.warehouse.pseudonyms import pseudonyms_of
from tonearm.warehouse.query import files_holding

__all__ = ["WarehouseData", "erase_user", "user_streams"]


def user_streams(settings: Settings, user_id: str) -> dict[str, Any]:
    """The user's pseudonym and how many of their streams the warehouse holds; pseudonyms
    under earlier signing keys that still have rows are listed too."""
    root = warehouse_root(settings)
    if not partitions(root):
        return {"pseudonym": None, "streams": 0, "earlier_pseudonyms": []}
    current, *earlier = pseudonyms_of(settings, user_id)
    counts = {name: sum(files_holding(root, [name]).values()) for name in (current, *earlier)}
    return {
        "pseudonym": current,
        "streams": sum(counts.values()),
        "earlier_pseudonyms": [name for name in earlier if counts[name]],
    }


def erase_user(settings: Settings, user_id: str) -> int:
    """Rewrite every file holding the user's rows without them; how many rows went."""
    root = warehouse_root(settings)
    if not partitions(root):
        return 0
    users = pseudonyms_of(settings, user_id)
    names = pa.array(users, type=pa.string())
    holding = files_holding(root, users)
    for path in holding:
        write_atomically(path, read_batches(path, lambda batch: pc.invert(pc.is_in(batch["user"], names))))
    return sum(holding.values())


class WarehouseData:
    name = "warehouse"
    sections = ("warehouse_streams",)

    def __init__(self, settings: Settings | None = None) -> None:
        self._settings = settings

    @property
    def settings(self) -> Settings:
        return self._settings or Settings()

    def export(self, session: Session, user_id: str) -> dict[str, Any]:
        return {"warehouse_streams": user_streams(self.settings, user_id)}

    def erase(self, session: Session, user_id: str) -> int:
        return erase_user(self.settings, user_id)
