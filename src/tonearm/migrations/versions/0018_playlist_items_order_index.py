"""playlist items: the order index includes the id that breaks ties between equal ranks

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07 12:50:00
"""

from __future__ import annotations

from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_playlist_items_playlist_id_rank_id", "playlist_items", ["playlist_id", "rank", "id"], unique=False
    )
    op.drop_index("ix_playlist_items_playlist_id_rank", table_name="playlist_items")


def downgrade() -> None:
    op.create_index(
        "ix_playlist_items_playlist_id_rank", "playlist_items", ["playlist_id", "rank"], unique=False
    )
    op.drop_index("ix_playlist_items_playlist_id_rank_id", table_name="playlist_items")
