"""The playback manifest."""

from __future__ import annotations

from tonearm.schemas import Frozen

__all__ = ["Loudness", "Manifest", "Rendition"]


class Rendition(Frozen):
    rung: str
    codec: str
    bitrate: int
    container: str
    url: str
    sample_rate: int
    channels: int
    encoder_delay: int
    padding: int
    samples: int
    bytes: int


class Loudness(Frozen):
    integrated_lufs: float
    true_peak_dbtp: float
    gain_db: float


class Manifest(Frozen):
    track_id: str
    duration_ms: int
    renditions: list[Rendition]
    hls: str | None
    loudness: Loudness
    expires_at: int
