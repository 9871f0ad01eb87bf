"""The catalog as its followers see it: changes to rights and popularity, each written with its
event in the caller's transaction, and the plain records the followers re-read.

A follower (a search replica on each API node) reads the catalog topic of the event log from its
own offset, and re-reads the current record of each entity an event names; an entity that is
gone comes back as absent. Applying an event twice is harmless, so followers may replay.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime

from sqlalchemy.orm import Session

from tonearm.catalog.models import Right
from tonearm.catalog.records import Kind, Record, read_records
from tonearm.catalog.repository import CatalogRepository
from tonearm.errors import BadRequest, NotFound
from tonearm.events import (
    ALBUM_CHANGED,
    ARTIST_CHANGED,
    RIGHTS_CHANGED,
    TRACK_CHANGED,
    TRACK_RESTORED,
    TRACK_TAKEN_DOWN,
    EntityChanged,
    RightsChanged,
    TrackChanged,
    TrackRestored,
    TrackTakenDown,
    make,
)
from tonearm.kit.outbox import emit
from tonearm.kit.territories import WORLDWIDE, parse_territory
from tonearm.kit.time import iso_ms, utcnow

__all__ = ["CatalogFeed", "feed"]


class CatalogFeed:
    # -- what followers read --

    def rights_turning(self, session: Session, after: datetime, until: datetime) -> list[str]:
        """Tracks whose playability changed between two instants because a window opened or
        closed: time passing, which no event announces."""
        return CatalogRepository(session).rights_turning(after, until)

    def records(self, session: Session, kind: Kind, ids: Sequence[str]) -> list[Record]:
        """The current records of these entities; ids that no longer exist are left out."""
        return read_records(CatalogRepository(session), kind, utcnow(), ids=ids)

    def all_records(self, session: Session, kind: Kind, *, batch: int = 10_000) -> Iterator[list[Record]]:
        """Every record of a kind, in batches ordered by id."""
        repo, after = CatalogRepository(session), None
        while True:
            records = read_records(repo, kind, utcnow(), after=after, limit=batch)
            if not records:
                return
            yield records
            after = records[-1].id

    def count(self, session: Session, kind: Kind) -> int:
        repo = CatalogRepository(session)
        return {"track": repo.count_tracks, "album": repo.count_albums, "artist": repo.count_artists}[kind]()

    # -- changes, each with its event --

    def take_down(self, session: Session, track_id: str, territory: str | None = None) -> None:
        """Deny the track in one territory, or everywhere; manifests refuse it from now on."""
        repo, album_id = self._track_or_raise(session, track_id)
        where = parse_territory(territory or WORLDWIDE)
        repo.add(Right(track_id=track_id, territory=where, allowed=False))
        taken: TrackTakenDown = {"track_id": track_id, "album_id": album_id, "territory": where}
        emit(session, make(TRACK_TAKEN_DOWN, taken))

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
        repo, album_id = self._track_or_raise(session, track_id)
        where = parse_territory(territory or WORLDWIDE)
        repo.add(
            Right(
                track_id=track_id,
                territory=where,
                allowed=True,
                valid_from=valid_from,
                valid_to=valid_to,
                premium_only=premium_only,
            )
        )
        window: RightsChanged = {
            "track_id": track_id,
            "album_id": album_id,
            "territory": where,
            "allowed": True,
            "valid_from": iso_ms(valid_from) if valid_from else None,
            "valid_to": iso_ms(valid_to) if valid_to else None,
            "premium_only": premium_only,
        }
        emit(session, make(RIGHTS_CHANGED, window))

    def restore(self, session: Session, track_id: str, territory: str | None = None) -> int:
        """Lift takedowns (in one territory, or all); returns how many were lifted."""
        repo, album_id = self._track_or_raise(session, track_id)
        where = parse_territory(territory) if territory else None
        lifted = repo.delete_denials(track_id, where)
        if lifted:
            restored: TrackRestored = {
                "track_id": track_id,
                "album_id": album_id,
                "territory": where,
                "lifted": lifted,
            }
            emit(session, make(TRACK_RESTORED, restored))
        return lifted

    def set_popularity(self, session: Session, kind: Kind, entity_id: str, popularity: int) -> None:
        """Popularity 0-100 (from play counts: the listening domain's popularity job). Setting the
        value it already has changes nothing, so it says nothing either."""
        repo = CatalogRepository(session)
        current = repo.popularity(kind, entity_id)
        if current is None:
            raise NotFound(f"{kind} '{entity_id}' not found")
        value = max(0, min(popularity, 100))
        if value == current:
            return
        repo.set_popularity(kind, entity_id, value)
        if kind == "track":
            track: TrackChanged = {
                "track_id": entity_id,
                "album_id": repo.album_of(entity_id) or "",
                "fields": ["popularity"],
            }
            emit(session, make(TRACK_CHANGED, track))
            return
        entity: EntityChanged = {"id": entity_id, "fields": ["popularity"]}
        emit(session, make(ALBUM_CHANGED if kind == "album" else ARTIST_CHANGED, entity))

    def _track_or_raise(self, session: Session, track_id: str) -> tuple[CatalogRepository, str]:
        repo = CatalogRepository(session)
        album_id = repo.album_of(track_id)
        if album_id is None:
            raise NotFound(f"track '{track_id}' not found")
        return repo, album_id


feed = CatalogFeed()
