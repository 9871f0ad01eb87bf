"""Recommendation tables: the trained models (their files live in the blob store), each user's
made-for-you lists (their playlist and every pick with its reasons), onboarding picks and radio
stations."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Float, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from tonearm.kit.db import Base
from tonearm.kit.time import utcnow

__all__ = ["MadeForYou", "Onboarding", "Pick", "Station", "StationTrack", "TrainedModel"]

ID = String(22)


class TrainedModel(Base):
    __tablename__ = "recs_models"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    trained_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    blob_key: Mapped[str] = mapped_column(String(200))
    users: Mapped[int] = mapped_column(Integer)
    items: Mapped[int] = mapped_column(Integer)
    interactions: Mapped[int] = mapped_column(Integer)
    # Streams and skips it learnt from: a model is due again only once there are others.
    plays: Mapped[int] = mapped_column(Integer, default=0)
    seconds: Mapped[float] = mapped_column(Float)


class MadeForYou(Base):
    """One of a user's lists (Discover Weekly, Release Radar, a Daily Mix) and its playlist."""

    __tablename__ = "recs_lists"

    user_id: Mapped[str] = mapped_column(ID, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    product: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(String(300), default="")
    playlist_id: Mapped[str | None] = mapped_column(ID, ForeignKey("playlists.id", ondelete="SET NULL"))
    built_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    model_id: Mapped[str | None] = mapped_column(ID)


class Pick(Base):
    __tablename__ = "recs_picks"

    user_id: Mapped[str] = mapped_column(ID, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    track_id: Mapped[str] = mapped_column(ID, ForeignKey("tracks.id", ondelete="CASCADE"))
    reasons: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)


class Onboarding(Base):
    """An artist the user picked when they started: their taste before they have played."""

    __tablename__ = "recs_onboarding"

    user_id: Mapped[str] = mapped_column(ID, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    artist_id: Mapped[str] = mapped_column(ID, ForeignKey("artists.id", ondelete="CASCADE"), primary_key=True)
    picked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Station(Base):
    __tablename__ = "recs_stations"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    user_id: Mapped[str] = mapped_column(ID, ForeignKey("users.id", ondelete="CASCADE"), index=True)
    seed_uri: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class StationTrack(Base):
    __tablename__ = "recs_station_tracks"

    station_id: Mapped[str] = mapped_column(
        ID, ForeignKey("recs_stations.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    track_id: Mapped[str] = mapped_column(ID, ForeignKey("tracks.id", ondelete="CASCADE"))
    reasons: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
