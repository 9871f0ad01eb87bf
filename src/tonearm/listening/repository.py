"""All SQL of the listening domain."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import delete, exists, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from tonearm.listening.models import Play, PlayTally

__all__ = ["ListeningRepository"]


class ListeningRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, row: object) -> None:
        self.session.add(row)
        self.session.flush()

    def latest_play(self, user_id: str, track_id: str, *, after: datetime, until: datetime) -> Play | None:
        """The user's newest play of the track in (after, until]."""
        query = (
            select(Play)
            .where(Play.user_id == user_id, Play.track_id == track_id)
            .where(Play.played_at > after, Play.played_at <= until)
            .order_by(Play.played_at.desc())
        )
        return self.session.scalars(query.limit(1)).first()

    def bump_tally(self, *, track_id: str, day: date, country: str, product: str) -> None:
        """One more play in the (track, day, country, product) tally, atomically."""
        key = {"track_id": track_id, "day": day, "country": country, "product": product}
        dialect = self.session.get_bind().dialect.name
        if dialect in ("postgresql", "sqlite"):
            insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
            upsert = insert(PlayTally).values(**key, plays=1)
            upsert = upsert.on_conflict_do_update(
                index_elements=list(key), set_={"plays": PlayTally.plays + 1}
            )
            self.session.execute(upsert)
            return
        bumped = self.session.execute(
            update(PlayTally).filter_by(**key).values(plays=PlayTally.plays + 1)
        ).rowcount  # type: ignore[attr-defined]
        if not bumped:
            self.add(PlayTally(**key, plays=1))

    def history(
        self, user_id: str, *, limit: int, before: datetime | None = None, after: datetime | None = None
    ) -> list[Play]:
        """Up to `limit` of the user's plays, newest first: the newest before `before`, or the
        oldest after `after` (so paging forward in time skips none)."""
        query = select(Play).where(Play.user_id == user_id)
        if after is not None:
            query = query.where(Play.played_at > after).order_by(Play.played_at.asc(), Play.id)
            return list(reversed(self.session.scalars(query.limit(limit)).all()))
        if before is not None:
            query = query.where(Play.played_at < before)
        query = query.order_by(Play.played_at.desc(), Play.id.desc())
        return list(self.session.scalars(query.limit(limit)))

    def has_played_before(self, user_id: str, moment: datetime) -> bool:
        query = exists().where(Play.user_id == user_id, Play.played_at < moment)
        return bool(self.session.scalar(select(query)))

    def all_plays(self, user_id: str) -> Sequence[Play]:
        query = select(Play).where(Play.user_id == user_id).order_by(Play.played_at, Play.id)
        return self.session.scalars(query).all()

    def delete_user_plays(self, user_id: str) -> int:
        query = delete(Play).where(Play.user_id == user_id)
        return self.session.execute(query.execution_options(synchronize_session=False)).rowcount  # type: ignore[attr-defined,no-any-return]

    def delete_played_before(self, moment: datetime, *, limit: int) -> int:
        """Delete at most `limit` plays older than `moment` (a batch keeps each lock short)."""
        oldest = select(Play.id).where(Play.played_at < moment).limit(limit)
        query = delete(Play).where(Play.id.in_(oldest.scalar_subquery()))
        return self.session.execute(query.execution_options(synchronize_session=False)).rowcount  # type: ignore[attr-defined,no-any-return]

    def tallies(self, track_id: str | None = None) -> Sequence[PlayTally]:
        query = select(PlayTally)
        if track_id is not None:
            query = query.where(PlayTally.track_id == track_id)
        order = (PlayTally.day, PlayTally.track_id, PlayTally.country, PlayTally.product)
        return self.session.scalars(query.order_by(*order)).all()
