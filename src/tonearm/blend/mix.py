"""The rule a blend's tracks are chosen by: pure, no database, so that a personalised rule (when
a recommendations domain exists) can take its place as one function.

    picks = mix(inviters_tracks, invitees_tracks, artists=artist_ids_by_track)

Each member's tracks come ranked, most theirs first. Tracks both have come first (by their
combined rank), then the members' own tracks take turns: the inviter's, the invitee's, and so on.
No track twice, at most MAX_TRACKS. Within any WINDOW tracks in a row an artist has at most
PER_ARTIST; a track that would break that waits for the next place it fits (when none of the
waiting tracks fits, the first waiting one is taken, so a small library is spaced, not cut).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from itertools import zip_longest
from typing import Literal

__all__ = ["MAX_TRACKS", "PER_ARTIST", "WINDOW", "Pick", "Reason", "Rule", "mix"]

MAX_TRACKS = 50
PER_ARTIST = 2
WINDOW = 10

Reason = Literal["both", "inviter", "invitee"]


@dataclass(frozen=True, slots=True)
class Pick:
    track_id: str
    reason: Reason


Rule = Callable[[Sequence[str], Sequence[str], Mapping[str, Sequence[str]]], list[Pick]]


def mix(inviter: Sequence[str], invitee: Sequence[str], artists: Mapping[str, Sequence[str]]) -> list[Pick]:
    """The blend of two ranked track lists; `artists` names each track's credited artists."""
    first, second = list(dict.fromkeys(inviter)), list(dict.fromkeys(invitee))
    shared = _shared(first, second)
    taken = set(shared)
    turns = _turns([t for t in first if t not in taken], [t for t in second if t not in taken])
    return _spaced([Pick(track_id, "both") for track_id in shared] + turns, artists)


def _shared(first: list[str], second: list[str]) -> list[str]:
    """The tracks in both lists, by the sum of their two ranks (ties: the inviter's order)."""
    rank = {track_id: number for number, track_id in enumerate(second)}
    both = [
        (number + rank[track_id], number, track_id)
        for number, track_id in enumerate(first)
        if track_id in rank
    ]
    return [track_id for _, _, track_id in sorted(both)]


def _turns(first: list[str], second: list[str]) -> list[Pick]:
    picks: list[Pick] = []
    for mine, theirs in zip_longest(first, second):
        if mine is not None:
            picks.append(Pick(mine, "inviter"))
        if theirs is not None:
            picks.append(Pick(theirs, "invitee"))
    return picks


def _spaced(order: list[Pick], artists: Mapping[str, Sequence[str]]) -> list[Pick]:
    placed: list[Pick] = []
    waiting = list(order)
    while waiting and len(placed) < MAX_TRACKS:
        recent = Counter(a for pick in placed[-(WINDOW - 1) :] for a in artists.get(pick.track_id, ()))
        fits = (
            number
            for number, pick in enumerate(waiting)
            if all(recent[a] < PER_ARTIST for a in artists.get(pick.track_id, ()))
        )
        placed.append(waiting.pop(next(fits, 0)))
    return placed
