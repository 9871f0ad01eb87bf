"""The warehouse's part of a user's personal data: their pseudonym and streams, exported and
erased; everyone else's rows stay as they were."""

from __future__ import annotations

from datetime import timedelta

import pyarrow.parquet as pq
from sqlalchemy.orm import Session, sessionmaker

from tests.warehouse.conftest import DAY, at, make_user, play, rows
from tonearm.config import Settings
from tonearm.kit.personal_data import PersonalDataProvider
from tonearm.warehouse import STREAMS_SCHEMA, export_days, pseudonym, warehouse_root
from tonearm.warehouse.personal_data import WarehouseData

OTHER = DAY - timedelta(days=2)
QUIET = DAY - timedelta(days=1)


def _export(session_factory: sessionmaker[Session], settings: Settings, ada: str, song: str) -> str:
    bo = make_user(session_factory, "bo")
    play(session_factory, ada, song, at(DAY, 1))
    play(session_factory, ada, song, at(DAY, 2))
    play(session_factory, bo, song, at(DAY, 3))
    play(session_factory, ada, song, at(OTHER, 1))
    export_days(session_factory, settings, [OTHER, QUIET, DAY])
    return bo


def test_the_provider_exports_the_pseudonym_and_how_many_streams_it_has(
    session_factory: sessionmaker[Session], settings: Settings, song_and_ada: tuple[str, str]
) -> None:
    song, ada = song_and_ada
    _export(session_factory, settings, ada, song)
    provider = WarehouseData(settings)

    with session_factory() as session:
        export = provider.export(session, ada)

    assert isinstance(provider, PersonalDataProvider) and tuple(export) == provider.sections
    assert export["warehouse_streams"] == {
        "pseudonym": pseudonym(settings, ada),
        "streams": 3,
        "earlier_pseudonyms": [],
    }


def test_streams_under_an_earlier_signing_key_are_found_after_it_rotated(
    session_factory: sessionmaker[Session], settings: Settings, song_and_ada: tuple[str, str]
) -> None:
    song, ada = song_and_ada
    _export(session_factory, settings, ada, song)
    rotated = settings.model_copy(update={"signing_keys": f"k2:newer-secret,{settings.signing_keys}"})

    with session_factory() as session:
        export = WarehouseData(rotated).export(session, ada)["warehouse_streams"]

    assert export == {
        "pseudonym": pseudonym(rotated, ada),
        "streams": 3,
        "earlier_pseudonyms": [pseudonym(settings, ada)],
    }


def test_erasure_rewrites_only_the_days_holding_the_user_without_their_rows(
    session_factory: sessionmaker[Session], settings: Settings, song_and_ada: tuple[str, str]
) -> None:
    song, ada = song_and_ada
    bo = _export(session_factory, settings, ada, song)
    days = warehouse_root(settings) / "streams"
    quiet = days / f"date={QUIET}" / "streams.parquet"
    untouched = quiet.stat().st_mtime_ns

    with session_factory() as session:
        erased = WarehouseData(settings).erase(session, ada)

    assert erased == 3
    assert [row["user"] for row in rows(days / f"date={DAY}" / "streams.parquet")] == [
        pseudonym(settings, bo)
    ]
    other = days / f"date={OTHER}" / "streams.parquet"
    assert rows(other) == [] and pq.read_schema(other) == STREAMS_SCHEMA
    assert quiet.stat().st_mtime_ns == untouched
    assert sorted(p.name for p in days.glob("*/*")) == ["streams.parquet"] * 3
    with session_factory() as session:
        assert WarehouseData(settings).export(session, ada)["warehouse_streams"]["streams"] == 0


def test_with_nothing_exported_there_is_nothing_to_export_or_erase(
    session_factory: sessionmaker[Session], settings: Settings
) -> None:
    # With no keys configured, working out a pseudonym would make one in the data folder.
    provider = WarehouseData(settings.model_copy(update={"signing_keys": ""}))

    with session_factory() as session:
        assert provider.export(session, "someone")["warehouse_streams"] == {
            "pseudonym": None,
            "streams": 0,
            "earlier_pseudonyms": [],
        }
        assert provider.erase(session, "someone") == 0
    assert not (settings.data_dir / "signing.key").exists()
