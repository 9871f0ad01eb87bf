"""playlists left to nobody: an owner may be gone; each owner's choice for their public
playlists when they are erased

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07 12:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # SQLite cannot alter a column in place: batch mode copies the table.
    with op.batch_alter_table("playlists") as batch:
        batch.alter_column("owner_id", existing_type=sa.String(length=22), nullable=True)
    op.create_table(
        "playlist_owner_settings",
        sa.Column("user_id", sa.String(length=22), nullable=False),
        sa.Column("public_on_erasure", sa.String(length=8), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_playlist_owner_settings_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_playlist_owner_settings")),
    )


def downgrade() -> None:
    op.drop_table("playlist_owner_settings")
    op.execute("DELETE FROM playlists WHERE owner_id IS NULL")
    with op.batch_alter_table("playlists") as batch:
        batch.alter_column("owner_id", existing_type=sa.String(length=22), nullable=False)
