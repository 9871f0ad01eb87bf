"""All SQL of the listening domain."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import (
    Integer,
    Row,
    RowMapping,
    Table,
    and_,
    bindparam,
    case,
    delete,
    exists,
    func,
    insert,
    select,
    tuple_,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from tonearm.listening.models import Device, Play, PlayTally, Receipt, StreamDay

__all__ = ["ListeningRepository", "StreamRow"]

# id, user_id, track_id, played_at, ms_played, country, product, device_id, offline
StreamRow = Row[str, str | None, str, datetime, int | None, str, str, str | None, bool]


class ListeningRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def latest_play(self, user_id: str, track_id: str, *, after: datetime, until: datetime) -> Play | None:
        """The user's newest play of the track in (after, until]."""
        query = (
            select(Play)
            .where(Play.user_id == user_id, Play.track_id == track_id)
            .where(Play.played_at > after, Play.played_at <= until)
            .order_by(Play.played_at.desc())
        )
        return self.session.scalars(query.limit(1)).first()

    def _insert(self):  # type: ignore[no-untyped-def]
        dialect = self.session.get_bind().dialect.name
        return postgresql.insert if dialect == "postgresql" else sqlite.insert

    def bump_tallies(self, counts: Mapping[tuple[str, date, str, str], int]) -> None:
        """Add to the (track, day, country, product) tallies, atomically."""
        rows = [
            {"track_id": track_id, "day": day, "country": country, "product": product, "plays": by}
            for (track_id, day, country, product), by in counts.items()
            if by
        ]
        if rows:
            table = PlayTally.__table__
            upsert = self._insert()(table)
            upsert = upsert.on_conflict_do_update(
                index_elements=["track_id", "day", "country", "product"],
                set_={"plays": table.c.plays + upsert.excluded.plays},
            )
            self.session.execute(upsert, rows)

    def bump_stream_days(self, counts: Mapping[tuple[str, str, date], int]) -> None:
        """Add to the (user, track, day) stream counts, atomically."""
        rows = [
            {"user_id": user_id, "track_id": track_id, "day": day, "streams": by}
            for (user_id, track_id, day), by in counts.items()
            if by
        ]
        if rows:
            table = StreamDay.__table__
            upsert = self._insert()(table)
            upsert = upsert.on_conflict_do_update(
                index_elements=["user_id", "track_id", "day"],
                set_={"streams": table.c.streams + upsert.excluded.streams},
            )
            self.session.execute(upsert, rows)

    # ---- playback consumer ----
    def receipts(self, keys: Sequence[tuple[int, str]]) -> set[str]:
        """Which of these (day, message id) the consumer has applied: their message ids."""
        by_day: dict[int, list[str]] = {}
        for day, id_ in keys:
            by_day.setdefault(day, []).append(id_)
        found: set[str] = set()
        for day, ids in by_day.items():
            for start in range(0, len(ids), 500):
                query = select(Receipt.id).where(Receipt.day == day, Receipt.id.in_(ids[start : start + 500]))
                found.update(self.session.scalars(query))
        return found

    def add_receipts(self, keys: Sequence[tuple[int, str]]) -> None:
        """Receipts of (day, message id); one already on record stays as it is."""
        if keys:
            rows = [{"day": day, "id": id_} for day, id_ in keys]
            # Core, many rows to one cached statement: the ORM's bulk path costs more per row.
            self.session.execute(self._insert()(Receipt.__table__).on_conflict_do_nothing(), rows)

    def bind_devices(self, device_ids: Sequence[str], user_id: str, now: datetime) -> dict[str, str]:
        """Bind each unbound device to the user; every device's owner."""
        rows = [{"id": device_id, "user_id": user_id, "first_seen": now} for device_id in device_ids]
        self.session.execute(self._insert()(Device).values(rows).on_conflict_do_nothing())
        query = select(Device.id, Device.user_id).where(Device.id.in_(device_ids))
        return {device_id: owner for device_id, owner in self.session.execute(query)}

    # The consumer's plays as plain rows: it reads and writes many per batch.
    _PLAY_STATE = (
        Play.id,
        Play.user_id,
        Play.track_id,
        Play.played_at,
        Play.ms_played,
        Play.counted,
        Play.country,
        Play.product,
    )

    def plays(self, play_ids: Sequence[str]) -> dict[str, RowMapping]:
        found: dict[str, RowMapping] = {}
        for start in range(0, len(play_ids), 500):
            query = select(*self._PLAY_STATE).where(Play.id.in_(play_ids[start : start + 500]))
            found.update((row["id"], row) for row in self.session.execute(query).mappings())
        return found

    def open_play(self, user_id: str, device_id: str, track_id: str, *, at: datetime) -> RowMapping | None:
        """The user's latest play of the track on the device that started at or before `at`."""
        query = (
            select(*self._PLAY_STATE)
            .where(Play.user_id == user_id, Play.track_id == track_id, Play.device_id == device_id)
            .where(Play.played_at <= at)
            .order_by(Play.played_at.desc())
        )
        return self.session.execute(query.limit(1)).mappings().first()

    def insert_plays(self, rows: Sequence[Mapping[str, Any]]) -> None:
        if rows:
            self.session.execute(insert(cast(Table, Play.__table__)), rows)

    def update_plays(self, rows: Sequence[Mapping[str, Any]]) -> None:
        """Rows of play_id, ms_played and counted."""
        if rows:
            table = cast(Table, Play.__table__)
            query = (
                update(table)
                .where(table.c.id == bindparam("play_id"))
                .values(ms_played=bindparam("ms_played"), counted=bindparam("counted"))
            )
            self.session.execute(query, rows)

    def top_tracks(self, user_id: str, since: date | None) -> list[tuple[str, int]]:
        """(track, streams) the user counted since the day, most first, then most recent."""
        total, last = func.sum(StreamDay.streams), func.max(StreamDay.day)
        query = select(StreamDay.track_id, total).where(StreamDay.user_id == user_id)
        if since is not None:
            query = query.where(StreamDay.day >= since)
        query = query.group_by(StreamDay.track_id).order_by(total.desc(), last.desc(), StreamDay.track_id)
        return [(track_id, int(streams)) for track_id, streams in self.session.execute(query)]

    def feedback(
        self, since: datetime | None, skip_ms: int, user_id: str | None = None
    ) -> list[tuple[str, str, int, int, datetime]]:
        """(user, track, streams, skips, last played) of every user's plays since the moment: a
        skip is a play that ended short of `skip_ms` without counting."""
        skipped = and_(Play.counted.is_(False), func.coalesce(Play.ms_played, 0) < skip_ms)
        query = (
            select(
                Play.user_id,
                Play.track_id,
                func.sum(case((Play.counted.is_(True), 1), else_=0).cast(Integer)),
                func.sum(case((skipped, 1), else_=0).cast(Integer)),
                func.max(Play.played_at),
            )
            .where(Play.user_id.is_not(None))
            .group_by(Play.user_id, Play.track_id)
        )
        if since is not None:
            query = query.where(Play.played_at >= since)
        if user_id is not None:
            query = query.where(Play.user_id == user_id)
        return [
            (str(user), track_id, int(streams or 0), int(skips or 0), last)
            for user, track_id, streams, skips, last in self.session.execute(query)
        ]

    def play_times(self, track_ids: Sequence[str], since: datetime) -> list[tuple[str, datetime]]:
        query = select(Play.track_id, Play.played_at).where(
            Play.track_id.in_(track_ids), Play.played_at >= since, Play.counted.is_(True)
        )
        return [(track_id, at) for track_id, at in self.session.execute(query)]

    def heard_since(self, user_id: str, moment: datetime) -> set[str]:
        query = select(Play.track_id).where(Play.user_id == user_id, Play.played_at >= moment).distinct()
        return set(self.session.scalars(query))

    def contexts(self, user_id: str, limit: int) -> list[tuple[str, datetime, int]]:
        """(context uri, last played, plays) of what the user started plays from, latest first."""
        last = func.max(Play.played_at)
        query = (
            select(Play.context_uri, last, func.count())
            .where(Play.user_id == user_id, Play.context_uri.is_not(None))
            .group_by(Play.context_uri)
            .order_by(last.desc())
            .limit(limit)
        )
        return [(str(context), at, int(count)) for context, at, count in self.session.execute(query)]

    def stream_days(self, user_id: str) -> Sequence[StreamDay]:
        query = select(StreamDay).where(StreamDay.user_id == user_id).order_by(StreamDay.day)
        return self.session.scalars(query).all()

    def streams_since(self, day: date) -> list[tuple[str, int]]:
        """Every track's counted streams since the day (all markets and products)."""
        query = (
            select(PlayTally.track_id, func.sum(PlayTally.plays))
            .where(PlayTally.day >= day)
            .group_by(PlayTally.track_id)
        )
        return [(track_id, int(streams)) for track_id, streams in self.session.execute(query)]

    def streams_in(self, country: str, day: date, limit: int) -> list[tuple[str, int]]:
        """The tracks most streamed in the country since the day, with their streams."""
        total = func.sum(PlayTally.plays)
        query = (
            select(PlayTally.track_id, total)
            .where(PlayTally.country == country, PlayTally.day >= day)
            .group_by(PlayTally.track_id)
            .order_by(total.desc(), PlayTally.track_id)
            .limit(limit)
        )
        return [(track_id, int(streams)) for track_id, streams in self.session.execute(query)]

    _STREAM = (
        Play.id,
        Play.user_id,
        Play.track_id,
        Play.played_at,
        Play.ms_played,
        Play.country,
        Play.product,
        Play.device_id,
        Play.offline,
    )

    def counted_plays(self, start: datetime, end: datetime, *, chunk: int) -> Iterator[StreamRow]:
        """Everyone's counted plays with start <= played_at < end, by played_at then id, fetched
        `chunk` rows at a time. Ids sort by their bytes on every database (PostgreSQL's default
        collation would not), so both give the same order."""
        by_id = Play.id.collate("C") if self.session.get_bind().dialect.name == "postgresql" else Play.id
        query = (
            select(*self._STREAM)
            .where(Play.counted.is_(True), Play.played_at >= start, Play.played_at < end)
            .order_by(Play.played_at, by_id)
        )
        yield from self.session.execute(query.execution_options(yield_per=chunk))

    def plays_from(self, moment: datetime) -> Sequence[Play]:
        return self.session.scalars(select(Play).where(Play.played_at >= moment)).all()

    def delete_plays(self, play_ids: Sequence[str]) -> None:
        for start in range(0, len(play_ids), 500):
            query = delete(Play).where(Play.id.in_(play_ids[start : start + 500]))
            self.session.execute(query.execution_options(synchronize_session=False))

    def delete_receipts_from(self, day: int) -> int:
        query = delete(Receipt).where(Receipt.day >= day)
        return self.session.execute(query).rowcount  # type: ignore[attr-defined,no-any-return]

    def delete_receipts_before(self, day: int, *, limit: int) -> int:
        """At most `limit` receipts of days before `day`, oldest first."""
        oldest = select(Receipt.day, Receipt.id).where(Receipt.day < day).order_by(Receipt.day).limit(limit)
        query = delete(Receipt).where(tuple_(Receipt.day, Receipt.id).in_(oldest))
        return self.session.execute(query.execution_options(synchronize_session=False)).rowcount  # type: ignore[attr-defined,no-any-return]

    def delete_user_data(self, user_id: str) -> int:
        """The user's stream days, devices and receipts (plays go by delete_user_plays)."""
        deleted = 0
        for query in (
            delete(StreamDay).where(StreamDay.user_id == user_id),
            delete(Device).where(Device.user_id == user_id),
            delete(Receipt).where(Receipt.id.startswith(f"{user_id}:", autoescape=True)),
        ):
            deleted += self.session.execute(query).rowcount  # type: ignore[attr-defined]
        return deleted

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

    def count_plays(self, user_id: str) -> int:
        query = select(func.count()).select_from(Play).where(Play.user_id == user_id)
        return int(self.session.scalar(query) or 0)

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
