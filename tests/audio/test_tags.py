"""read_tags(): one shape for ID3, Vorbis comments, MP4 atoms and RIFF INFO."""

from __future__ import annotations

from pathlib import Path

import mutagen
import pytest
from mutagen.id3 import TALB, TCON, TDRC, TIT2, TPE1, TPE2, TPOS, TRCK, TSRC, TXXX
from mutagen.mp4 import MP4, MP4FreeForm

from tests.audio.conftest import continuous_master, ffmpeg, write_wav
from tonearm.audio import Tags, read_tags

FULL = Tags(
    title="Ünïcode Title",
    artist="The Artist",
    album="The Album",
    album_artist="Various",
    track_number=3,
    disc_number=2,
    date="2021-05-04",
    isrc="USRC17607839",
    explicit=True,
    genre="Jazz",
)
VORBIS = {
    "title": FULL.title,
    "artist": FULL.artist,
    "album": FULL.album,
    "albumartist": FULL.album_artist,
    "tracknumber": "3/12",
    "discnumber": "2",
    "date": FULL.date,
    "isrc": FULL.isrc,
    "itunesadvisory": "1",
    "genre": FULL.genre,
}


@pytest.fixture(scope="module")
def wav(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("tags")
    return write_wav(folder / "plain.wav", continuous_master(44_100, 0.5), 44_100)


def encoded(wav: Path, target: Path, *codec: str) -> Path:
    ffmpeg("-i", str(wav), "-map_metadata", "-1", *codec, str(target))
    return target


def id3_frames(genre: str = "Jazz") -> list[object]:
    return [
        TIT2(encoding=3, text=FULL.title),
        TPE1(encoding=3, text=FULL.artist),
        TALB(encoding=3, text=FULL.album),
        TPE2(encoding=3, text=FULL.album_artist),
        TRCK(encoding=3, text="3/12"),
        TPOS(encoding=3, text="2/2"),
        TDRC(encoding=3, text=FULL.date),
        TSRC(encoding=3, text=FULL.isrc),
        TXXX(encoding=3, desc="ITUNESADVISORY", text="1"),
        TCON(encoding=3, text=genre),
    ]


def add_id3(path: Path, genre: str = "Jazz") -> Path:
    audio = mutagen.File(path)
    if audio.tags is None:
        audio.add_tags()
    for frame in id3_frames(genre):
        audio.tags.add(frame)
    audio.save()
    return path


def add_vorbis(path: Path) -> Path:
    audio = mutagen.File(path)
    for key, value in VORBIS.items():
        audio[key] = value
    audio.save()
    return path


@pytest.mark.parametrize(
    ("name", "codec"),
    [("t.flac", ("-c:a", "flac")), ("t.ogg", ("-c:a", "libvorbis")), ("t.opus", ("-c:a", "libopus"))],
)
def test_vorbis_comments_are_read(wav: Path, tmp_path: Path, name: str, codec: tuple[str, ...]) -> None:
    assert read_tags(add_vorbis(encoded(wav, tmp_path / name, *codec))) == FULL


@pytest.mark.parametrize(
    ("name", "codec"),
    [("t.mp3", ("-c:a", "libmp3lame")), ("t.wav", ()), ("t.aiff", ("-c:a", "pcm_s16be"))],
)
def test_id3_tags_are_read_from_mp3_wav_and_aiff(
    wav: Path, tmp_path: Path, name: str, codec: tuple[str, ...]
) -> None:
    assert read_tags(add_id3(encoded(wav, tmp_path / name, *codec))) == FULL


def test_an_id3_genre_given_as_a_number_is_resolved(wav: Path, tmp_path: Path) -> None:
    path = add_id3(encoded(wav, tmp_path / "t.mp3", "-c:a", "libmp3lame"), genre="(17)")
    assert read_tags(path).genre == "Rock"


def test_mp4_atoms_are_read(wav: Path, tmp_path: Path) -> None:
    path = encoded(wav, tmp_path / "t.m4a", "-c:a", "aac")
    audio = MP4(path)
    audio.tags["\xa9nam"], audio.tags["\xa9ART"], audio.tags["trkn"] = [FULL.title], ["A"], [(3, 9)]
    audio.tags["rtng"] = [2]  # iTunes "clean"
    audio.tags["----:com.apple.iTunes:ISRC"] = [MP4FreeForm(b"USRC17607839")]
    audio.save()
    tags = read_tags(path)
    assert (tags.title, tags.artist, tags.track_number) == (FULL.title, "A", 3)
    assert (tags.explicit, tags.isrc) == (False, FULL.isrc)


def test_riff_info_in_a_wav_is_read(wav: Path, tmp_path: Path) -> None:
    path = tmp_path / "info.wav"
    metadata = ["title=Info Title", "artist=Info Artist", "album=Info Album", "track=7", "genre=Ska"]
    ffmpeg("-i", str(wav), *[arg for item in metadata for arg in ("-metadata", item)], str(path))
    assert read_tags(path) == Tags(
        title="Info Title", artist="Info Artist", album="Info Album", track_number=7, genre="Ska"
    )


@pytest.mark.parametrize(
    ("name", "codec"),
    [
        ("bare.wav", ()),
        ("bare.flac", ("-c:a", "flac")),
        ("bare.mp3", ("-c:a", "libmp3lame", "-write_xing", "0", "-id3v2_version", "0")),
        ("bare.ogg", ("-c:a", "libvorbis")),
        ("bare.aiff", ("-c:a", "pcm_s16be")),
    ],
)
def test_a_file_without_tags_gives_empty_tags(
    wav: Path, tmp_path: Path, name: str, codec: tuple[str, ...]
) -> None:
    assert read_tags(encoded(wav, tmp_path / name, "-fflags", "+bitexact", *codec)) == Tags()


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1", True),
        ("explicit", True),
        ("4", True),
        ("2", False),
        ("clean", False),
        ("0", False),
        ("maybe", None),
    ],
)
def test_the_explicit_flag_understands_common_spellings(
    wav: Path, tmp_path: Path, value: str, expected: bool | None
) -> None:
    path = encoded(wav, tmp_path / "t.flac", "-c:a", "flac")
    audio = mutagen.File(path)
    audio["EXPLICIT"] = value
    audio.save()
    assert read_tags(path).explicit is expected


def test_a_missing_file_or_garbage_gives_empty_tags(tmp_path: Path) -> None:
    (tmp_path / "junk.mp3").write_bytes(b"not audio" * 50)
    assert read_tags(tmp_path / "junk.mp3") == Tags()
    assert read_tags(tmp_path / "missing.flac") == Tags()
