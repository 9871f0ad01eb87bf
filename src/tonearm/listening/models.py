"""Listening tables, all written by the playback consumer from the event log: each user's plays
(personal, kept for a while), the streams they counted per day (personal, for top artists and
tracks), the receipts of events already applied, the devices bound to their users, and the
anonymous daily tallies royalties are paid from (kept for good, with no user in them)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from tonearm.kit.db import Base

__all__ = ["Device", "Play", "PlayTally", "Receipt", "StreamDay"]

ID = String(22)


class Play(Base):
    """One play of a track by a user on a device: from its play.start to its end or skip, with
    the most it played; `counted` once 30 s of it were played (a stream)."""

    __tablename__ = "plays"
    __table_args__ = (
        Index("ix_plays_user_id_played_at", "user_id", "played_at"),
        Index("ix_plays_user_id_track_id_played_at", "user_id", "track_id", "played_at"),
    )

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    # The privacy service deletes a user's plays with the user; SET NULL is the safety net for a
    # user row removed any other way: the play stays anonymous until retention removes it.
    user_id: Mapped[str | None] = mapped_column(ID, ForeignKey("users.id", ondelete="SET NULL"))
    track_id: Mapped[str] = mapped_column(ID, ForeignKey("tracks.id", ondelete="CASCADE"))
    # Whole milliseconds, so the recently-played cursors (unix ms) name a play exactly.
    played_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    ms_played: Mapped[int | None] = mapped_column(Integer)
    country: Mapped[str] = mapped_column(String(2))
    product: Mapped[str] = mapped_column(String(8))
    client_id: Mapped[str | None] = mapped_column(
        String(32), ForeignKey("oauth_clients.client_id", ondelete="SET NULL")
    )
    device_id: Mapped[str | None] = mapped_column(String(64))
    context_uri: Mapped[str | None] = mapped_column(String(200))
    counted: Mapped[bool] = mapped_column(Boolean, default=False)
    offline: Mapped[bool] = mapped_column(Boolean, default=False)


class PlayTally(Base):
    """How often a track was started on one UTC day, in one country, on one product."""

    __tablename__ = "play_tallies"

    # No ON DELETE: a track that royalties are owed on cannot vanish with its counts.
    track_id: Mapped[str] = mapped_column(ID, ForeignKey("tracks.id"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    country: Mapped[str] = mapped_column(String(2), primary_key=True)
    product: Mapped[str] = mapped_column(String(8), primary_key=True)
    # Counted streams (30 s or more of a play), by the day the play started.
    plays: Mapped[int] = mapped_column(Integer, default=0)


class StreamDay(Base):
    """How many streams of a track a user counted on one UTC day: what top tracks and artists are
    ranked by over Spotify's time ranges, kept as long as the account."""

    __tablename__ = "stream_days"

    user_id: Mapped[str] = mapped_column(ID, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    track_id: Mapped[str] = mapped_column(ID, ForeignKey("tracks.id", ondelete="CASCADE"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    streams: Mapped[int] = mapped_column(Integer, default=0)


class Receipt(Base):
    """A playback event the consumer applied, by the UTC day of its timestamp and its log message
    id (user:event_id): a resend found here is a duplicate, however late it comes. Kept past the
    30 days a client may hold an offline event, then deleted a day at a time.

    Keyed by day first, in one B-tree (no rowid, no second index): receipts are written for every
    event, and this way a write is one insert near the end of its day, and the retention job
    deletes a range."""

    __tablename__ = "playback_receipts"
    __table_args__ = {"sqlite_with_rowid": False}

    # Days since 1970-01-01 (kit.time.unix_day) of the event's own timestamp.
    day: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    id: Mapped[str] = mapped_column(String(100), primary_key=True)


class Device(Base):
    """A client device id, bound to the first user who sent events from it: another user's
    events from the same id are refused."""

    __tablename__ = "listening_devices"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(ID, ForeignKey("users.id", ondelete="CASCADE"), index=True)
    first_seen: Mapped[datetime] = mapped_column(DateTime(timezone=True))
