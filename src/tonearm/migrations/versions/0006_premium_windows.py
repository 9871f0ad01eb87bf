"""rights: premium-only windows (a release that premium listeners hear first)

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-21 16:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("rights", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("premium_only", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("rights", schema=None) as batch_op:
        batch_op.drop_column("premium_only")
