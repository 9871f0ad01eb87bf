"""catalog: rightsholders (whom a track's streams pay) and the splits of their share

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-08 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rightsholders",
        sa.Column("id", sa.String(length=22), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("name_key", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("kind in ('label', 'distributor')", name=op.f("ck_rightsholders_kind")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rightsholders")),
        sa.UniqueConstraint("name_key", name=op.f("uq_rightsholders_name_key")),
    )
    op.create_table(
        "track_splits",
        sa.Column("track_id", sa.String(length=22), nullable=False),
        sa.Column("party", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("share_bp", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "role in ('artist', 'producer', 'publisher', 'songwriter', 'label', 'other')",
            name=op.f("ck_track_splits_role"),
        ),
        sa.CheckConstraint("share_bp >= 1 and share_bp <= 10000", name=op.f("ck_track_splits_share_bp")),
        sa.ForeignKeyConstraint(
            ["track_id"], ["tracks.id"], name=op.f("fk_track_splits_track_id_tracks"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("track_id", "party", "role", name=op.f("pk_track_splits")),
    )
    # SQLite adds a foreign key only by copying the table (migrate() turns the checks off for it).
    with op.batch_alter_table("tracks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("rightsholder_id", sa.String(length=22), nullable=True))
        batch_op.create_index(batch_op.f("ix_tracks_rightsholder_id"), ["rightsholder_id"], unique=False)
        # No ON DELETE: a rightsholder that tracks still pay cannot be deleted.
        batch_op.create_foreign_key(
            batch_op.f("fk_tracks_rightsholder_id_rightsholders"),
            "rightsholders",
            ["rightsholder_id"],
            ["id"],
        )


def downgrade() -> None:
    with op.batch_alter_table("tracks", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_tracks_rightsholder_id_rightsholders"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_tracks_rightsholder_id"))
        batch_op.drop_column("rightsholder_id")
    op.drop_table("track_splits")
    op.drop_table("rightsholders")
