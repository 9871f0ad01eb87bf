"""The player's values and how each command changes them: pure functions of the state and the
time (Unix milliseconds), no I/O.

A state says what plays (a track of its context, or of the queue the listener built), where
(the active device), and how far: `position_ms` at `updated_at_ms`, moving on with the clock
while playing. Nobody polls a position; every reader extrapolates it (`position_at`).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal

__all__ = [
    "DEVICE_TYPES",
    "HISTORY_LENGTH",
    "MAX_QUEUE",
    "REPEAT_STATES",
    "Device",
    "Entry",
    "PlayerState",
    "RepeatState",
]

RepeatState = Literal["off", "track", "context"]
REPEAT_STATES: tuple[RepeatState, ...] = ("off", "track", "context")
# Spotify's device types; the web player registers as a Computer (or a Smartphone on a phone).
DEVICE_TYPES = ("Computer", "Smartphone", "Speaker", "Tablet", "TV", "Automobile", "Unknown")
HISTORY_LENGTH = 50
MAX_QUEUE = 1000
# Previous within the first seconds of a track goes back a track; later, to its start (as players do).
RESTART_AFTER_MS = 3000


@dataclass(frozen=True)
class Entry:
    """A track as the player holds it: enough to play it and to know when it ends."""

    track_id: str
    duration_ms: int


@dataclass(frozen=True)
class Device:
    id: str
    name: str
    type: str
    volume_percent: int | None
    # Listed until then: pushed forward while its socket lives, to the grace once it closes.
    alive_until_ms: int
    supports_volume: bool = True

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "type": self.type,
            "volume_percent": self.volume_percent,
            "alive_until_ms": self.alive_until_ms,
            "supports_volume": self.supports_volume,
        }

    @classmethod
    def from_json(cls, value: dict[str, Any]) -> Device:
        return cls(**value)


@dataclass(frozen=True)
class PlayerState:
    device_id: str | None
    item: Entry | None = None
    from_queue: bool = False
    context_uri: str | None = None
    context: tuple[Entry, ...] = ()
    # The play order: indices into context, shuffled while shuffle is on; `index` is where in
    # it the context stands (the last context track played, while a queued track plays).
    order: tuple[int, ...] = ()
    index: int = 0
    queue: tuple[Entry, ...] = ()
    history: tuple[str, ...] = ()
    position_ms: int = 0
    updated_at_ms: int = 0
    is_playing: bool = False
    shuffle: bool = False
    repeat: RepeatState = "off"
    volume_percent: int | None = None

    # ---- reading ----

    def position_at(self, now_ms: int) -> int:
        if self.item is None:
            return 0
        moved = max(0, now_ms - self.updated_at_ms) if self.is_playing else 0
        return min(self.item.duration_ms, self.position_ms + moved)

    def upcoming(self, most: int) -> list[Entry]:
        """What plays next, in order: the queue, then the rest of the context."""
        following = [self.context[i] for i in self.order[self.index + 1 :]] if self.context else []
        return [*self.queue, *following][:most]

    # ---- commands ----

    def at(self, now_ms: int, **changes: Any) -> PlayerState:
        """This state with changes, its position carried to now."""
        return replace(self, position_ms=self.position_at(now_ms), updated_at_ms=now_ms, **changes)

    def start(
        self,
        now_ms: int,
        *,
        context: Sequence[Entry],
        context_uri: str | None,
        first: int,
        position_ms: int,
    ) -> PlayerState:
        order = _order(len(context), first, shuffle=self.shuffle)
        return replace(
            self,
            item=context[first],
            from_queue=False,
            context_uri=context_uri,
            context=tuple(context),
            order=order,
            index=0 if self.shuffle else first,
            history=self._played(),
            position_ms=position_ms,
            updated_at_ms=now_ms,
            is_playing=True,
        )

    def transfer(self, now_ms: int, device_id: str, *, play: bool | None) -> PlayerState:
        playing = self.is_playing if play is None else play
        return self.at(now_ms, device_id=device_id, is_playing=playing and self.item is not None)

    def seek(self, now_ms: int, position_ms: int) -> PlayerState:
        return replace(self, position_ms=position_ms, updated_at_ms=now_ms)

    def set_shuffle(self, now_ms: int, on: bool) -> PlayerState:
        if on == self.shuffle:
            return self
        current = self.order[self.index] if self.order else 0
        order = _order(len(self.context), current, shuffle=on) if self.context else ()
        return self.at(now_ms, shuffle=on, order=order, index=0 if on else current)

    def enqueue(self, now_ms: int, entry: Entry) -> PlayerState:
        return self.at(now_ms, queue=(*self.queue, entry))

    def advance(self, now_ms: int, *, ended: bool) -> PlayerState:
        """The next track: a track ended (repeat-track plays it again) or the listener skipped."""
        if ended and self.repeat == "track" and self.item is not None:
            return replace(self, position_ms=0, updated_at_ms=now_ms)
        moved = replace(self, history=self._played(), position_ms=0, updated_at_ms=now_ms)
        if self.queue:
            return replace(moved, item=self.queue[0], from_queue=True, queue=self.queue[1:])
        if self.index + 1 < len(self.order):
            return moved._context_track(self.index + 1)
        if self.repeat == "context" and self.order:
            return moved._context_track(0)
        return replace(self, position_ms=0, updated_at_ms=now_ms, is_playing=False)

    def back(self, now_ms: int) -> PlayerState:
        if self.item is None or self.position_at(now_ms) > RESTART_AFTER_MS:
            return self.seek(now_ms, 0)
        if self.from_queue and self.order:
            # The queued track goes back to the head of the queue; the context track before it plays.
            return replace(
                self, queue=(self.item, *self.queue), position_ms=0, updated_at_ms=now_ms
            )._context_track(self.index)
        if not self.from_queue and self.index > 0:
            return replace(self, position_ms=0, updated_at_ms=now_ms)._context_track(self.index - 1)
        return self.seek(now_ms, 0)

    def _context_track(self, index: int) -> PlayerState:
        return replace(self, item=self.context[self.order[index]], from_queue=False, index=index)

    def _played(self) -> tuple[str, ...]:
        if self.item is None:
            return self.history
        return (*self.history, self.item.track_id)[-HISTORY_LENGTH:]

    # ---- stored as JSON ----

    def as_json(self) -> dict[str, Any]:
        return {
            "device_id": self.device_id,
            "item": _entry_json(self.item) if self.item else None,
            "from_queue": self.from_queue,
            "context_uri": self.context_uri,
            "context": [_entry_json(e) for e in self.context],
            "order": list(self.order),
            "index": self.index,
            "queue": [_entry_json(e) for e in self.queue],
            "history": list(self.history),
            "position_ms": self.position_ms,
            "updated_at_ms": self.updated_at_ms,
            "is_playing": self.is_playing,
            "shuffle": self.shuffle,
            "repeat": self.repeat,
            "volume_percent": self.volume_percent,
        }

    @classmethod
    def from_json(cls, value: dict[str, Any]) -> PlayerState:
        return cls(
            **{
                **value,
                "item": Entry(*value["item"]) if value["item"] else None,
                "context": tuple(Entry(*e) for e in value["context"]),
                "order": tuple(value["order"]),
                "queue": tuple(Entry(*e) for e in value["queue"]),
                "history": tuple(value["history"]),
            }
        )


def _entry_json(entry: Entry) -> list[Any]:
    return [entry.track_id, entry.duration_ms]


def _order(length: int, first: int, *, shuffle: bool) -> tuple[int, ...]:
    """The play order of a context: as it is, or `first` then the rest in a random order."""
    if not shuffle:
        return tuple(range(length))
    rest = [i for i in range(length) if i != first]
    random.shuffle(rest)
    return (first, *rest)
