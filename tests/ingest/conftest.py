from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile


def write_tone(
    path: Path, *, seconds: float = 1.5, rate: int = 44100, freq: float = 440.0, **tags: str
) -> Path:
    t = np.arange(int(seconds * rate)) / rate
    tone = 0.3 * np.sin(2 * np.pi * freq * t) * (1 + 0.2 * np.sin(2 * np.pi * 3 * t))
    soundfile.write(path, np.stack([tone, tone * 0.9], axis=1), rate, subtype="PCM_16")
    if tags:
        import mutagen

        audio = mutagen.File(path, easy=True)
        if audio is not None and audio.tags is None:
            audio.add_tags()
        for key, value in tags.items():
            audio[key] = value
        audio.save()
    return path


@pytest.fixture
def tone(tmp_path: Path) -> Path:
    return write_tone(tmp_path / "tone.wav")


@pytest.fixture
def flac_tone(tmp_path: Path) -> Path:
    return write_tone(
        tmp_path / "tagged.flac",
        freq=330.0,
        title="Tagged Song",
        artist="Tag Artist",
        album="Tag Album",
        tracknumber="3",
        date="2019-04",
        isrc="USRC17607839",
    )
