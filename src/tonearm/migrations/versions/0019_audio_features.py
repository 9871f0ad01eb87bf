"""audio features of each track, with the analyser that found them

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07 16:45:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

_MEASURES: tuple[str, ...] = ("tempo", "loudness", "energy", "danceability", "valence")
_MEASURES += ("acousticness", "instrumentalness", "speechiness", "liveness")


def upgrade() -> None:
    op.create_table(
        "audio_features",
        sa.Column("track_id", sa.String(length=22), nullable=False),
        sa.Column("analyser", sa.String(length=40), nullable=False),
        sa.Column("analysed_at", sa.DateTime(timezone=True), nullable=False),
        *(sa.Column(name, sa.Float(), nullable=False) for name in _MEASURES),
        *(
            sa.Column(name, sa.Integer(), nullable=False)
            for name in ("key", "mode", "time_signature", "duration_ms")
        ),
        sa.ForeignKeyConstraint(
            ["track_id"], ["tracks.id"], name=op.f("fk_audio_features_track_id_tracks"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("track_id", name=op.f("pk_audio_features")),
    )
    op.create_index(op.f("ix_audio_features_analyser"), "audio_features", ["analyser"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_audio_features_analyser"), table_name="audio_features")
    op.drop_table("audio_features")
