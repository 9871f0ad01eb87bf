"""blend: two users' shared playlist, and the tracks of its latest mix with their reasons

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-08 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "blends",
        sa.Column("id", sa.String(length=22), nullable=False),
        sa.Column("inviter_id", sa.String(length=22), nullable=False),
        sa.Column("invitee_id", sa.String(length=22), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("playlist_id", sa.String(length=22), nullable=True),
        sa.Column("left_by", sa.String(length=22), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("refreshed_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('pending', 'active', 'declined', 'ended')", name=op.f("ck_blends_status")
        ),
        sa.CheckConstraint("inviter_id <> invitee_id", name=op.f("ck_blends_two_people")),
        sa.ForeignKeyConstraint(
            ["invitee_id"], ["users.id"], name=op.f("fk_blends_invitee_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["inviter_id"], ["users.id"], name=op.f("fk_blends_inviter_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["playlist_id"],
            ["playlists.id"],
            name=op.f("fk_blends_playlist_id_playlists"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_blends")),
    )
    with op.batch_alter_table("blends", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_blends_invitee_id"), ["invitee_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_blends_inviter_id"), ["inviter_id"], unique=False)
        batch_op.create_index("ix_blends_status_refreshed_at", ["status", "refreshed_at"], unique=False)

    op.create_table(
        "blend_tracks",
        sa.Column("blend_id", sa.String(length=22), nullable=False),
        sa.Column("position", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("track_id", sa.String(length=22), nullable=False),
        sa.Column("reason", sa.String(length=8), nullable=False),
        sa.ForeignKeyConstraint(
            ["blend_id"], ["blends.id"], name=op.f("fk_blend_tracks_blend_id_blends"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["track_id"], ["tracks.id"], name=op.f("fk_blend_tracks_track_id_tracks"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("blend_id", "position", name=op.f("pk_blend_tracks")),
    )


def downgrade() -> None:
    op.drop_table("blend_tracks")
    with op.batch_alter_table("blends", schema=None) as batch_op:
        batch_op.drop_index("ix_blends_status_refreshed_at")
        batch_op.drop_index(batch_op.f("ix_blends_inviter_id"))
        batch_op.drop_index(batch_op.f("ix_blends_invitee_id"))

    op.drop_table("blends")
