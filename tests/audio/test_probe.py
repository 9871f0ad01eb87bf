"""probe(): formats are judged by content, and damaged masters are refused."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.audio.conftest import continuous_master, ffmpeg, write_wav
from tonearm.audio import AudioError, Probe, probe

RATE = 44_100
SAMPLES = 2 * RATE
LIMITS = {"max_seconds": 60.0, "max_bytes": 50_000_000}


@pytest.fixture(scope="module")
def wav(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("probe")
    return write_wav(folder / "master.wav", continuous_master(RATE, 2.0), RATE, "PCM_16")


def encode(source: Path, target: Path, *codec: str) -> Path:
    ffmpeg("-i", str(source), *codec, str(target))
    return target


def rejection(path: Path, **limits: float) -> str:
    with pytest.raises(AudioError) as caught:
        probe(path, **{**LIMITS, **limits})  # type: ignore[arg-type]
    return caught.value.reason


def test_a_wav_master_is_described_exactly(wav: Path) -> None:
    assert probe(wav, **LIMITS) == Probe("wav", "pcm_s16le", RATE, 2, SAMPLES, 2000, 16)


@pytest.mark.parametrize(
    ("name", "codec", "expected"),
    [
        ("24.wav", ("-c:a", "pcm_s24le"), ("wav", "pcm_s24le", RATE, 24)),
        ("float.wav", ("-c:a", "pcm_f32le"), ("wav", "pcm_f32le", RATE, 32)),
        ("16.flac", ("-c:a", "flac"), ("flac", "flac", RATE, 16)),
        ("24.flac", ("-c:a", "flac", "-sample_fmt", "s32"), ("flac", "flac", RATE, 24)),
        ("be.aiff", ("-c:a", "pcm_s16be"), ("aiff", "pcm_s16be", RATE, 16)),
        ("lame.mp3", ("-c:a", "libmp3lame", "-b:a", "128k"), ("mp3", "mp3", RATE, None)),
        ("vorbis.ogg", ("-c:a", "libvorbis"), ("ogg", "vorbis", RATE, None)),
        ("opus.opus", ("-c:a", "libopus"), ("ogg", "opus", 48_000, None)),
    ],
)
def test_every_accepted_format_reports_its_exact_length(
    wav: Path, tmp_path: Path, name: str, codec: tuple[str, ...], expected: tuple[object, ...]
) -> None:
    probed = probe(encode(wav, tmp_path / name, *codec), **LIMITS)
    assert (probed.format, probed.codec, probed.sample_rate, probed.bits_per_sample) == expected
    # Gapless containers let even the lossy formats report the master's length.
    assert probed.samples == round(SAMPLES * probed.sample_rate / RATE)
    assert (probed.channels, probed.duration_ms) == (2, 2000)


def test_the_format_comes_from_the_content_not_the_file_name(wav: Path, tmp_path: Path) -> None:
    misnamed = encode(wav, tmp_path / "real.flac", "-c:a", "flac").rename(tmp_path / "x.mp3")
    assert probe(misnamed, **LIMITS).format == "flac"


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("image.wav", b"\x89PNG\r\n\x1a\n" + bytes(2000)),
        ("notes.mp3", b"just some text, not audio at all\n" * 100),
        ("noise.flac", np.random.default_rng(3).bytes(20_000)),
        ("riff.wav", b"RIFF\x00\x10\x00\x00AVI LIST" + bytes(4000)),
    ],
)
def test_a_file_that_is_not_audio_is_refused_whatever_its_name(
    tmp_path: Path, name: str, content: bytes
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    assert rejection(path) == "not an audio file"


def test_an_empty_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "empty.wav").touch()
    assert rejection(tmp_path / "empty.wav") == "empty file"


def test_a_wav_whose_header_promises_more_data_than_it_holds_is_truncated(wav: Path, tmp_path: Path) -> None:
    cut = tmp_path / "cut.wav"
    cut.write_bytes(wav.read_bytes()[: wav.stat().st_size // 2])
    assert rejection(cut) == "truncated"


def test_a_flac_cut_in_half_is_truncated(wav: Path, tmp_path: Path) -> None:
    whole = encode(wav, tmp_path / "whole.flac", "-c:a", "flac").read_bytes()
    cut = tmp_path / "cut.flac"
    cut.write_bytes(whole[: len(whole) // 2])
    assert rejection(cut) == "truncated"


def test_a_flac_with_damaged_audio_frames_is_corrupt(wav: Path, tmp_path: Path) -> None:
    data = bytearray(encode(wav, tmp_path / "whole.flac", "-c:a", "flac").read_bytes())
    middle = len(data) // 2
    data[middle : middle + 64] = bytes(64)
    damaged = tmp_path / "damaged.flac"
    damaged.write_bytes(bytes(data))
    assert rejection(damaged).startswith("corrupt")


@pytest.mark.parametrize(("name", "codec"), [("v.ogg", "libvorbis"), ("o.opus", "libopus")])
def test_an_ogg_stream_cut_short_is_truncated(wav: Path, tmp_path: Path, name: str, codec: str) -> None:
    whole = encode(wav, tmp_path / name, "-c:a", codec).read_bytes()
    cut = tmp_path / f"cut-{name}"
    cut.write_bytes(whole[: len(whole) * 2 // 3])
    assert rejection(cut) == "truncated"


def test_an_mp3_cut_short_is_truncated(wav: Path, tmp_path: Path) -> None:
    whole = encode(wav, tmp_path / "whole.mp3", "-c:a", "libmp3lame").read_bytes()
    cut = tmp_path / "cut.mp3"
    cut.write_bytes(whole[: len(whole) // 2])
    assert rejection(cut) == "truncated"


def test_speex_in_ogg_is_an_unsupported_codec(wav: Path, tmp_path: Path) -> None:
    speex = encode(wav, tmp_path / "voice.ogg", "-ar", "16000", "-ac", "1", "-c:a", "libspeex")
    assert rejection(speex) == "unsupported codec 'speex'"


def test_a_theora_only_ogg_is_an_unsupported_codec(tmp_path: Path) -> None:
    video = tmp_path / "video.ogg"
    ffmpeg("-f", "lavfi", "-i", "testsrc=size=64x64:duration=0.3", "-c:v", "libtheora", str(video))
    assert rejection(video) == "unsupported codec 'theora'"


def test_a_wav_in_a_compressed_subformat_is_an_unsupported_codec(wav: Path, tmp_path: Path) -> None:
    adpcm = encode(wav, tmp_path / "adpcm.wav", "-c:a", "adpcm_ms")
    assert rejection(adpcm) == "unsupported codec 'adpcm_ms'"


def test_an_mp4_is_an_unsupported_format_even_named_wav(wav: Path, tmp_path: Path) -> None:
    m4a = encode(wav, tmp_path / "aac.m4a", "-c:a", "aac").rename(tmp_path / "aac.wav")
    assert rejection(m4a) == "unsupported format 'mp4'"


def test_a_file_over_the_byte_limit_is_refused(wav: Path) -> None:
    assert rejection(wav, max_bytes=1000) == "larger than the limit of 1000 bytes"


def test_audio_over_the_duration_limit_is_refused(wav: Path, tmp_path: Path) -> None:
    assert rejection(wav, max_seconds=1.5) == "longer than the limit of 1.5 s"
    ogg = encode(wav, tmp_path / "long.ogg", "-c:a", "libvorbis")
    assert rejection(ogg, max_seconds=1.5) == "longer than the limit of 1.5 s"


def test_a_wav_with_no_samples_is_refused(tmp_path: Path) -> None:
    path = write_wav(tmp_path / "nothing.wav", np.zeros((0, 2), np.float32), RATE)
    assert rejection(path) == "no audio samples"


def test_up_to_eight_channels_are_accepted(tmp_path: Path) -> None:
    path = write_wav(tmp_path / "eight.wav", continuous_master(RATE, 0.5, channels=8), RATE)
    assert probe(path, **LIMITS).channels == 8


def test_more_than_eight_channels_are_refused(tmp_path: Path) -> None:
    path = write_wav(tmp_path / "nine.wav", continuous_master(RATE, 0.5, channels=9), RATE)
    assert rejection(path) == "9 channels; at most 8 are supported"
