"""recs: trained models, made-for-you lists and their picks with reasons, onboarding picks, radio stations

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07 17:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "recs_models",
        sa.Column("id", sa.String(length=22), nullable=False),
        sa.Column("trained_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("blob_key", sa.String(length=200), nullable=False),
        sa.Column("users", sa.Integer(), nullable=False),
        sa.Column("items", sa.Integer(), nullable=False),
        sa.Column("interactions", sa.Integer(), nullable=False),
        sa.Column("plays", sa.Integer(), nullable=False),
        sa.Column("seconds", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recs_models")),
    )
    with op.batch_alter_table("recs_models", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_recs_models_trained_at"), ["trained_at"], unique=False)

    op.create_table(
        "recs_onboarding",
        sa.Column("user_id", sa.String(length=22), nullable=False),
        sa.Column("artist_id", sa.String(length=22), nullable=False),
        sa.Column("picked_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["artist_id"],
            ["artists.id"],
            name=op.f("fk_recs_onboarding_artist_id_artists"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_recs_onboarding_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", "artist_id", name=op.f("pk_recs_onboarding")),
    )
    op.create_table(
        "recs_stations",
        sa.Column("id", sa.String(length=22), nullable=False),
        sa.Column("user_id", sa.String(length=22), nullable=False),
        sa.Column("seed_uri", sa.String(length=200), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_recs_stations_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recs_stations")),
    )
    with op.batch_alter_table("recs_stations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_recs_stations_user_id"), ["user_id"], unique=False)

    op.create_table(
        "recs_lists",
        sa.Column("user_id", sa.String(length=22), nullable=False),
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("product", sa.String(length=20), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.String(length=300), nullable=False),
        sa.Column("playlist_id", sa.String(length=22), nullable=True),
        sa.Column("built_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("model_id", sa.String(length=22), nullable=True),
        sa.ForeignKeyConstraint(
            ["playlist_id"],
            ["playlists.id"],
            name=op.f("fk_recs_lists_playlist_id_playlists"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_recs_lists_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", "key", name=op.f("pk_recs_lists")),
    )
    op.create_table(
        "recs_picks",
        sa.Column("user_id", sa.String(length=22), nullable=False),
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("position", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("track_id", sa.String(length=22), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["track_id"], ["tracks.id"], name=op.f("fk_recs_picks_track_id_tracks"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_recs_picks_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", "key", "position", name=op.f("pk_recs_picks")),
    )
    op.create_table(
        "recs_station_tracks",
        sa.Column("station_id", sa.String(length=22), nullable=False),
        sa.Column("position", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("track_id", sa.String(length=22), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["station_id"],
            ["recs_stations.id"],
            name=op.f("fk_recs_station_tracks_station_id_recs_stations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["track_id"],
            ["tracks.id"],
            name=op.f("fk_recs_station_tracks_track_id_tracks"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("station_id", "position", name=op.f("pk_recs_station_tracks")),
    )


def downgrade() -> None:
    for table in (
        "recs_station_tracks",
        "recs_picks",
        "recs_lists",
        "recs_stations",
        "recs_onboarding",
        "recs_models",
    ):
        op.drop_table(table)
