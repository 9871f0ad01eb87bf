"""What one edit did to a playlist, as data: the items it added, the items it removed (whole, so
the edit can be undone) and the items it moved (from one order key to another).

A playlist's state is its items by id; an item is one addition of a track, with the order key
it sorts by. Applying a change and applying its inverse gives the state back, so any earlier
snapshot is the current state with the later changes undone, and a revert is the difference
between the current state and that snapshot.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import orjson

__all__ = ["Change", "Item", "Move", "State", "apply", "diff", "ordered"]


@dataclass(frozen=True, slots=True)
class Item:
    id: str
    rank: str
    track_id: str
    added_by: str | None
    added_at: int  # unix milliseconds: cheap to read back for 10,000 items

    def as_json(self) -> list[Any]:
        return [self.id, self.rank, self.track_id, self.added_by, self.added_at]

    @classmethod
    def from_json(cls, value: list[Any]) -> Item:
        return cls(*value)


@dataclass(frozen=True, slots=True)
class Move:
    id: str
    from_rank: str
    to_rank: str


State = dict[str, Item]


@dataclass(frozen=True, slots=True)
class Change:
    added: tuple[Item, ...] = ()
    removed: tuple[Item, ...] = ()
    moved: tuple[Move, ...] = ()
    # Name, description, public, collaborative: field -> [before, after].
    details: tuple[tuple[str, Any, Any], ...] = ()

    def inverse(self) -> Change:
        return Change(
            added=self.removed,
            removed=self.added,
            moved=tuple(Move(m.id, m.to_rank, m.from_rank) for m in self.moved),
            details=tuple((name, after, before) for name, before, after in self.details),
        )

    def encode(self) -> str:
        document = {
            "added": [item.as_json() for item in self.added],
            "removed": [item.as_json() for item in self.removed],
            "moved": [[m.id, m.from_rank, m.to_rank] for m in self.moved],
            "details": [list(entry) for entry in self.details],
        }
        return orjson.dumps(document).decode()

    @classmethod
    def decode(cls, text: str) -> Change:
        document = orjson.loads(text)
        return cls(
            added=tuple(Item.from_json(value) for value in document["added"]),
            removed=tuple(Item.from_json(value) for value in document["removed"]),
            moved=tuple(Move(*value) for value in document["moved"]),
            details=tuple((name, before, after) for name, before, after in document["details"]),
        )


def apply(state: State, change: Change) -> None:
    """Change `state` in place."""
    for item in change.removed:
        del state[item.id]
    for item in change.added:
        state[item.id] = item
    for move in change.moved:
        state[move.id] = replace(state[move.id], rank=move.to_rank)


def ordered(state: State) -> list[Item]:
    # Every state an edit makes has distinct ranks; the id only makes the order total.
    return sorted(state.values(), key=lambda item: (item.rank, item.id))


def diff(old: State, new: State) -> Change:
    """The change that turns `old` into `new`."""
    return Change(
        added=tuple(item for item_id, item in new.items() if item_id not in old),
        removed=tuple(item for item_id, item in old.items() if item_id not in new),
        moved=tuple(
            Move(item_id, old[item_id].rank, item.rank)
            for item_id, item in new.items()
            if item_id in old and old[item_id].rank != item.rank
        ),
    )
