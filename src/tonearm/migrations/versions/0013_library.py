"""library: saved tracks and albums, followed artists and users, in one table

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 11:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "library_items",
        sa.Column("user_id", sa.String(length=22), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("item_id", sa.String(length=22), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_library_items_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", "kind", "item_id", name=op.f("pk_library_items")),
    )
    with op.batch_alter_table("library_items", schema=None) as batch_op:
        batch_op.create_index(
            "ix_library_items_user_id_kind_added_at", ["user_id", "kind", "added_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("library_items", schema=None) as batch_op:
        batch_op.drop_index("ix_library_items_user_id_kind_added_at")

    op.drop_table("library_items")
