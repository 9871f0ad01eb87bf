"""The catalog as its followers see it: a change feed and plain records of what changed.

A follower (a search replica on each API node) remembers the last `seq` it applied, asks for
the changes after it, and re-reads the current record of each entity named; an entity that is
gone comes back as absent. Applying a change twice is harmless, so followers may replay.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy.orm import Session

from tonearm.catalog.models import Right
from tonearm.catalog.repository import CatalogRepository
from tonearm.errors import BadRequest, NotFound
from tonearm.kit.rights import Availability, availability
from tonearm.kit.territories import WORLDWIDE, parse_territory
from tonearm.kit.time import utcnow

__all__ = [
    "AlbumRecord",
    "ArtistRecord",
    "CatalogFeed",
    "Change",
    "Credit",
    "Kind",
    "Record",
    "TrackRecord",
    "feed",
]

Kind = Literal["track", "album", "artist"]


@dataclass(frozen=True, slots=True)
class Change:
    seq: int
    kind: Kind
    entity_id: str


@dataclass(frozen=True, slots=True)
class Credit:
    id: str
    name: str


@dataclass(frozen=True, slots=True)
class ArtistRecord:
    id: str
    name: str
    popularity: int
    kind: Kind = "artist"


@dataclass(frozen=True, slots=True)
class AlbumRecord:
    id: str
    name: str
    album_type: str
    release_date: str
    popularity: int
    artists: tuple[Credit, ...]
    # Where at least one of its tracks plays now.
    availability: Availability
    kind: Kind = "album"


@dataclass(frozen=True, slots=True)
class TrackRecord:
    id: str
    name: str
    isrc: str | None
    popularity: int
    album: Credit
    release_date: str
    artists: tuple[Credit, ...]
    availability: Availability
    kind: Kind = "track"


Record = TrackRecord | AlbumRecord | ArtistRecord


def _credits(pairs: Sequence[tuple[str, str]]) -> tuple[Credit, ...]:
    return tuple(Credit(id_, name) for id_, name in pairs)


class CatalogFeed:
    def changes(
        self, session: Session, *, after: int, also: Sequence[int] = (), limit: int = 1000
    ) -> list[Change]:
        rows = CatalogRepository(session).changes(after=after, also=also, limit=limit)
        return [Change(row.seq, row.kind, row.entity_id) for row in rows]  # type: ignore[arg-type]

    def last_change(self, session: Session) -> int:
        return CatalogRepository(session).last_change()

    def rights_turning(self, session: Session, after: datetime, until: datetime) -> list[str]:
        """Tracks whose playability changed between two instants because a window opened or closed."""
        return CatalogRepository(session).rights_turning(after, until)

    def records(self, session: Session, kind: Kind, ids: Sequence[str]) -> list[Record]:
        """The current records of these entities; ids that no longer exist are left out."""
        return self._read(CatalogRepository(session), kind, ids=ids)

    def all_records(self, session: Session, kind: Kind, *, batch: int = 10_000) -> Iterator[list[Record]]:
        """Every record of a kind, in batches ordered by id."""
        repo, after = CatalogRepository(session), None
        while True:
            records = self._read(repo, kind, after=after, limit=batch)
            if not records:
                return
            yield records
            after = records[-1].id

    def count(self, session: Session, kind: Kind) -> int:
        repo = CatalogRepository(session)
        return {"track": repo.count_tracks, "album": repo.count_albums, "artist": repo.count_artists}[kind]()

    def _read(self, repo: CatalogRepository, kind: Kind, **page: object) -> list[Record]:
        now = utcnow()
        if kind == "artist":
            return [ArtistRecord(row.id, row.name, row.popularity) for row in repo.artist_rows(**page)]
        if kind == "album":
            rows = repo.album_rows(**page)
            ids = [row.id for row in rows]
            credits, rights = repo.album_credits(ids), repo.album_track_rights(ids)
            return [
                AlbumRecord(
                    row.id,
                    row.name,
                    row.album_type,
                    row.release_date,
                    row.popularity,
                    _credits(credits.get(row.id, ())),
                    Availability.union([availability(r, now) for r in rights[row.id].values()]),
                )
                for row in rows
            ]
        rows = repo.track_rows(**page)
        ids = [row.id for row in rows]
        credits, rights = repo.track_credits(ids), repo.rights_rows(ids)
        return [
            TrackRecord(
                row.id,
                row.name,
                row.isrc,
                row.popularity,
                Credit(row.album_id, row.album_name),
                row.release_date,
                _credits(credits.get(row.id, ())),
                availability(rights[row.id], now),
            )
            for row in rows
        ]

    def take_down(self, session: Session, track_id: str, territory: str | None = None) -> None:
        """Deny the track in one territory, or everywhere; manifests refuse it from now on."""
        repo = self._track_or_raise(session, track_id)
        repo.add(Right(track_id=track_id, territory=parse_territory(territory or WORLDWIDE), allowed=False))
        self._touch_track(repo, track_id)

    def allow(
        self,
        session: Session,
        track_id: str,
        territory: str | None = None,
        *,
        valid_from: datetime | None = None,
        valid_to: datetime | None = None,
        premium_only: bool = False,
    ) -> None:
        """Open a rights window: the track plays in the territory (or everywhere) from
        `valid_from` until `valid_to`, for premium listeners alone when `premium_only`."""
        if valid_from is not None and valid_to is not None and valid_to <= valid_from:
            raise BadRequest("a rights window must end after it starts")
        repo = self._track_or_raise(session, track_id)
        right = Right(
            track_id=track_id,
            territory=parse_territory(territory or WORLDWIDE),
            allowed=True,
            valid_from=valid_from,
            valid_to=valid_to,
            premium_only=premium_only,
        )
        repo.add(right)
        self._touch_track(repo, track_id)

    def restore(self, session: Session, track_id: str, territory: str | None = None) -> int:
        """Lift takedowns (in one territory, or all); returns how many were lifted."""
        repo = self._track_or_raise(session, track_id)
        lifted = repo.delete_denials(track_id, parse_territory(territory) if territory else None)
        self._touch_track(repo, track_id)
        return lifted

    def set_popularity(self, session: Session, kind: Kind, entity_id: str, popularity: int) -> None:
        """Popularity 0–100 (from play counts, once listening events exist)."""
        repo = CatalogRepository(session)
        if not repo.set_popularity(kind, entity_id, max(0, min(popularity, 100))):
            raise NotFound(f"{kind} '{entity_id}' not found")
        repo.add_changes(kind, [entity_id])

    def _track_or_raise(self, session: Session, track_id: str) -> CatalogRepository:
        repo = CatalogRepository(session)
        if repo.album_of(track_id) is None:
            raise NotFound(f"track '{track_id}' not found")
        return repo

    def _touch_track(self, repo: CatalogRepository, track_id: str) -> None:
        repo.flush()
        repo.add_changes("track", [track_id])
        repo.add_changes("album", [repo.album_of(track_id) or ""])


feed = CatalogFeed()
