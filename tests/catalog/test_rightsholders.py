"""Rightsholders and splits: whom a track's streams pay, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from tests.catalog_factory import make_track, publish
from tonearm.catalog import RightsholderRecord, RightsRow, Split, catalog
from tonearm.catalog import rightsholders as rightsholders_module
from tonearm.catalog.models import Rightsholder
from tonearm.catalog.rightsholders import bp_of_percent
from tonearm.errors import BadRequest, NotFound
from tonearm.kit.db import Base, make_engine, migrate, unit_of_work

UNKNOWN = "0" * 22
HALVES = (Split("Ada", "artist", 5000), Split("Bo", "producer", 5000))


@pytest.fixture
def tracks(session_factory: sessionmaker[Session]) -> list[str]:
    with unit_of_work(session_factory) as session:
        return publish(
            session,
            make_track("One", artist_names=("Ada", "Cy")),
            make_track("Two", artist_names=("Ada",)),
            make_track("Three", artist_names=("Dee",)),
        )


def test_the_migrations_make_exactly_the_rightsholder_tables_the_models_describe(database_url: str) -> None:
    engine = make_engine(database_url)
    migrate(engine)
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    engine.dispose()
    ours = [
        d for d in differences if any(name in repr(d) for name in ("rightsholder", "track_splits", "tracks"))
    ]
    assert ours == []


def test_a_rightsholder_is_one_per_name_however_it_is_written(
    session_factory: sessionmaker[Session], tracks: list[str]
) -> None:
    with unit_of_work(session_factory) as session:
        first = catalog.set_rightsholder(session, tracks[:1], "Some Label")
        again = catalog.set_rightsholder(session, tracks[1:2], "  some   LABEL ")
        found = catalog.rightsholder_of(session, tracks)
    assert again == first == RightsholderRecord(first.id, "Some Label", "label")
    assert found == {tracks[0]: first, tracks[1]: first}


def test_a_track_with_a_rightsholder_and_no_splits_pays_it_everything(
    session_factory: sessionmaker[Session], tracks: list[str]
) -> None:
    with unit_of_work(session_factory) as session:
        catalog.set_rightsholder(session, tracks[:1], "Some Label")
        found = catalog.splits_of(session, [*tracks, UNKNOWN])
    assert found == {tracks[0]: (Split("Some Label", "label", 10000),), tracks[1]: (), tracks[2]: ()}


def test_splits_that_add_up_to_100_percent_are_kept_largest_first(
    session_factory: sessionmaker[Session], tracks: list[str]
) -> None:
    splits = [Split("Bo", "producer", 2500), Split(" Ada ", "artist", 7000), Split("Ada", "songwriter", 500)]
    with unit_of_work(session_factory) as session:
        catalog.set_splits(session, tracks[0], splits)
    with unit_of_work(session_factory) as session:
        assert catalog.splits_of(session, tracks[:1])[tracks[0]] == (
            Split("Ada", "artist", 7000),
            Split("Bo", "producer", 2500),
            Split("Ada", "songwriter", 500),
        )
        catalog.set_splits(session, tracks[0], [])
        assert catalog.splits_of(session, tracks[:1])[tracks[0]] == ()


@pytest.mark.parametrize(
    ("splits", "message"),
    [
        ((Split("Ada", "artist", 5000), Split("Bo", "producer", 4900)), "add up to 99 %, not 100 %"),
        ((Split("Ada", "artist", 5100), Split("Bo", "producer", 5000)), "add up to 101 %, not 100 %"),
        ((Split("Ada", "artist", 5000), Split("ADA", "artist", 5000)), "'ADA' is named twice as artist"),
        ((Split("  ", "artist", 10000),), "a split's party needs a name"),
        ((Split("Ada", "drummer", 10000),), "role is one of artist, producer"),  # type: ignore[arg-type]
        ((Split("Ada", "artist", 0), Split("Bo", "artist", 10000)), "more than 0"),
    ],
)
def test_bad_splits_are_refused_and_the_ones_stored_stay(
    session_factory: sessionmaker[Session], tracks: list[str], splits: tuple[Split, ...], message: str
) -> None:
    with unit_of_work(session_factory) as session:
        catalog.set_splits(session, tracks[0], HALVES)
    with pytest.raises(BadRequest, match=message), unit_of_work(session_factory) as session:
        catalog.set_splits(session, tracks[0], splits)
    with unit_of_work(session_factory) as session:
        assert catalog.splits_of(session, tracks[:1])[tracks[0]] == HALVES


def test_an_unknown_track_is_not_found_and_nothing_changes(
    session_factory: sessionmaker[Session], tracks: list[str]
) -> None:
    with pytest.raises(NotFound, match=UNKNOWN), unit_of_work(session_factory) as session:
        catalog.set_rightsholder(session, [tracks[0], UNKNOWN], "Some Label")
    with pytest.raises(NotFound, match=UNKNOWN), unit_of_work(session_factory) as session:
        catalog.set_splits(session, UNKNOWN, HALVES)
    with unit_of_work(session_factory) as session:
        assert catalog.rightsholder_of(session, tracks) == {}


def test_a_rightsholder_of_another_kind_is_not_quietly_changed(
    session_factory: sessionmaker[Session], tracks: list[str]
) -> None:
    with unit_of_work(session_factory) as session:
        catalog.set_rightsholder(session, tracks[:1], "Tunes Direct", kind="distributor")
    refused = pytest.raises(BadRequest, match="'Tunes Direct' is a distributor, not a label")
    with refused, unit_of_work(session_factory) as session:
        catalog.set_rightsholder(session, tracks[1:2], "tunes direct")
    with unit_of_work(session_factory) as session:
        [holder] = catalog.rightsholder_of(session, tracks).values()
    assert holder.kind == "distributor"


def test_a_rightsholder_that_tracks_still_pay_cannot_be_deleted(
    session_factory: sessionmaker[Session], tracks: list[str]
) -> None:
    with unit_of_work(session_factory) as session:
        catalog.set_rightsholder(session, tracks[:1], "Some Label")
    with pytest.raises(IntegrityError), unit_of_work(session_factory) as session:
        session.execute(delete(Rightsholder))
    with unit_of_work(session_factory) as session:
        assert catalog.rightsholder_of(session, tracks[:1])[tracks[0]].name == "Some Label"


def test_rights_rows_give_every_party_of_every_paying_track_with_its_artists(
    session_factory: sessionmaker[Session], tracks: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Batches of two rows, so a track's rows fall into two batches.
    monkeypatch.setattr(rightsholders_module, "_BATCH", 2)
    one, two, three = tracks
    with unit_of_work(session_factory) as session:
        label = catalog.set_rightsholder(session, [one, two], "Some Label")
        catalog.set_splits(
            session, one, [*HALVES[:1], Split("Bo", "producer", 3000), Split("Cy", "other", 2000)]
        )
        ada, cy = catalog.artist_id_for("Ada"), catalog.artist_id_for("Cy")
        rows = sorted(catalog.rights_rows(session), key=lambda row: (row.track_id, -row.share_bp))
    assert rows == sorted(
        [
            RightsRow(one, label.id, "Some Label", "Ada", "artist", 5000, (ada, cy)),
            RightsRow(one, label.id, "Some Label", "Bo", "producer", 3000, (ada, cy)),
            RightsRow(one, label.id, "Some Label", "Cy", "other", 2000, (ada, cy)),
            RightsRow(two, label.id, "Some Label", "Some Label", "label", 10000, (ada,)),
        ],
        key=lambda row: (row.track_id, -row.share_bp),
    )
    assert three not in {row.track_id for row in rows}


def test_an_artist_sees_the_rightsholders_of_the_tracks_that_credit_them(
    session_factory: sessionmaker[Session], tracks: list[str]
) -> None:
    with unit_of_work(session_factory) as session:
        first = catalog.set_rightsholder(session, tracks[:1], "First Label")
        second = catalog.set_rightsholder(session, tracks[1:2], "Second Label")
        catalog.set_rightsholder(session, tracks[2:], "Third Label")
        of = catalog.rightsholders_of_artists
        assert of(session, [catalog.artist_id_for("Ada")]) == {first.id, second.id}
        assert of(session, [catalog.artist_id_for("Cy")]) == {first.id}
        assert of(session, [UNKNOWN]) == of(session, []) == set()


@pytest.mark.parametrize(("percent", "bp"), [("50", 5000), ("33.33", 3333), (12.5, 1250), ("100 %", 10000)])
def test_a_percentage_with_up_to_two_decimals_is_basis_points(percent: str | float, bp: int) -> None:
    assert bp_of_percent(percent) == bp


@pytest.mark.parametrize("percent", ["33.333", "0", "-5", "100.01", "half", "nan"])
def test_any_other_percentage_is_refused(percent: str) -> None:
    with pytest.raises(BadRequest):
        bp_of_percent(percent)


def test_a_label_a_published_track_names_is_its_rightsholder_whatever_its_kind(
    session_factory: sessionmaker[Session], tracks: list[str]
) -> None:
    with unit_of_work(session_factory) as session:
        distributor = catalog.set_rightsholder(session, tracks[:1], "Tunes Direct", kind="distributor")
        [track_id] = publish(session, make_track("Four", label="TUNES DIRECT"))
        assert catalog.rightsholder_of(session, [track_id]) == {track_id: distributor}
