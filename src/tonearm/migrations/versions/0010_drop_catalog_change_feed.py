"""the catalog change feed moves onto the event log: catalog_changes goes

Search replicas follow the log's catalog topic now, each from the offset in its own cursor, so
the table is no longer read or written. A replica built before this revision rebuilds itself
(the index's schema version went up with it), so no row needs carrying over.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_table("catalog_changes")


def downgrade() -> None:
    # Empty again: the changes made meanwhile are on the log, not here.
    op.create_table(
        "catalog_changes",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("entity_id", sa.String(length=22), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_catalog_changes")),
    )
