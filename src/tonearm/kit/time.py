"""Time in one place, always timezone-aware UTC."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

__all__ = ["EPOCH", "as_utc", "from_unix_ms", "iso_ms", "unix_day", "unix_ms", "utcnow"]

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_ONE_MS = timedelta(milliseconds=1)


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; every one we store is UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def unix_ms(moment: datetime) -> int:
    return (as_utc(moment) - EPOCH) // _ONE_MS


def from_unix_ms(milliseconds: int) -> datetime:
    return EPOCH + milliseconds * _ONE_MS


def unix_day(moment: datetime) -> int:
    """Whole days since 1970-01-01 in UTC: a day as a small integer key."""
    return (as_utc(moment) - EPOCH).days


def iso_ms(moment: datetime) -> str:
    """ISO 8601 in UTC to the millisecond, with a Z: 2024-05-01T12:30:00.250Z."""
    if moment.tzinfo is not UTC:
        moment = as_utc(moment).astimezone(UTC)
    # isoformat of a UTC time ends in +00:00 (6 characters); this is on every event's path.
    return moment.isoformat(timespec="milliseconds")[:-6] + "Z"
