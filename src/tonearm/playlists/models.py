"""Playlist tables: the playlist, its items in order, every edit it went through (its history),
and who follows it.

Items are ordered by `rank`, a fractional order key, so an insert or a move writes only the rows
it touches. The history keeps each edit's change (what was added, removed and moved, with the
items themselves), not a copy of the list: it grows with the edits, not with edits × length.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, DateTime, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tonearm.kit.db import Base
from tonearm.kit.time import utcnow

__all__ = ["OwnerSettings", "Playlist", "PlaylistCover", "PlaylistEdit", "PlaylistFollower", "PlaylistItem"]

ID = String(22)
# Order keys compare byte by byte; PostgreSQL's default collation would not.
RANK = String(200).with_variant(String(200, collation="C"), "postgresql")


class Playlist(Base):
    __tablename__ = "playlists"
    __table_args__ = (Index("ix_playlists_owner_id_created_at", "owner_id", "created_at"),)

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    # None once its owner was erased and chose to leave their public playlists to nobody.
    owner_id: Mapped[str | None] = mapped_column(ID, ForeignKey("users.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(String(300), default="")
    public: Mapped[bool] = mapped_column(Boolean, default=True)
    collaborative: Mapped[bool] = mapped_column(Boolean, default=False)
    # The number of edits so far; the current snapshot is the edit with this version.
    version: Mapped[int] = mapped_column(Integer, default=0)
    snapshot_id: Mapped[str] = mapped_column(String(40))
    item_count: Mapped[int] = mapped_column(Integer, default=0)
    # The uploaded cover's content key (it names the cover's URL); none shows the mosaic.
    cover_key: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class PlaylistItem(Base):
    __tablename__ = "playlist_items"
    # With the id: items are read in (rank, id) order, and an index without the tie-breaker
    # leaves SQLite sorting every item of a page's playlist (12 ms at 10,000 items, not 1 ms).
    __table_args__ = (Index("ix_playlist_items_playlist_id_rank_id", "playlist_id", "rank", "id"),)

    playlist_id: Mapped[str] = mapped_column(
        ID, ForeignKey("playlists.id", ondelete="CASCADE"), primary_key=True
    )
    # One per addition: the same track added twice is two items.
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    rank: Mapped[str] = mapped_column(RANK)
    track_id: Mapped[str] = mapped_column(ID, ForeignKey("tracks.id", ondelete="CASCADE"), index=True)
    added_by: Mapped[str | None] = mapped_column(ID, ForeignKey("users.id", ondelete="SET NULL"))
    # Unix milliseconds: a whole playlist's state is read back for stale edits and history, and
    # 10,000 datetimes cost more to parse than the rest of the rows.
    added_at: Mapped[int] = mapped_column(BigInteger)


class PlaylistEdit(Base):
    """One version of a playlist: who changed what, when; `change` is the JSON of a `Change`."""

    __tablename__ = "playlist_edits"
    __table_args__ = (
        Index("ix_playlist_edits_playlist_id_snapshot_id", "playlist_id", "snapshot_id", unique=True),
    )

    playlist_id: Mapped[str] = mapped_column(
        ID, ForeignKey("playlists.id", ondelete="CASCADE"), primary_key=True
    )
    version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    snapshot_id: Mapped[str] = mapped_column(String(40))
    user_id: Mapped[str | None] = mapped_column(ID, ForeignKey("users.id", ondelete="SET NULL"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    kind: Mapped[str] = mapped_column(String(20))
    change: Mapped[str] = mapped_column(Text)


class PlaylistFollower(Base):
    """A user who follows a playlist; on a collaborative playlist, one who may edit it. The owner
    follows their own playlists, as on Spotify."""

    __tablename__ = "playlist_followers"

    playlist_id: Mapped[str] = mapped_column(
        ID, ForeignKey("playlists.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[str] = mapped_column(
        ID, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    followed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # Shown on the user's profile (Spotify's `public` flag of a follow).
    public: Mapped[bool] = mapped_column(Boolean, default=True)


class PlaylistCover(Base):
    """An uploaded cover (at most 256 KB): kept with the playlist, so it goes with it, erasure
    included, on every database, with no blob to clean up after."""

    __tablename__ = "playlist_covers"

    playlist_id: Mapped[str] = mapped_column(
        ID, ForeignKey("playlists.id", ondelete="CASCADE"), primary_key=True
    )
    key: Mapped[str] = mapped_column(String(40))
    jpeg: Mapped[bytes] = mapped_column(LargeBinary)
    uploaded_by: Mapped[str | None] = mapped_column(ID, ForeignKey("users.id", ondelete="SET NULL"))
    uploaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class OwnerSettings(Base):
    """What an owner chose for their playlists: on erasure, whether their public playlists go
    with them ("erase") or stay, owned by nobody ("keep")."""

    __tablename__ = "playlist_owner_settings"

    user_id: Mapped[str] = mapped_column(ID, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    public_on_erasure: Mapped[str] = mapped_column(String(8), default="erase")
