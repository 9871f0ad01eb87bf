"""listening: plays (personal history) and play_tallies (anonymous daily counts)

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-21 16:23:45.275797
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "play_tallies",
        sa.Column("track_id", sa.String(length=22), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("product", sa.String(length=8), nullable=False),
        sa.Column("plays", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["track_id"], ["tracks.id"], name=op.f("fk_play_tallies_track_id_tracks")),
        sa.PrimaryKeyConstraint("track_id", "day", "country", "product", name=op.f("pk_play_tallies")),
    )
    op.create_table(
        "plays",
        sa.Column("id", sa.String(length=22), nullable=False),
        sa.Column("user_id", sa.String(length=22), nullable=True),
        sa.Column("track_id", sa.String(length=22), nullable=False),
        sa.Column("played_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ms_played", sa.Integer(), nullable=True),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("product", sa.String(length=8), nullable=False),
        sa.Column("client_id", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["oauth_clients.client_id"],
            name=op.f("fk_plays_client_id_oauth_clients"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["track_id"], ["tracks.id"], name=op.f("fk_plays_track_id_tracks"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_plays_user_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plays")),
    )
    with op.batch_alter_table("plays", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_plays_played_at"), ["played_at"], unique=False)
        batch_op.create_index("ix_plays_user_id_played_at", ["user_id", "played_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("plays", schema=None) as batch_op:
        batch_op.drop_index("ix_plays_user_id_played_at")
        batch_op.drop_index(batch_op.f("ix_plays_played_at"))
    op.drop_table("plays")
    op.drop_table("play_tallies")
