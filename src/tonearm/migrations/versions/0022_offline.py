"""offline: devices with their public keys, licences, the tracks on each device, revocations,
and the tracks whose rights changed

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-08 02:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None

ID = sa.String(length=22)


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    """A foreign key that goes with the row it names (ON DELETE CASCADE)."""
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}"), ondelete="CASCADE"
    )


def _device_fk(table: str) -> sa.ForeignKeyConstraint:
    return _fk(table, "device_id", "offline_devices")


def upgrade() -> None:
    op.create_table(
        "offline_devices",
        sa.Column("id", ID, nullable=False),
        sa.Column("user_id", ID, nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("public_key", sa.LargeBinary(), nullable=False),
        sa.Column("key_fingerprint", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_check_in_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("full_check_at", sa.DateTime(timezone=True), nullable=True),
        _fk("offline_devices", "user_id", "users"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_offline_devices")),
        sa.UniqueConstraint("user_id", "key_fingerprint", name=op.f("uq_offline_devices_user_id")),
    )
    op.create_index(op.f("ix_offline_devices_user_id"), "offline_devices", ["user_id"], unique=False)
    op.create_table(
        "offline_licences",
        sa.Column("id", ID, nullable=False),
        sa.Column("device_id", ID, nullable=False),
        sa.Column("user_id", ID, nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("item_id", ID, nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        _device_fk("offline_licences"),
        _fk("offline_licences", "user_id", "users"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_offline_licences")),
        sa.UniqueConstraint("device_id", "kind", "item_id", name=op.f("uq_offline_licences_device_id")),
    )
    op.create_index(op.f("ix_offline_licences_user_id"), "offline_licences", ["user_id"], unique=False)
    op.create_table(
        "offline_licence_tracks",
        sa.Column("licence_id", ID, nullable=False),
        sa.Column("track_id", ID, nullable=False),
        sa.Column("device_id", ID, nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        _device_fk("offline_licence_tracks"),
        _fk("offline_licence_tracks", "licence_id", "offline_licences"),
        sa.PrimaryKeyConstraint("licence_id", "track_id", name=op.f("pk_offline_licence_tracks")),
    )
    op.create_index(
        "ix_offline_licence_tracks_device_id_track_id",
        "offline_licence_tracks",
        ["device_id", "track_id"],
        unique=False,
    )
    op.create_table(
        "offline_tracks",
        sa.Column("device_id", ID, nullable=False),
        sa.Column("track_id", ID, nullable=False),
        sa.Column("content_key", sa.LargeBinary(), nullable=False),
        sa.Column("wrapped_key", sa.LargeBinary(), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_played_at", sa.DateTime(timezone=True), nullable=True),
        _device_fk("offline_tracks"),
        sa.PrimaryKeyConstraint("device_id", "track_id", name=op.f("pk_offline_tracks")),
    )
    op.create_index("ix_offline_tracks_track_id", "offline_tracks", ["track_id"], unique=False)
    op.create_table(
        "offline_revocations",
        sa.Column("device_id", ID, nullable=False),
        sa.Column("track_id", ID, nullable=False),
        sa.Column("reason", sa.String(length=20), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=False),
        _device_fk("offline_revocations"),
        sa.PrimaryKeyConstraint("device_id", "track_id", name=op.f("pk_offline_revocations")),
    )
    op.create_table(
        "offline_rights_changes",
        sa.Column("track_id", ID, nullable=False),
        sa.Column("noted_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("track_id", name=op.f("pk_offline_rights_changes")),
    )


def downgrade() -> None:
    op.drop_table("offline_rights_changes")
    op.drop_table("offline_revocations")
    op.drop_index("ix_offline_tracks_track_id", table_name="offline_tracks")
    op.drop_table("offline_tracks")
    op.drop_index("ix_offline_licence_tracks_device_id_track_id", table_name="offline_licence_tracks")
    op.drop_table("offline_licence_tracks")
    op.drop_index(op.f("ix_offline_licences_user_id"), table_name="offline_licences")
    op.drop_table("offline_licences")
    op.drop_index(op.f("ix_offline_devices_user_id"), table_name="offline_devices")
    op.drop_table("offline_devices")
