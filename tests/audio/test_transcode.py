"""transcode_ladder(): every rung, stereo, the right rates and depths, same bytes twice."""

from __future__ import annotations

import hashlib
from pathlib import Path

import av
import mutagen
import pytest

from tests.audio.conftest import Ladder, continuous_master, ffmpeg, write_wav
from tonearm.audio import LADDER, Rung, Tags, read_tags, rung_named, transcode_ladder

EXPECTED_LADDER = [
    ("opus_24", "opus", "ogg", 24_000, ".opus", False),
    ("vorbis_96", "vorbis", "ogg", 96_000, ".ogg", False),
    ("vorbis_160", "vorbis", "ogg", 160_000, ".ogg", False),
    ("vorbis_320", "vorbis", "ogg", 320_000, ".ogg", True),
    ("aac_256", "aac", "mp4", 256_000, ".m4a", False),
    ("flac", "flac", "flac", 0, ".flac", True),
]
DEMUXERS = {"ogg": "ogg", "mp4": "mov,mp4,m4a,3gp,3g2,mj2", "flac": "flac"}


def shape(path: Path) -> tuple[str, str, int, int]:
    with av.open(str(path)) as container:
        context = container.streams.audio[0].codec_context
        return container.format.name, context.name, context.sample_rate, context.channels


def test_the_ladder_is_the_agreed_one() -> None:
    assert [(r.name, r.codec, r.container, r.bitrate, r.extension, r.premium) for r in LADDER] == (
        EXPECTED_LADDER
    )
    assert rung_named("flac").lossless and not rung_named("aac_256").lossless


def test_every_rung_is_written_in_its_codec_and_container(ladder_48k: Ladder) -> None:
    assert list(ladder_48k.renditions) == [rung.name for rung in LADDER]
    for rung in LADDER:
        rendition = ladder_48k.renditions[rung.name]
        container, codec, rate, channels = shape(rendition.path)
        assert (container, codec, channels) == (DEMUXERS[rung.container], rung.codec, 2)
        assert rendition.path.suffix == rung.extension and rendition.bytes == rendition.path.stat().st_size
        assert (rendition.codec, rendition.container, rendition.bitrate) == (
            rung.codec,
            rung.container,
            rung.bitrate,
        )
        assert (rendition.sample_rate, rendition.channels) == (rate, 2)


def test_a_48k_master_keeps_its_rate_and_length_on_every_rung(ladder_48k: Ladder) -> None:
    for rendition in ladder_48k.renditions.values():
        assert (rendition.sample_rate, rendition.samples) == (48_000, len(ladder_48k.master))


def test_lossy_rungs_stay_near_their_bitrate_and_grow_with_it(ladder_48k: Ladder) -> None:
    seconds = len(ladder_48k.master) / 48_000
    vorbis = [ladder_48k.renditions[name].bytes for name in ("vorbis_96", "vorbis_160", "vorbis_320")]
    assert vorbis == sorted(vorbis)
    for name in ("opus_24", "vorbis_96", "vorbis_160", "vorbis_320", "aac_256"):
        rendition = ladder_48k.renditions[name]
        # Simple test tones need fewer bits than the target; they must never need many more.
        assert rendition.bytes * 8 / seconds < 1.3 * rendition.bitrate, name


def test_only_the_rendition_files_are_left_behind(ladder_48k: Ladder) -> None:
    folder = ladder_48k.renditions["flac"].path.parent
    assert sorted(p.name for p in folder.iterdir()) == sorted(f"{r.name}{r.extension}" for r in LADDER)


def test_the_same_master_gives_the_same_bytes(ladder_48k: Ladder, tmp_path: Path) -> None:
    master = write_wav(tmp_path / "master.wav", ladder_48k.master, 48_000)
    again = transcode_ladder(master, tmp_path / "again")
    for rendition in again:
        first = ladder_48k.renditions[rendition.rung.name]
        assert digest(rendition.path) == digest(first.path), rendition.rung.name
        assert (rendition.encoder_delay, rendition.padding) == (first.encoder_delay, first.padding)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_44k_master_keeps_44k_except_for_opus(tmp_path: Path) -> None:
    master = write_wav(tmp_path / "m.wav", continuous_master(44_100, 1.0), 44_100)
    rates = {r.rung.name: (r.sample_rate, r.samples) for r in transcode_ladder(master, tmp_path / "out")}
    assert rates.pop("opus_24") == (48_000, 48_000)
    assert set(rates.values()) == {(44_100, 44_100)}


def test_a_96k_24bit_master_gives_48k_lossy_and_96k_24bit_flac(tmp_path: Path) -> None:
    master = write_wav(tmp_path / "hires.wav", continuous_master(96_000, 1.0), 96_000, "PCM_24")
    renditions = {r.rung.name: r for r in transcode_ladder(master, tmp_path / "out")}
    flac = mutagen.File(renditions.pop("flac").path).info
    assert (flac.sample_rate, flac.bits_per_sample, flac.total_samples) == (96_000, 24, 96_000)
    assert {(r.sample_rate, r.samples) for r in renditions.values()} == {(48_000, 48_000)}


def test_a_16bit_master_gives_16bit_flac(ladder_48k: Ladder) -> None:
    assert mutagen.File(ladder_48k.renditions["flac"].path).info.bits_per_sample == 16


@pytest.mark.parametrize("channels", [1, 6])
def test_mono_and_surround_masters_become_stereo(tmp_path: Path, channels: int) -> None:
    master = write_wav(tmp_path / "m.wav", continuous_master(48_000, 0.5, channels=channels), 48_000)
    flac_and_opus = (rung_named("flac"), rung_named("opus_24"))
    renditions = transcode_ladder(master, tmp_path / "out", ladder=flac_and_opus)
    assert [shape(r.path)[3] for r in renditions] == [2, 2]


def test_master_tags_are_not_copied_into_renditions(tmp_path: Path) -> None:
    master = tmp_path / "tagged.flac"
    wav = write_wav(tmp_path / "m.wav", continuous_master(48_000, 0.5), 48_000)
    ffmpeg("-i", str(wav), "-metadata", "title=Secret", "-metadata", "artist=Someone", str(master))
    for rendition in transcode_ladder(master, tmp_path / "out"):
        assert read_tags(rendition.path) == Tags(), rendition.rung.name


def test_a_misnamed_master_is_transcoded_by_its_content(tmp_path: Path) -> None:
    wav = write_wav(tmp_path / "m.wav", continuous_master(44_100, 0.5), 44_100)
    master = tmp_path / "actually-mp3.wav"
    ffmpeg("-i", str(wav), "-c:a", "libmp3lame", "-f", "mp3", str(master))
    renditions = transcode_ladder(master, tmp_path / "out", ladder=(rung_named("flac"),))
    assert renditions[0].samples == 22_050


def test_a_custom_rung_can_be_encoded(tmp_path: Path) -> None:
    master = write_wav(tmp_path / "m.wav", continuous_master(48_000, 0.5), 48_000)
    extra = Rung("vorbis_64", "vorbis", "ogg", 64_000, ".ogg", premium=False)
    (rendition,) = transcode_ladder(master, tmp_path / "out", ladder=(extra,))
    assert rendition.path.name == "vorbis_64.ogg" and rendition.samples == 24_000
