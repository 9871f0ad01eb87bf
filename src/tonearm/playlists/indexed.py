"""Public playlists as search sees them: frozen records, read in batches, and shaped for results."""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from tonearm.accounts import account
from tonearm.kit.rights import Audience
from tonearm.playlists import schemas
from tonearm.playlists.models import Playlist
from tonearm.playlists.repository import PlaylistRepository
from tonearm.playlists.shapes import NOBODY_NAME, PlaylistShapes

__all__ = ["PlaylistRecord", "all_records", "count_records", "public_records", "simple_playlists"]

BATCH = 1000


@dataclass(frozen=True, slots=True)
class PlaylistRecord:
    id: str
    name: str
    description: str
    owner_id: str | None  # None: owned by nobody (its owner was erased)
    owner_name: str
    followers: int
    kind: str = "playlist"

    @property
    def popularity(self) -> int:
        # Followers on a log scale: 1 follower (the owner) is 0, 100 is 50, 10,000 or more 100.
        return min(100, round(25 * math.log10(max(self.followers, 1))))


def _records(session: Session, rows: Sequence[Playlist]) -> list[PlaylistRecord]:
    repo = PlaylistRepository(session)
    counts = repo.follower_counts([row.id for row in rows])
    names = account.display_names(session, [row.owner_id for row in rows if row.owner_id])
    return [
        PlaylistRecord(
            id=row.id,
            name=row.name,
            description=row.description,
            owner_id=row.owner_id,
            owner_name=names.get(row.owner_id, "") if row.owner_id else NOBODY_NAME,
            followers=counts.get(row.id, 0),
        )
        for row in rows
    ]


def public_records(session: Session, ids: Sequence[str]) -> list[PlaylistRecord]:
    """The public ones of these playlists (a private or deleted one is simply left out)."""
    return _records(session, PlaylistRepository(session).public(ids)) if ids else []


def all_records(session: Session) -> Iterator[list[PlaylistRecord]]:
    for rows in PlaylistRepository(session).public_batches(BATCH):
        yield _records(session, rows)


def count_records(session: Session) -> int:
    return PlaylistRepository(session).count_public()


def simple_playlists(
    session: Session, ids: Sequence[str], *, base: str
) -> list[schemas.PlaylistSimple | None]:
    """Public playlists as Spotify's simplified objects, in the order asked (None when gone)."""
    found = {row.id: row for row in PlaylistRepository(session).public(ids)} if ids else {}
    shaped = {p.id: p for p in PlaylistShapes(session, base, None, Audience()).simple(list(found.values()))}
    return [shaped.get(playlist_id) for playlist_id in ids]
