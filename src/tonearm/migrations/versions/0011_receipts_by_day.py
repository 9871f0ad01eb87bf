"""playback receipts keyed by the event's day, in one B-tree

The consumer writes a receipt for every playback event. Keyed by message id alone, with an index
on received_at, each one cost inserts into three B-trees (the rows, the key, the index), two of
them at random places; keyed by (day of the event's timestamp, message id) in a table without
rowid it is one insert near the end of the day, and retention deletes whole days.

The receipts on record are not carried over: a resend of an event sent before the upgrade is
then answered `accepted` rather than `duplicate`, and still counts once, since the consumer's
effects are idempotent of themselves (derived play ids, the most played, the counted flag).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 12:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index(op.f("ix_playback_receipts_received_at"), table_name="playback_receipts")
    op.drop_table("playback_receipts")
    op.create_table(
        "playback_receipts",
        sa.Column("day", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("id", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("day", "id", name=op.f("pk_playback_receipts")),
        sqlite_with_rowid=False,
    )


def downgrade() -> None:
    op.drop_table("playback_receipts")
    op.create_table(
        "playback_receipts",
        sa.Column("id", sa.String(length=100), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_playback_receipts")),
    )
    op.create_index(
        op.f("ix_playback_receipts_received_at"), "playback_receipts", ["received_at"], unique=False
    )
