"""The rendition ladder: which encodings every track is delivered in."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

__all__ = ["LADDER", "Rendition", "Rung", "rung_named"]


@dataclass(frozen=True)
class Rung:
    name: str
    codec: str
    container: str
    bitrate: int  # bits/s; 0 for lossless
    extension: str
    premium: bool

    @property
    def lossless(self) -> bool:
        return self.bitrate == 0


LADDER: tuple[Rung, ...] = (
    Rung("opus_24", "opus", "ogg", 24_000, ".opus", premium=False),
    Rung("vorbis_96", "vorbis", "ogg", 96_000, ".ogg", premium=False),
    Rung("vorbis_160", "vorbis", "ogg", 160_000, ".ogg", premium=False),
    Rung("vorbis_320", "vorbis", "ogg", 320_000, ".ogg", premium=True),
    Rung("aac_256", "aac", "mp4", 256_000, ".m4a", premium=False),
    Rung("flac", "flac", "flac", 0, ".flac", premium=True),
)


def rung_named(name: str) -> Rung:
    for rung in LADDER:
        if rung.name == name:
            return rung
    raise KeyError(name)


@dataclass(frozen=True)
class Rendition:
    """One encoded file plus the numbers a gapless player needs.

    Decoding the file with no trim yields ``encoder_delay + samples + padding``
    samples per channel; dropping the delay and the padding leaves the track.
    """

    rung: Rung
    path: Path
    bytes: int
    sample_rate: int
    channels: int
    encoder_delay: int
    padding: int
    samples: int

    @property
    def codec(self) -> str:
        return self.rung.codec

    @property
    def container(self) -> str:
        return self.rung.container

    @property
    def bitrate(self) -> int:
        return self.rung.bitrate

    @property
    def duration_ms(self) -> int:
        return self.samples * 1000 // self.sample_rate
