"""Test audio made on the fly: short, continuous signals written to tmp dirs."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
import soundfile

from tonearm.audio import Rendition, Rung, transcode_ladder

SPLIT = 96_037  # deliberately on no codec's frame boundary


def continuous_master(rate: int, seconds: float = 4.0, channels: int = 2) -> np.ndarray:
    """A gliding chord with no silence anywhere, so any gap or shift would show.

    It starts at 330 Hz: lower down a correlation peak is too flat to pin a
    lag to one sample through a lossy codec.
    """
    t = np.arange(round(seconds * rate)) / rate
    phase = 2 * np.pi * np.cumsum(330.0 * np.exp(np.log(8.0) * t / seconds)) / rate
    voices = [
        0.3 * np.sin(phase * (1.0 + 0.26 * c)) + 0.15 * np.sin(1.5 * phase + c) + 0.1 * np.sin(0.75 * phase)
        for c in range(channels)
    ]
    return np.stack(voices, axis=1).astype(np.float32)


def write_wav(path: Path, audio: np.ndarray, rate: int, subtype: str = "PCM_16") -> Path:
    soundfile.write(str(path), audio, rate, subtype=subtype)
    return path


def ffmpeg(*args: str) -> None:
    """Make a test input in some other format with the real ffmpeg."""
    command = ["/usr/bin/ffmpeg", "-nostdin", "-v", "error", "-y", *args]
    subprocess.run(command, check=True, capture_output=True)


@dataclass(frozen=True)
class Ladder:
    master: np.ndarray
    rate: int
    renditions: dict[str, Rendition]


@dataclass(frozen=True)
class SplitLadders:
    master: np.ndarray
    rate: int
    first: dict[str, Rendition]
    second: dict[str, Rendition]


# Same code path as the opus_24 rung at a bit rate where libopus stays in its
# phase-exact CELT mode, so alignment can be pinned to the sample.
OPUS_64 = Rung("opus_64", "opus", "ogg", 64_000, ".opus", premium=False)


def _ladder(path: Path, out_dir: Path, ladder: tuple[Rung, ...] | None = None) -> dict[str, Rendition]:
    renditions = (
        transcode_ladder(path, out_dir) if ladder is None else transcode_ladder(path, out_dir, ladder=ladder)
    )
    return {rendition.rung.name: rendition for rendition in renditions}


@pytest.fixture(scope="session")
def ladder_48k(tmp_path_factory: pytest.TempPathFactory) -> Ladder:
    folder = tmp_path_factory.mktemp("ladder48")
    master = continuous_master(48_000)
    path = write_wav(folder / "master.wav", master, 48_000)
    return Ladder(master, 48_000, _ladder(path, folder / "out"))


def _split_ladders(folder: Path, rate: int, ladder: tuple[Rung, ...] | None = None) -> SplitLadders:
    master = continuous_master(rate)
    first = write_wav(folder / "a.wav", master[:SPLIT], rate, "FLOAT")
    second = write_wav(folder / "b.wav", master[SPLIT:], rate, "FLOAT")
    return SplitLadders(
        master, rate, _ladder(first, folder / "out-a", ladder), _ladder(second, folder / "out-b", ladder)
    )


@pytest.fixture(scope="session")
def split_48k(tmp_path_factory: pytest.TempPathFactory) -> SplitLadders:
    return _split_ladders(tmp_path_factory.mktemp("split48"), 48_000)


@pytest.fixture(scope="session")
def split_44k(tmp_path_factory: pytest.TempPathFactory) -> SplitLadders:
    return _split_ladders(tmp_path_factory.mktemp("split44"), 44_100)


@pytest.fixture(scope="session", params=[48_000, 44_100], ids=["48k", "44k"])
def split_opus_64(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> SplitLadders:
    folder = tmp_path_factory.mktemp(f"split-opus64-{request.param}")
    return _split_ladders(folder, request.param, (OPUS_64,))
