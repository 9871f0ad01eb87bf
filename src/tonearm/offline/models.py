"""Offline downloads: a user's devices (each with its public key), the licences each holds, the
tracks on each device (with the device's content key for each), and what was revoked from it.

Track ids are the catalog's, without a foreign key: a device's list may name a track the
catalog no longer has (it is revoked at the next check-in), and the domain stays apart."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tonearm.kit.db import Base

__all__ = [
    "OfflineDevice",
    "OfflineLicence",
    "OfflineLicenceTrack",
    "OfflineRevocation",
    "OfflineRightsChange",
    "OfflineTrack",
]

ID = String(22)


class OfflineDevice(Base):
    __tablename__ = "offline_devices"
    __table_args__ = (UniqueConstraint("user_id", "key_fingerprint"),)

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    user_id: Mapped[str] = mapped_column(ID, ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    # DER SubjectPublicKeyInfo of the device's RSA-OAEP key; its private key never leaves it.
    public_key: Mapped[bytes] = mapped_column(LargeBinary)
    key_fingerprint: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_check_in_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # When a check-in last re-read the playability of every track the device holds (once a
    # day; between, only the tracks the catalog topic named are read again).
    full_check_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class OfflineLicence(Base):
    """The right to hold a track, album or playlist on one device until `expires_at`; asking
    again (or checking in) renews it."""

    __tablename__ = "offline_licences"
    __table_args__ = (UniqueConstraint("device_id", "kind", "item_id"),)

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    device_id: Mapped[str] = mapped_column(ID, ForeignKey("offline_devices.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(ID, ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10))  # track, album, playlist
    item_id: Mapped[str] = mapped_column(ID)
    issued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class OfflineLicenceTrack(Base):
    __tablename__ = "offline_licence_tracks"
    __table_args__ = (Index("ix_offline_licence_tracks_device_id_track_id", "device_id", "track_id"),)

    licence_id: Mapped[str] = mapped_column(
        ID, ForeignKey("offline_licences.id", ondelete="CASCADE"), primary_key=True
    )
    track_id: Mapped[str] = mapped_column(ID, primary_key=True)
    # The licence's device, again: what a track's licences on one device are found by.
    device_id: Mapped[str] = mapped_column(ID, ForeignKey("offline_devices.id", ondelete="CASCADE"))
    # Where the track is in the item (an album's or a playlist's order).
    position: Mapped[int] = mapped_column(Integer)


class OfflineTrack(Base):
    """A track on a device: at most 10,000 per device, the least recently played evicted first."""

    __tablename__ = "offline_tracks"
    __table_args__ = (Index("ix_offline_tracks_track_id", "track_id"),)

    device_id: Mapped[str] = mapped_column(
        ID, ForeignKey("offline_devices.id", ondelete="CASCADE"), primary_key=True
    )
    track_id: Mapped[str] = mapped_column(ID, primary_key=True)
    # The AES-256-GCM key of this track's files on this device, and the same key wrapped with
    # the device's public key (made once, so a file downloaded twice is the same bytes).
    content_key: Mapped[bytes] = mapped_column(LargeBinary)
    wrapped_key: Mapped[bytes] = mapped_column(LargeBinary)
    added_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # The listener's latest play of it (on any device, offline or not), from the playback topic.
    last_played_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class OfflineRevocation(Base):
    """A track taken off a device (taken down, not playable here, evicted, the account no
    longer premium): told at every check-in for 30 days, or until it is licensed again."""

    __tablename__ = "offline_revocations"

    device_id: Mapped[str] = mapped_column(
        ID, ForeignKey("offline_devices.id", ondelete="CASCADE"), primary_key=True
    )
    track_id: Mapped[str] = mapped_column(ID, primary_key=True)
    reason: Mapped[str] = mapped_column(String(20))
    revoked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class OfflineRightsChange(Base):
    """A track the catalog topic said was taken down or had its rights changed, and when that
    was noted here: what a check-in between two full checks reads again."""

    __tablename__ = "offline_rights_changes"

    track_id: Mapped[str] = mapped_column(ID, primary_key=True)
    noted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
