"""A migration that rebuilds a SQLite table (0017 makes playlists.owner_id nullable) keeps every
row of the tables that reference it: migrate() runs it with foreign keys off and checks them
after. The same upgrade with foreign keys on, as the app's connections have them, would
cascade the rebuild's DROP TABLE into the followers and items."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, text

from tonearm.kit.db import make_engine, migrate

MIGRATIONS = Path(__file__).parents[2] / "src" / "tonearm" / "migrations"


def _upgrade(engine: Engine, revision: str) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def _a_playlist_at_0016(tmp_path: Path) -> Engine:
    engine = make_engine(f"sqlite:///{tmp_path / 'app.db'}")
    _upgrade(engine, "0016")
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO users (id, name, display_name, password_hash, country, product, role,"
                " explicit_content, failed_logins, created_at)"
                " VALUES ('u1', 'ann', 'Ann', 'x', 'SE', 'free', 'listener', 1, 0, '2026-01-01')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO playlists (id, owner_id, name, description, public, collaborative, version,"
                " snapshot_id, item_count, created_at, updated_at)"
                " VALUES ('p1', 'u1', 'Mix', '', 1, 0, 0, 's0', 0, '2026-01-01', '2026-01-01')"
            )
        )
        connection.execute(text("INSERT INTO playlist_followers VALUES ('p1', 'u1', '2026-01-01', 1)"))
    return engine


def _followers(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.execute(text("SELECT count(*) FROM playlist_followers")).scalar_one())


def test_migrate_keeps_the_rows_that_reference_a_rebuilt_table(tmp_path: Path) -> None:
    engine = _a_playlist_at_0016(tmp_path)
    migrate(engine)
    assert _followers(engine) == 1
    with engine.connect() as connection:
        # Foreign keys are back on for the connections the app then uses.
        assert connection.execute(text("PRAGMA foreign_keys")).scalar_one() == 1


def test_the_same_upgrade_with_foreign_keys_on_would_lose_them(tmp_path: Path) -> None:
    engine = _a_playlist_at_0016(tmp_path)
    _upgrade(engine, "head")
    assert _followers(engine) == 0
