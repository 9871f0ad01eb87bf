"""`tonearm catalog rightsholder set | splits | show`, run as the operator runs them."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from click.testing import Result
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from tests.catalog_factory import make_track, publish
from tonearm.catalog import Split, catalog
from tonearm.cli import build_cli
from tonearm.config import Settings
from tonearm.kit.db import make_engine, make_session_factory, unit_of_work

UNKNOWN = "0" * 22
runner = CliRunner()
cli = build_cli()


@pytest.fixture
def sessions(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[sessionmaker[Session]]:
    """The database the commands open (the test's data folder)."""
    monkeypatch.setenv("TONEARM_DATA_DIR", str(settings.data_dir))
    engine = make_engine(settings.resolved_database_url)
    yield make_session_factory(engine)
    engine.dispose()


@pytest.fixture
def album(sessions: sessionmaker[Session]) -> list[str]:
    with unit_of_work(sessions) as session:
        return publish(session, make_track("First", track_number=1), make_track("Second", track_number=2))


def tonearm(*args: str) -> Result:
    return runner.invoke(cli, ["catalog", "rightsholder", *args], env={"COLUMNS": "200"})


def test_set_names_the_rightsholder_of_tracks_or_of_a_whole_album(
    sessions: sessionmaker[Session], album: list[str]
) -> None:
    done = tonearm("set", "--track", album[0], "--name", "Tunes Direct", "--kind", "distributor")
    assert done.exit_code == 0, done.output
    assert "Tunes Direct (distributor) is the rightsholder of 1 track" in done.output
    with unit_of_work(sessions) as session:
        album_id = catalog.get_track(session, album[0], base="").album.id
    done = tonearm("set", "--album", f"tonearm:album:{album_id}", "--name", "Some Label")
    assert done.exit_code == 0, done.output
    assert "Some Label (label) is the rightsholder of 2 tracks" in done.output
    with unit_of_work(sessions) as session:
        found = catalog.rightsholder_of(session, album)
    assert {holder.name for holder in found.values()} == {"Some Label"}


def test_splits_are_given_in_percent_and_shown(sessions: sessionmaker[Session], album: list[str]) -> None:
    assert tonearm("set", "--track", album[0], "--name", "Some Label").exit_code == 0
    done = tonearm(
        "splits", "--track", album[0], "artist:Ada Lovelace:66.67", "producer:Bo: the Second:33.33"
    )
    assert done.exit_code == 0, done.output
    with unit_of_work(sessions) as session:
        assert catalog.splits_of(session, album[:1])[album[0]] == (
            Split("Ada Lovelace", "artist", 6667),
            Split("Bo: the Second", "producer", 3333),
        )
    shown = tonearm("show", "--track", album[0])
    assert shown.exit_code == 0, shown.output
    assert "rightsholder: Some Label (label," in shown.output
    lines = [line.split() for line in shown.output.splitlines()]
    assert ["66.67", "%", "artist", "Ada", "Lovelace"] in lines
    assert ["33.33", "%", "producer", "Bo:", "the", "Second"] in lines


def test_show_says_when_no_one_is_paid_and_when_the_rightsholder_takes_everything(album: list[str]) -> None:
    assert "rightsholder: none" in tonearm("show", "--track", album[0]).output
    assert tonearm("set", "--track", album[0], "--name", "Some Label").exit_code == 0
    lines = [line.split() for line in tonearm("show", "--track", album[0]).output.splitlines()]
    assert ["100", "%", "label", "Some", "Label"] in lines


@pytest.mark.parametrize(
    ("splits", "message"),
    [
        (("artist:Ada:50", "producer:Bo:49"), "the splits add up to 99 %, not 100 %"),
        (("artist:Ada:51", "producer:Bo:50"), "the splits add up to 101 %, not 100 %"),
        (("artist:Ada:50", "artist:ada:50"), "'ada' is named twice as artist"),
        (("artist:Ada:33.333", "producer:Bo:66.667"), "at most two decimals"),
        (("drummer:Ada:100",), "is not role:party:percent"),
        (("artist::100",), "is not role:party:percent"),
        (("artist:Ada",), "is not role:party:percent"),
    ],
)
def test_bad_splits_exit_2_and_change_nothing(
    sessions: sessionmaker[Session], album: list[str], splits: tuple[str, ...], message: str
) -> None:
    assert tonearm("splits", "--track", album[0], "artist:Ada:100").exit_code == 0
    done = tonearm("splits", "--track", album[0], *splits)
    assert done.exit_code == 2
    assert message in done.output
    with unit_of_work(sessions) as session:
        assert catalog.splits_of(session, album[:1])[album[0]] == (Split("Ada", "artist", 10000),)


def test_bad_input_exits_2_and_an_unknown_track_exits_1(album: list[str]) -> None:
    assert tonearm("set", "--name", "Some Label").exit_code == 2
    both = tonearm("set", "--track", album[0], "--album", album[0], "--name", "Some Label")
    assert both.exit_code == 2 and "not both" in both.output
    kind = tonearm("set", "--track", album[0], "--name", "Some Label", "--kind", "publisher")
    assert kind.exit_code == 2 and "label, distributor" in kind.output
    malformed = tonearm("show", "--track", "nope")
    assert malformed.exit_code == 2 and "invalid track id" in malformed.output

    for args in (("show",), ("splits", "artist:Ada:100"), ("set", "--name", "Some Label")):
        unknown = tonearm(*args, "--track", UNKNOWN)
        assert unknown.exit_code == 1, unknown.output
        assert f"track '{UNKNOWN}' not found" in unknown.output
