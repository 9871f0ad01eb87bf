"""Catalog tables."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tonearm.kit.db import Base
from tonearm.kit.time import utcnow

__all__ = [
    "Album",
    "AlbumArtist",
    "Artist",
    "AudioFeaturesRow",
    "AudioFile",
    "HlsPackageRow",
    "Right",
    "Rightsholder",
    "Track",
    "TrackArtist",
    "TrackSplit",
]

ID = String(22)


class Artist(Base):
    __tablename__ = "artists"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    name: Mapped[str] = mapped_column(String(400), index=True)
    genres: Mapped[list[str]] = mapped_column(JSON, default=list)
    popularity: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Album(Base):
    __tablename__ = "albums"
    __table_args__ = (
        CheckConstraint("album_type in ('album', 'single', 'compilation')", name="album_type"),
        CheckConstraint("release_date_precision in ('year', 'month', 'day')", name="precision"),
    )

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    name: Mapped[str] = mapped_column(String(400), index=True)
    album_type: Mapped[str] = mapped_column(String(16), default="album")
    release_date: Mapped[str] = mapped_column(String(10))
    release_date_precision: Mapped[str] = mapped_column(String(5), default="day")
    label: Mapped[str | None] = mapped_column(String(200))
    popularity: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    artist_links: Mapped[list[AlbumArtist]] = relationship(
        order_by="AlbumArtist.position", cascade="all, delete-orphan", lazy="selectin"
    )


class AlbumArtist(Base):
    __tablename__ = "album_artists"

    album_id: Mapped[str] = mapped_column(ForeignKey("albums.id", ondelete="CASCADE"), primary_key=True)
    artist_id: Mapped[str] = mapped_column(ForeignKey("artists.id"), primary_key=True, index=True)
    position: Mapped[int] = mapped_column(Integer)
    artist: Mapped[Artist] = relationship(lazy="joined")


class Rightsholder(Base):
    """Whom a track's streams pay: a label or a distributor."""

    __tablename__ = "rightsholders"
    __table_args__ = (CheckConstraint("kind in ('label', 'distributor')", name="kind"),)

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    # The name casefolded: one rightsholder per name, however it is written.
    name_key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Track(Base):
    __tablename__ = "tracks"
    __table_args__ = (UniqueConstraint("album_id", "disc_number", "track_number"),)

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    name: Mapped[str] = mapped_column(String(400), index=True)
    album_id: Mapped[str] = mapped_column(ForeignKey("albums.id"), index=True)
    disc_number: Mapped[int] = mapped_column(Integer, default=1)
    track_number: Mapped[int] = mapped_column(Integer)
    duration_ms: Mapped[int] = mapped_column(Integer)
    explicit: Mapped[bool] = mapped_column(Boolean, default=False)
    isrc: Mapped[str | None] = mapped_column(String(12), index=True)
    popularity: Mapped[int] = mapped_column(Integer, default=0)
    # The same master bytes ingested twice make one track.
    master_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    sample_rate: Mapped[int] = mapped_column(Integer)
    samples: Mapped[int] = mapped_column(BigInteger)
    integrated_lufs: Mapped[float] = mapped_column(Float)
    true_peak_dbtp: Mapped[float] = mapped_column(Float)
    # What the demo synthesizer put in, so tempo and key detection can be checked later.
    tempo_bpm: Mapped[float | None] = mapped_column(Float)
    key: Mapped[int | None] = mapped_column(Integer)
    mode: Mapped[int | None] = mapped_column(Integer)
    # No ON DELETE: money is owed to it, so a rightsholder with tracks cannot be deleted.
    rightsholder_id: Mapped[str | None] = mapped_column(ForeignKey("rightsholders.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    album: Mapped[Album] = relationship(lazy="joined")
    artist_links: Mapped[list[TrackArtist]] = relationship(
        order_by="TrackArtist.position", cascade="all, delete-orphan", lazy="selectin"
    )


class TrackArtist(Base):
    __tablename__ = "track_artists"

    track_id: Mapped[str] = mapped_column(ForeignKey("tracks.id", ondelete="CASCADE"), primary_key=True)
    artist_id: Mapped[str] = mapped_column(ForeignKey("artists.id"), primary_key=True, index=True)
    position: Mapped[int] = mapped_column(Integer)
    artist: Mapped[Artist] = relationship(lazy="joined")


class TrackSplit(Base):
    """One party's share of what a track's rightsholder is paid, in basis points (1/100 of a
    percent); a track's splits add up to 10000."""

    __tablename__ = "track_splits"
    __table_args__ = (
        CheckConstraint(
            "role in ('artist', 'producer', 'publisher', 'songwriter', 'label', 'other')", name="role"
        ),
        CheckConstraint("share_bp >= 1 and share_bp <= 10000", name="share_bp"),
    )

    track_id: Mapped[str] = mapped_column(ForeignKey("tracks.id", ondelete="CASCADE"), primary_key=True)
    party: Mapped[str] = mapped_column(String(200), primary_key=True)
    role: Mapped[str] = mapped_column(String(16), primary_key=True)
    share_bp: Mapped[int] = mapped_column(Integer)


class AudioFile(Base):
    __tablename__ = "audio_files"
    __table_args__ = (UniqueConstraint("track_id", "rung"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    track_id: Mapped[str] = mapped_column(ForeignKey("tracks.id", ondelete="CASCADE"), index=True)
    rung: Mapped[str] = mapped_column(String(32))
    codec: Mapped[str] = mapped_column(String(16))
    container: Mapped[str] = mapped_column(String(16))
    bitrate: Mapped[int] = mapped_column(Integer)
    premium: Mapped[bool] = mapped_column(Boolean, default=False)
    sample_rate: Mapped[int] = mapped_column(Integer)
    channels: Mapped[int] = mapped_column(Integer)
    storage_key: Mapped[str] = mapped_column(String(200))
    bytes: Mapped[int] = mapped_column(BigInteger)
    encoder_delay: Mapped[int] = mapped_column(Integer)
    padding: Mapped[int] = mapped_column(Integer)
    samples: Mapped[int] = mapped_column(BigInteger)


class HlsPackageRow(Base):
    """The CMAF/HLS package of a track: a folder of immutable files under one prefix."""

    __tablename__ = "hls_packages"

    track_id: Mapped[str] = mapped_column(ForeignKey("tracks.id", ondelete="CASCADE"), primary_key=True)
    prefix: Mapped[str] = mapped_column(String(200))
    # [{"rung_name", "codec_string", "bandwidth", "playlist", "premium"}]
    variants: Mapped[list[dict[str, object]]] = mapped_column(JSON)
    files: Mapped[list[str]] = mapped_column(JSON)


class Right(Base):
    """Where and when a track may play. territory is ISO 3166-1 alpha-2 or 'WW' (worldwide)."""

    __tablename__ = "rights"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    track_id: Mapped[str] = mapped_column(ForeignKey("tracks.id", ondelete="CASCADE"), index=True)
    territory: Mapped[str] = mapped_column(String(2))
    allowed: Mapped[bool] = mapped_column(Boolean, default=True)
    # Indexed: search replicas ask several times a second which windows just opened or closed.
    valid_from: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    valid_to: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    # An allowance for premium listeners only (a premium-first release window); free listeners
    # see the track restricted with reason "product".
    premium_only: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class AudioFeaturesRow(Base):
    """What the audio analyser found in a track (`tonearm.audio.AudioFeatures`), and which
    analyser found it, so a backfill can redo results of an older one."""

    __tablename__ = "audio_features"

    track_id: Mapped[str] = mapped_column(ForeignKey("tracks.id", ondelete="CASCADE"), primary_key=True)
    analyser: Mapped[str] = mapped_column(String(40), index=True)
    analysed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    tempo: Mapped[float] = mapped_column(Float)
    key: Mapped[int] = mapped_column(Integer)
    mode: Mapped[int] = mapped_column(Integer)
    loudness: Mapped[float] = mapped_column(Float)
    time_signature: Mapped[int] = mapped_column(Integer)
    duration_ms: Mapped[int] = mapped_column(Integer)
    energy: Mapped[float] = mapped_column(Float)
    danceability: Mapped[float] = mapped_column(Float)
    valence: Mapped[float] = mapped_column(Float)
    acousticness: Mapped[float] = mapped_column(Float)
    instrumentalness: Mapped[float] = mapped_column(Float)
    speechiness: Mapped[float] = mapped_column(Float)
    liveness: Mapped[float] = mapped_column(Float)
