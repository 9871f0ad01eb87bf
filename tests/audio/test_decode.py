"""decode_raw / decode_trimmed: float32 [samples, channels], with and without trims."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.audio.conftest import Ladder, continuous_master, ffmpeg, write_wav
from tonearm.audio import decode_raw, decode_trimmed, read_trim


@pytest.mark.parametrize("subtype", ["PCM_U8", "PCM_16", "PCM_24", "PCM_32", "FLOAT", "DOUBLE"])
def test_pcm_decodes_to_the_same_float_samples_both_ways(tmp_path: Path, subtype: str) -> None:
    master = continuous_master(48_000, 0.25)
    path = write_wav(tmp_path / f"{subtype}.wav", master, 48_000, subtype)
    tolerance = 1 / 64 if subtype == "PCM_U8" else 1e-4
    for decode in (decode_raw, decode_trimmed):
        audio, rate = decode(path)
        assert (audio.dtype, audio.shape, rate) == (np.float32, master.shape, 48_000)
        assert float(np.max(np.abs(audio - master))) < tolerance


def test_flac_is_lossless_through_both_decoders(ladder_48k: Ladder) -> None:
    path = ladder_48k.renditions["flac"].path
    raw, _ = decode_raw(path)
    trimmed, _ = decode_trimmed(path)
    assert np.array_equal(raw, trimmed)
    assert float(np.max(np.abs(raw - ladder_48k.master))) < 1 / 2**15


@pytest.mark.parametrize("rung", ["opus_24", "vorbis_96", "aac_256"])
def test_the_raw_decode_is_longer_by_exactly_the_recorded_delay_and_padding(
    ladder_48k: Ladder, rung: str
) -> None:
    rendition = ladder_48k.renditions[rung]
    raw, _ = decode_raw(rendition.path)
    trimmed, _ = decode_trimmed(rendition.path)
    assert len(raw) - len(trimmed) == rendition.encoder_delay + rendition.padding


def test_read_trim_reports_a_plain_ogg_and_mp4_from_ffmpeg_defaults(tmp_path: Path) -> None:
    wav = write_wav(tmp_path / "m.wav", continuous_master(48_000, 1.0), 48_000)
    ffmpeg("-i", str(wav), "-c:a", "aac", str(tmp_path / "plain.m4a"))
    trim = read_trim(tmp_path / "plain.m4a")
    # ffmpeg's own m4a: 1024 priming, an edit list that ends mid-frame.
    assert (trim.encoder_delay, trim.samples) == (1024, 48_000)
    assert trim.raw_samples == len(decode_raw(tmp_path / "plain.m4a")[0])
