"""Plain records of artists, albums and tracks: what the catalog's followers (search replicas)
index, read in bulk from plain rows. An entity that is gone is simply left out."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from tonearm.catalog.repository import CatalogRepository
from tonearm.kit.rights import Availability, availability

__all__ = [
    "AlbumRecord",
    "ArtistRecord",
    "Credit",
    "Kind",
    "Record",
    "TrackRecord",
    "read_records",
]

Kind = Literal["track", "album", "artist"]


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


def read_records(
    repo: CatalogRepository,
    kind: Kind,
    now: datetime,
    *,
    ids: Sequence[str] | None = None,
    after: str | None = None,
    limit: int = 0,
) -> list[Record]:
    """The records of `ids`, or a batch of `limit` ordered by id after `after`; availability as
    of `now`."""
    if kind == "artist":
        return list(_artists(repo, ids=ids, after=after, limit=limit))
    if kind == "album":
        return list(_albums(repo, now, ids=ids, after=after, limit=limit))
    return list(_tracks(repo, now, ids=ids, after=after, limit=limit))


def _artists(
    repo: CatalogRepository, *, ids: Sequence[str] | None, after: str | None, limit: int
) -> list[ArtistRecord]:
    rows = repo.artist_rows(ids=ids, after=after, limit=limit)
    return [ArtistRecord(id_, name, popularity) for id_, name, popularity in rows]


def _albums(
    repo: CatalogRepository, now: datetime, *, ids: Sequence[str] | None, after: str | None, limit: int
) -> list[AlbumRecord]:
    rows = repo.album_rows(ids=ids, after=after, limit=limit)
    found = [row.id for row in rows]
    credits, rights = repo.album_credits(found), repo.album_track_rights(found)
    return [
        AlbumRecord(
            id_,
            name,
            album_type,
            release_date,
            popularity,
            _credits(credits.get(id_, ())),
            Availability.union([availability(track, now) for track in rights[id_].values()]),
        )
        for id_, name, album_type, release_date, popularity in rows
    ]


def _tracks(
    repo: CatalogRepository, now: datetime, *, ids: Sequence[str] | None, after: str | None, limit: int
) -> list[TrackRecord]:
    rows = repo.track_rows(ids=ids, after=after, limit=limit)
    found = [row.id for row in rows]
    credits, rights = repo.track_credits(found), repo.rights_rows(found)
    return [
        TrackRecord(
            id_,
            name,
            isrc,
            popularity,
            Credit(album_id, album_name),
            release_date,
            _credits(credits.get(id_, ())),
            availability(rights[id_], now),
        )
        for id_, name, isrc, popularity, album_id, album_name, release_date in rows
    ]
