"""A master's label tag, or the owner its ℗ line names, becomes its track's rightsholder."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import mutagen
import pytest
from mutagen.id3 import TCOP, TPUB, TXXX
from mutagen.mp4 import MP4, MP4FreeForm

from tests.audio.conftest import ffmpeg
from tests.ingest.conftest import write_tone
from tonearm.audio import Tags, read_tags
from tonearm.catalog import RightsholderRecord, Split, catalog
from tonearm.config import Settings
from tonearm.ingest.metadata import label_of
from tonearm.ingest.schemas import Hints
from tonearm.ingest.tasks import ingest_master
from tonearm.kit.db import unit_of_work
from tonearm.runtime import Runtime, open_runtime


@pytest.fixture
def runtime(settings: Settings) -> Runtime:
    return open_runtime(settings)


def _ingest(runtime: Runtime, path: Path) -> str:
    # The features are not what this is about; without them ingest takes half the time.
    ctx = replace(runtime.ingest_context(), audio_features=False)
    return ingest_master(ctx, path, file_name=path.name, hints=Hints()).id


def _rights(runtime: Runtime, track_id: str) -> tuple[RightsholderRecord, tuple[Split, ...]]:
    with unit_of_work(runtime.session_factory) as session:
        holder = catalog.rightsholder_of(session, [track_id])[track_id]
        return holder, catalog.splits_of(session, [track_id])[track_id]


def test_a_flac_with_a_label_tag_is_published_with_that_label_as_its_rightsholder(
    runtime: Runtime, tmp_path: Path
) -> None:
    master = write_tone(tmp_path / "labelled.flac", seconds=0.5, title="Labelled", label="Some Label")
    track_id = _ingest(runtime, master)
    holder, splits = _rights(runtime, track_id)
    assert (holder.name, holder.kind) == ("Some Label", "label")
    assert splits == (Split("Some Label", "label", 10000),)
    with unit_of_work(runtime.session_factory) as session:
        assert catalog.get_track(session, track_id, base="").album.name == "Labelled"
        album_id = catalog.get_track(session, track_id, base="").album.id
        assert catalog.get_album(session, album_id, base="").label == "Some Label"


def test_a_flac_with_a_phonographic_copyright_line_is_paid_to_its_owner(
    runtime: Runtime, tmp_path: Path
) -> None:
    first = write_tone(tmp_path / "first.flac", seconds=0.5, copyright="℗ 2024 Other Label")
    second = write_tone(tmp_path / "second.flac", seconds=0.5, freq=550.0, organization="OTHER label")
    holders = [_rights(runtime, _ingest(runtime, master))[0] for master in (first, second)]
    assert holders[0] == holders[1]
    assert holders[0].name == "Other Label"


def test_a_master_without_a_label_pays_no_one_yet(runtime: Runtime, tmp_path: Path) -> None:
    master = write_tone(tmp_path / "plain.flac", seconds=0.5, copyright="© 2024 Only The Publisher")
    track_id = _ingest(runtime, master)
    with unit_of_work(runtime.session_factory) as session:
        assert catalog.rightsholder_of(session, [track_id]) == {}


def _wav_with_id3(path: Path, *frames: object) -> Path:
    write_tone(path, seconds=0.2)
    audio = mutagen.File(path)
    audio.add_tags()
    for frame in frames:
        audio.tags.add(frame)
    audio.save()
    return path


def test_the_label_is_read_where_each_tag_format_keeps_it(tmp_path: Path) -> None:
    vorbis = {
        name: write_tone(tmp_path / f"{name}.flac", seconds=0.2, **{name: f"{name} Records"})
        for name in ("label", "organization", "publisher")
    }
    assert {name: read_tags(path).label for name, path in vorbis.items()} == {
        name: f"{name} Records" for name in vorbis
    }
    txxx = _wav_with_id3(tmp_path / "txxx.wav", TXXX(encoding=3, desc="LABEL", text="Txxx Records"))
    tpub = _wav_with_id3(tmp_path / "tpub.wav", TPUB(encoding=3, text="Tpub Records"))
    tcop = _wav_with_id3(tmp_path / "tcop.wav", TCOP(encoding=3, text="(P) 2019 Tcop Records"))
    assert [read_tags(path).label for path in (txxx, tpub)] == ["Txxx Records", "Tpub Records"]
    assert label_of(read_tags(tcop)) == "Tcop Records"

    m4a = tmp_path / "t.m4a"
    ffmpeg("-i", str(tpub), "-map_metadata", "-1", "-c:a", "aac", str(m4a))
    audio = MP4(m4a)
    audio.tags["----:com.apple.iTunes:LABEL"] = [MP4FreeForm(b"Mp4 Records")]
    audio.save()
    assert read_tags(m4a).label == "Mp4 Records"


@pytest.mark.parametrize(
    ("tags", "label"),
    [
        (Tags(copyright="℗ 2024 Some Label"), "Some Label"),
        (Tags(copyright="(P) 2019-2021 Label Ltd."), "Label Ltd."),
        (Tags(copyright="© 2020 A Publisher ℗ 2020 A Label"), "A Label"),
        (Tags(copyright="℗ 2020 The Artist, under exclusive licence to Big Label"), "Big Label"),
        (Tags(label="  The   Label ", copyright="℗ 2024 Not This One"), "The Label"),
        (Tags(copyright="© 2024 A Publisher"), None),
        (Tags(copyright="℗ 2024"), None),
        (Tags(), None),
    ],
)
def test_the_label_tag_wins_then_the_owner_a_phonographic_line_names(tags: Tags, label: str | None) -> None:
    assert label_of(tags) == label
