"""Offline queries: devices, licences, the tracks on each device and their revocations."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.orm import Session

from tonearm.offline.models import (
    OfflineDevice,
    OfflineLicence,
    OfflineLicenceTrack,
    OfflineRevocation,
    OfflineRightsChange,
    OfflineTrack,
)

__all__ = ["OfflineRepository", "StoredKey"]

# Bound parameters per statement: far under SQLite's and PostgreSQL's limits.
_CHUNK = 900

StoredKey = tuple[bytes, bytes]  # content key, wrapped key


def _chunks(values: Sequence[str]) -> Iterable[Sequence[str]]:
    for start in range(0, len(values), _CHUNK):
        yield values[start : start + _CHUNK]


class OfflineRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    # ---- devices ----

    def add(self, row: OfflineDevice | OfflineLicence) -> None:
        self.session.add(row)
        self.session.flush()

    def device(self, device_id: str) -> OfflineDevice | None:
        return self.session.get(OfflineDevice, device_id)

    def devices_of(self, user_id: str) -> list[OfflineDevice]:
        query = select(OfflineDevice).where(OfflineDevice.user_id == user_id)
        return list(self.session.scalars(query.order_by(OfflineDevice.created_at, OfflineDevice.id)))

    def device_by_key(self, user_id: str, key_fingerprint: str) -> OfflineDevice | None:
        query = select(OfflineDevice).where(
            OfflineDevice.user_id == user_id, OfflineDevice.key_fingerprint == key_fingerprint
        )
        return self.session.scalars(query).first()

    def delete_device(self, device_id: str) -> None:
        for table in (OfflineRevocation, OfflineTrack, OfflineLicenceTrack, OfflineLicence):
            self.session.execute(delete(table).where(table.device_id == device_id))
        self.session.execute(delete(OfflineDevice).where(OfflineDevice.id == device_id))

    def checked_in(self, device_id: str, at: datetime) -> None:
        self.session.execute(
            update(OfflineDevice).where(OfflineDevice.id == device_id).values(last_check_in_at=at)
        )

    def track_counts(self, device_ids: Sequence[str]) -> dict[str, int]:
        query = (
            select(OfflineTrack.device_id, func.count())
            .where(OfflineTrack.device_id.in_(device_ids))
            .group_by(OfflineTrack.device_id)
        )
        return {device_id: int(count) for device_id, count in self.session.execute(query)}

    # ---- licences ----

    def licence(self, licence_id: str) -> OfflineLicence | None:
        return self.session.get(OfflineLicence, licence_id)

    def licence_for(self, device_id: str, kind: str, item_id: str) -> OfflineLicence | None:
        query = select(OfflineLicence).where(
            OfflineLicence.device_id == device_id,
            OfflineLicence.kind == kind,
            OfflineLicence.item_id == item_id,
        )
        return self.session.scalars(query).first()

    def licences_of(self, device_id: str) -> list[OfflineLicence]:
        query = select(OfflineLicence).where(OfflineLicence.device_id == device_id)
        return list(self.session.scalars(query.order_by(OfflineLicence.issued_at, OfflineLicence.id)))

    def licensed_tracks(self, licence_ids: Sequence[str]) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {licence_id: [] for licence_id in licence_ids}
        query = (
            select(OfflineLicenceTrack.licence_id, OfflineLicenceTrack.track_id)
            .where(OfflineLicenceTrack.licence_id.in_(licence_ids))
            .order_by(OfflineLicenceTrack.licence_id, OfflineLicenceTrack.position)
        )
        for licence_id, track_id in self.session.execute(query):
            found[licence_id].append(track_id)
        return found

    def licence_sizes(self, licence_ids: Sequence[str]) -> dict[str, int]:
        query = (
            select(OfflineLicenceTrack.licence_id, func.count())
            .where(OfflineLicenceTrack.licence_id.in_(licence_ids))
            .group_by(OfflineLicenceTrack.licence_id)
        )
        return {licence_id: int(count) for licence_id, count in self.session.execute(query)}

    def set_licensed_tracks(self, licence: OfflineLicence, track_ids: Sequence[str]) -> None:
        self.session.execute(delete(OfflineLicenceTrack).where(OfflineLicenceTrack.licence_id == licence.id))
        rows = [
            {"licence_id": licence.id, "track_id": track_id, "device_id": licence.device_id, "position": at}
            for at, track_id in enumerate(track_ids)
        ]
        if rows:
            self.session.execute(insert(OfflineLicenceTrack), rows)

    def licence_expiries(self, device_id: str, track_id: str) -> list[datetime]:
        """When each of the device's licences naming the track runs out."""
        query = (
            select(OfflineLicence.expires_at)
            .join(OfflineLicenceTrack, OfflineLicenceTrack.licence_id == OfflineLicence.id)
            .where(OfflineLicenceTrack.device_id == device_id, OfflineLicenceTrack.track_id == track_id)
        )
        return list(self.session.scalars(query))

    def renew(self, licence_ids: Sequence[str], expires_at: datetime) -> None:
        """Bulk, without touching the session's objects (the caller knows the new expiry)."""
        for chunk in _chunks(licence_ids):
            statement = (
                update(OfflineLicence).where(OfflineLicence.id.in_(chunk)).values(expires_at=expires_at)
            )
            self.session.execute(statement.execution_options(synchronize_session=False))

    def delete_licence(self, licence_id: str) -> None:
        self.session.execute(delete(OfflineLicenceTrack).where(OfflineLicenceTrack.licence_id == licence_id))
        self.session.execute(delete(OfflineLicence).where(OfflineLicence.id == licence_id))

    # ---- tracks on a device ----

    def track_ids(self, device_id: str) -> list[str]:
        query = select(OfflineTrack.track_id).where(OfflineTrack.device_id == device_id)
        return list(self.session.scalars(query))

    def key_of(self, device_id: str, track_id: str) -> StoredKey | None:
        query = select(OfflineTrack.content_key, OfflineTrack.wrapped_key).where(
            OfflineTrack.device_id == device_id, OfflineTrack.track_id == track_id
        )
        row = self.session.execute(query).first()
        return (row[0], row[1]) if row else None

    def add_tracks(self, rows: Sequence[dict[str, Any]]) -> None:
        """Bulk: device_id, track_id, content_key, wrapped_key, added_at, last_played_at."""
        if rows:
            self.session.execute(insert(OfflineTrack), list(rows))

    def least_recently_played(self, device_id: str, count: int) -> list[str]:
        """The device's tracks longest unplayed first (never played counts from when it came)."""
        recency = func.coalesce(OfflineTrack.last_played_at, OfflineTrack.added_at)
        query = (
            select(OfflineTrack.track_id)
            .where(OfflineTrack.device_id == device_id)
            .order_by(recency, OfflineTrack.added_at, OfflineTrack.track_id)
            .limit(count)
        )
        return list(self.session.scalars(query))

    def orphans(self, device_id: str) -> list[str]:
        """The device's tracks no licence of it names any more."""
        named = select(OfflineLicenceTrack.track_id).where(OfflineLicenceTrack.device_id == device_id)
        query = select(OfflineTrack.track_id).where(
            OfflineTrack.device_id == device_id, OfflineTrack.track_id.not_in(named)
        )
        return list(self.session.scalars(query))

    def remove_tracks(self, device_id: str, track_ids: Sequence[str]) -> None:
        for chunk in _chunks(track_ids):
            for table in (OfflineLicenceTrack, OfflineTrack):
                self.session.execute(
                    delete(table).where(table.device_id == device_id, table.track_id.in_(chunk))
                )

    def played(self, user_id: str, track_id: str, at: datetime) -> None:
        """The listener played the track at `at`: newer than what each of their devices knew."""
        devices = select(OfflineDevice.id).where(OfflineDevice.user_id == user_id)
        self.session.execute(
            update(OfflineTrack)
            .where(
                OfflineTrack.device_id.in_(devices),
                OfflineTrack.track_id == track_id,
                (OfflineTrack.last_played_at.is_(None)) | (OfflineTrack.last_played_at < at),
            )
            .values(last_played_at=at)
        )

    def users_with_devices(self, user_ids: Sequence[str]) -> set[str]:
        query = select(OfflineDevice.user_id).where(OfflineDevice.user_id.in_(user_ids)).distinct()
        return set(self.session.scalars(query))

    def changed_held(self, device_id: str, since: datetime) -> list[str]:
        """The device's tracks whose rights changed since `since` (as the catalog topic said)."""
        query = (
            select(OfflineTrack.track_id)
            .join(OfflineRightsChange, OfflineRightsChange.track_id == OfflineTrack.track_id)
            .where(OfflineTrack.device_id == device_id, OfflineRightsChange.noted_at >= since)
        )
        return list(self.session.scalars(query))

    def note_rights_changed(self, track_ids: Sequence[str], at: datetime, *, forget_before: datetime) -> None:
        unique = list(dict.fromkeys(track_ids))
        for chunk in _chunks(unique):
            self.session.execute(delete(OfflineRightsChange).where(OfflineRightsChange.track_id.in_(chunk)))
        self.session.execute(insert(OfflineRightsChange), [{"track_id": t, "noted_at": at} for t in unique])
        self.session.execute(delete(OfflineRightsChange).where(OfflineRightsChange.noted_at < forget_before))

    def forget_rights_changes(self) -> None:
        self.session.execute(delete(OfflineRightsChange))

    # ---- revocations ----

    def revoke(self, device_id: str, reasons: dict[str, str], at: datetime) -> None:
        """Record why each track left the device (replacing an older record of the same track)."""
        self.forget_revocations(device_id, list(reasons))
        rows = [
            {"device_id": device_id, "track_id": track_id, "reason": reason, "revoked_at": at}
            for track_id, reason in reasons.items()
        ]
        if rows:
            self.session.execute(insert(OfflineRevocation), rows)

    def forget_revocations(self, device_id: str, track_ids: Sequence[str]) -> None:
        for chunk in _chunks(track_ids):
            self.session.execute(
                delete(OfflineRevocation).where(
                    OfflineRevocation.device_id == device_id, OfflineRevocation.track_id.in_(chunk)
                )
            )

    def revocations(self, device_id: str) -> list[OfflineRevocation]:
        query = select(OfflineRevocation).where(OfflineRevocation.device_id == device_id)
        return list(
            self.session.scalars(query.order_by(OfflineRevocation.revoked_at, OfflineRevocation.track_id))
        )

    def drop_revocations_before(self, device_id: str, moment: datetime) -> None:
        self.session.execute(
            delete(OfflineRevocation).where(
                OfflineRevocation.device_id == device_id, OfflineRevocation.revoked_at < moment
            )
        )

    # ---- personal data ----

    def tracks_of_user(self, user_id: str) -> list[tuple[str, str, datetime, datetime | None]]:
        query = (
            select(
                OfflineTrack.device_id,
                OfflineTrack.track_id,
                OfflineTrack.added_at,
                OfflineTrack.last_played_at,
            )
            .join(OfflineDevice, OfflineDevice.id == OfflineTrack.device_id)
            .where(OfflineDevice.user_id == user_id)
            .order_by(OfflineTrack.device_id, OfflineTrack.added_at, OfflineTrack.track_id)
        )
        return [(row[0], row[1], row[2], row[3]) for row in self.session.execute(query)]

    def licences_of_user(self, user_id: str) -> list[OfflineLicence]:
        query = select(OfflineLicence).where(OfflineLicence.user_id == user_id)
        return list(self.session.scalars(query.order_by(OfflineLicence.issued_at, OfflineLicence.id)))

    def erase(self, user_id: str) -> int:
        removed = 0
        for device in self.devices_of(user_id):
            removed += 1 + len(self.track_ids(device.id))
            self.delete_device(device.id)
        return removed
