"""social: each user's latest play as friends see it, and the private-session switch

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 11:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "social_settings",
        sa.Column("user_id", sa.String(length=22), nullable=False),
        sa.Column("private_session", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_social_settings_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_social_settings")),
    )
    op.create_table(
        "social_latest_plays",
        sa.Column("user_id", sa.String(length=22), nullable=False),
        sa.Column("track_id", sa.String(length=22), nullable=False),
        sa.Column("context_uri", sa.String(length=200), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("playing", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["track_id"],
            ["tracks.id"],
            name=op.f("fk_social_latest_plays_track_id_tracks"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_social_latest_plays_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_social_latest_plays")),
    )


def downgrade() -> None:
    op.drop_table("social_latest_plays")
    op.drop_table("social_settings")
