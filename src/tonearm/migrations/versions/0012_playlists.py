"""playlists: the playlist, its items ordered by fractional rank, its edits (history) and
followers

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 10:32:25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "playlists",
        sa.Column("id", sa.String(length=22), nullable=False),
        sa.Column("owner_id", sa.String(length=22), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.String(length=300), nullable=False),
        sa.Column("public", sa.Boolean(), nullable=False),
        sa.Column("collaborative", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("snapshot_id", sa.String(length=40), nullable=False),
        sa.Column("item_count", sa.Integer(), nullable=False),
        sa.Column("cover_key", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name=op.f("fk_playlists_owner_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_playlists")),
    )
    with op.batch_alter_table("playlists", schema=None) as batch_op:
        batch_op.create_index("ix_playlists_owner_id_created_at", ["owner_id", "created_at"], unique=False)

    op.create_table(
        "playlist_edits",
        sa.Column("playlist_id", sa.String(length=22), nullable=False),
        sa.Column("version", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("snapshot_id", sa.String(length=40), nullable=False),
        sa.Column("user_id", sa.String(length=22), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("change", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["playlist_id"],
            ["playlists.id"],
            name=op.f("fk_playlist_edits_playlist_id_playlists"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_playlist_edits_user_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("playlist_id", "version", name=op.f("pk_playlist_edits")),
    )
    with op.batch_alter_table("playlist_edits", schema=None) as batch_op:
        batch_op.create_index(
            "ix_playlist_edits_playlist_id_snapshot_id", ["playlist_id", "snapshot_id"], unique=True
        )
        batch_op.create_index(batch_op.f("ix_playlist_edits_user_id"), ["user_id"], unique=False)

    op.create_table(
        "playlist_followers",
        sa.Column("playlist_id", sa.String(length=22), nullable=False),
        sa.Column("user_id", sa.String(length=22), nullable=False),
        sa.Column("followed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("public", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["playlist_id"],
            ["playlists.id"],
            name=op.f("fk_playlist_followers_playlist_id_playlists"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_playlist_followers_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("playlist_id", "user_id", name=op.f("pk_playlist_followers")),
    )
    with op.batch_alter_table("playlist_followers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_playlist_followers_user_id"), ["user_id"], unique=False)

    op.create_table(
        "playlist_items",
        sa.Column("playlist_id", sa.String(length=22), nullable=False),
        sa.Column("id", sa.String(length=22), nullable=False),
        sa.Column(
            "rank",
            sa.String(length=200).with_variant(sa.String(length=200, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column("track_id", sa.String(length=22), nullable=False),
        sa.Column("added_by", sa.String(length=22), nullable=True),
        sa.Column("added_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["added_by"], ["users.id"], name=op.f("fk_playlist_items_added_by_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["playlist_id"],
            ["playlists.id"],
            name=op.f("fk_playlist_items_playlist_id_playlists"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["track_id"], ["tracks.id"], name=op.f("fk_playlist_items_track_id_tracks"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("playlist_id", "id", name=op.f("pk_playlist_items")),
    )
    with op.batch_alter_table("playlist_items", schema=None) as batch_op:
        batch_op.create_index("ix_playlist_items_playlist_id_rank", ["playlist_id", "rank"], unique=False)
        batch_op.create_index(batch_op.f("ix_playlist_items_track_id"), ["track_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("playlist_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_playlist_items_track_id"))
        batch_op.drop_index("ix_playlist_items_playlist_id_rank")

    op.drop_table("playlist_items")
    with op.batch_alter_table("playlist_followers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_playlist_followers_user_id"))

    op.drop_table("playlist_followers")
    with op.batch_alter_table("playlist_edits", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_playlist_edits_user_id"))
        batch_op.drop_index("ix_playlist_edits_playlist_id_snapshot_id")

    op.drop_table("playlist_edits")
    with op.batch_alter_table("playlists", schema=None) as batch_op:
        batch_op.drop_index("ix_playlists_owner_id_created_at")

    op.drop_table("playlists")
