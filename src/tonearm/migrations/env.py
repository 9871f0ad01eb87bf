"""Alembic environment: runs on the connection handed in by tonearm.kit.db.migrate."""

from __future__ import annotations

import importlib.util

from alembic import context
from sqlalchemy import Connection, create_engine

import tonearm.kit.leases
import tonearm.kit.outbox  # noqa: F401
from tonearm.domains import DOMAINS
from tonearm.kit.db import Base

# Every registered domain's tables, so a new domain needs no line here.
for _domain in DOMAINS:
    if importlib.util.find_spec(f"tonearm.{_domain}.models") is not None:
        importlib.import_module(f"tonearm.{_domain}.models")

target_metadata = Base.metadata


def run() -> None:
    connection = context.config.attributes.get("connection")
    if connection is None:
        url = context.config.get_main_option("sqlalchemy.url") or "sqlite:///var/tonearm.db"
        with create_engine(url).connect() as fresh:
            _migrate(fresh)
            fresh.commit()
        return
    _migrate(connection)


def _migrate(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run()
