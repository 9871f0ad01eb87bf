"""playback events: plays gain device, context, counted and offline; stream_days,
playback_receipts and listening_devices

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 04:45:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("plays", schema=None) as batch_op:
        batch_op.add_column(sa.Column("device_id", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("context_uri", sa.String(length=200), nullable=True))
        # Plays recorded before playback events were each counted when they started.
        batch_op.add_column(sa.Column("counted", sa.Boolean(), nullable=False, server_default=sa.true()))
        batch_op.add_column(sa.Column("offline", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.create_index(
            "ix_plays_user_id_track_id_played_at", ["user_id", "track_id", "played_at"], unique=False
        )
    op.create_table(
        "stream_days",
        sa.Column("user_id", sa.String(length=22), nullable=False),
        sa.Column("track_id", sa.String(length=22), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("streams", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_stream_days_user_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["track_id"], ["tracks.id"], name=op.f("fk_stream_days_track_id_tracks"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", "track_id", "day", name=op.f("pk_stream_days")),
    )
    op.create_table(
        "playback_receipts",
        sa.Column("id", sa.String(length=100), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_playback_receipts")),
    )
    op.create_index(
        op.f("ix_playback_receipts_received_at"), "playback_receipts", ["received_at"], unique=False
    )
    op.create_table(
        "listening_devices",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.String(length=22), nullable=False),
        sa.Column("first_seen", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_listening_devices_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_listening_devices")),
    )
    op.create_index(op.f("ix_listening_devices_user_id"), "listening_devices", ["user_id"], unique=False)


def downgrade() -> None:
    op.drop_table("listening_devices")
    op.drop_table("playback_receipts")
    op.drop_table("stream_days")
    with op.batch_alter_table("plays", schema=None) as batch_op:
        batch_op.drop_index("ix_plays_user_id_track_id_played_at")
        for column in ("offline", "counted", "context_uri", "device_id"):
            batch_op.drop_column(column)
