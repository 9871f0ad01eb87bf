"""Loudness: EBU Tech 3341 vectors, BS.1770-4 true peak, and the playback gain."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.audio.conftest import continuous_master, ffmpeg, write_wav
from tonearm.audio import (
    LOUDNESS_FLOOR_LUFS,
    TRUE_PEAK_FLOOR_DBTP,
    Loudness,
    gain_to_target,
    measure_loudness,
)
from tonearm.audio.loudness import integrated_loudness, true_peak_dbtp

REPO = Path(__file__).resolve().parents[2]
EBU = REPO.parent / "shared" / "data" / "ebu-tech3341"
RATE = 48_000


@pytest.fixture
def ebu() -> Path:
    if not EBU.is_dir():
        pytest.skip(f"EBU Tech 3341 test vectors are not present at {EBU} (only on the build host)")
    return EBU


@pytest.mark.parametrize(
    ("name", "expected"),
    [("seq-3341-1-16bit.wav", -23.0), ("seq-3341-2-16bit.wav", -33.0), ("seq-3341-12-24bit.wav", -23.0)],
)
def test_ebu_tech_3341_vectors_measure_within_a_tenth_of_a_lu(ebu: Path, name: str, expected: float) -> None:
    assert measure_loudness(ebu / name).integrated_lufs == pytest.approx(expected, abs=0.1)


def test_an_ebu_1khz_tone_at_minus_23_dbfs_peaks_at_minus_23_dbtp(ebu: Path) -> None:
    assert measure_loudness(ebu / "seq-3341-1-16bit.wav").true_peak_dbtp == pytest.approx(-23.0, abs=0.2)


def faded(signal: np.ndarray) -> np.ndarray:
    # Fades keep an abrupt start from ringing above the steady-state peak.
    ramp = np.sin(np.linspace(0, np.pi / 2, RATE // 10)) ** 2
    signal = signal.copy()
    signal[: len(ramp)] *= ramp
    signal[-len(ramp) :] *= ramp[::-1]
    return signal


def test_true_peak_finds_the_peak_between_samples() -> None:
    # A quarter-rate sine sampled 45 degrees off its crests: every sample sits
    # 3 dB below the real peak of the waveform.
    n = np.arange(2 * RATE)
    tone = faded(0.5 * np.sin(np.pi / 2 * n + np.pi / 4))
    stereo = np.stack([tone, tone], axis=1)
    assert 20 * np.log10(np.max(np.abs(stereo))) == pytest.approx(-9.03, abs=0.05)
    assert true_peak_dbtp(stereo) == pytest.approx(-6.02, abs=0.1)


def test_true_peak_is_the_same_whether_or_not_the_signal_is_chunked() -> None:
    rng = np.random.default_rng(5)
    noise = rng.uniform(-0.5, 0.5, (200_000, 2))
    whole = 20 * np.log10(
        np.max(np.abs(__import__("scipy.signal").signal.resample_poly(noise, 4, 1, axis=0)))
    )
    assert true_peak_dbtp(noise) == pytest.approx(max(whole, 20 * np.log10(np.max(np.abs(noise)))), abs=1e-9)


def test_silence_measures_at_the_floors_without_warnings(tmp_path: Path) -> None:
    path = write_wav(tmp_path / "silence.wav", np.zeros((RATE, 2), np.float32), RATE)
    assert measure_loudness(path) == Loudness(LOUDNESS_FLOOR_LUFS, TRUE_PEAK_FLOOR_DBTP)


def test_audio_below_the_absolute_gate_reports_the_floor() -> None:
    whisper = np.full((RATE, 2), 1e-6)
    assert integrated_loudness(whisper, RATE) == LOUDNESS_FLOOR_LUFS


def test_a_clip_shorter_than_one_gating_block_is_still_measured() -> None:
    t = np.arange(RATE // 10) / RATE
    tone = 0.1 * np.sin(2 * np.pi * 1000 * t)
    assert -25 < integrated_loudness(np.stack([tone, tone], axis=1), RATE) < -15


def test_a_surround_master_is_measured_as_the_stereo_listeners_get(tmp_path: Path) -> None:
    path = write_wav(tmp_path / "six.wav", continuous_master(RATE, 2.0, channels=6), RATE)
    loudness = measure_loudness(path)
    assert -40 < loudness.integrated_lufs < 0 and loudness.true_peak_dbtp < 6


def test_lossy_masters_measure_close_to_their_source(tmp_path: Path) -> None:
    wav = write_wav(tmp_path / "m.wav", continuous_master(RATE, 2.0), RATE)
    reference = measure_loudness(wav).integrated_lufs
    for name, codec in (("m.mp3", "libmp3lame"), ("m.ogg", "libvorbis")):
        ffmpeg("-i", str(wav), "-c:a", codec, str(tmp_path / name))
        assert measure_loudness(tmp_path / name).integrated_lufs == pytest.approx(reference, abs=1.0)


def test_gain_brings_a_quiet_track_to_the_target() -> None:
    assert gain_to_target(Loudness(-20.0, -10.0)) == pytest.approx(6.0)
    assert gain_to_target(Loudness(-20.0, -10.0), target_lufs=-16.0) == pytest.approx(4.0)


def test_gain_turns_a_loud_track_down() -> None:
    assert gain_to_target(Loudness(-8.0, 0.5)) == pytest.approx(-6.0)


def test_gain_never_lets_the_true_peak_exceed_minus_one_dbtp() -> None:
    assert gain_to_target(Loudness(-20.0, -3.0)) == pytest.approx(2.0)
    assert gain_to_target(Loudness(-15.0, 0.0)) == pytest.approx(-1.0)


def test_silence_gets_no_gain() -> None:
    assert gain_to_target(Loudness(LOUDNESS_FLOOR_LUFS, TRUE_PEAK_FLOOR_DBTP)) == 0.0
