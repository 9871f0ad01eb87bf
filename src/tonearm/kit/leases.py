"""Leases: one holder at a time for a named piece of work, across processes and nodes.

Kept in the shared database, so every server process (and the CLI) of every node sees the same
holder. A holder renews before `ttl` runs out; a holder that dies loses the lease when it
expires, and the next process to ask takes it over.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import DateTime, String, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, Session, mapped_column, sessionmaker

from tonearm.kit.db import Base, unit_of_work
from tonearm.kit.time import as_utc, utcnow

__all__ = ["Lease", "holder", "release", "take"]


class Lease(Base):
    __tablename__ = "leases"

    name: Mapped[str] = mapped_column(String(128), primary_key=True)
    owner: Mapped[str] = mapped_column(String(128))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


def take(factory: sessionmaker[Session], name: str, owner: str, *, ttl: float, force: bool = False) -> bool:
    """Take or renew the lease; True when `owner` holds it afterwards. `force` takes it from
    whoever holds it (an operator's replay), who finds out at their next renewal."""
    now = utcnow()
    values = {"name": name, "owner": owner, "expires_at": now + timedelta(seconds=ttl)}
    with unit_of_work(factory) as session:
        dialect = session.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        statement = insert(Lease).values(**values)
        free = (Lease.expires_at < now) | (Lease.owner == owner)
        statement = statement.on_conflict_do_update(
            index_elements=["name"],
            set_={"owner": owner, "expires_at": values["expires_at"]},
            where=None if force else free,
        )
        session.execute(statement)
        return session.scalar(select(Lease.owner).where(Lease.name == name)) == owner


def holder(factory: sessionmaker[Session], name: str) -> tuple[str, datetime] | None:
    with factory() as session:
        row = session.get(Lease, name)
        return (row.owner, as_utc(row.expires_at)) if row is not None else None


def release(factory: sessionmaker[Session], name: str, owner: str) -> None:
    with unit_of_work(factory) as session:
        session.execute(delete(Lease).where(Lease.name == name, Lease.owner == owner))
