"""playlist covers uploaded by their owners, and share links

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 12:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "playlist_covers",
        sa.Column("playlist_id", sa.String(length=22), nullable=False),
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("jpeg", sa.LargeBinary(), nullable=False),
        sa.Column("uploaded_by", sa.String(length=22), nullable=True),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["playlist_id"],
            ["playlists.id"],
            name=op.f("fk_playlist_covers_playlist_id_playlists"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by"],
            ["users.id"],
            name=op.f("fk_playlist_covers_uploaded_by_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("playlist_id", name=op.f("pk_playlist_covers")),
    )
    op.create_table(
        "share_links",
        sa.Column("id", sa.String(length=22), nullable=False),
        sa.Column("user_id", sa.String(length=22), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("item_id", sa.String(length=22), nullable=False),
        sa.Column("market", sa.String(length=2), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_share_links_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_share_links")),
    )
    op.create_index(
        "ix_share_links_user_id_created_at", "share_links", ["user_id", "created_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_share_links_user_id_created_at", table_name="share_links")
    op.drop_table("share_links")
    op.drop_table("playlist_covers")
