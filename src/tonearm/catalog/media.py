"""Frozen values the catalog hands to other domains: what a track has to play."""

from __future__ import annotations

from dataclasses import dataclass

from tonearm.audio import AudioFeatures

__all__ = ["AnalysisSource", "HlsRef", "NewTrack", "RenditionRef", "TrackFacts", "TrackMedia"]


@dataclass(frozen=True)
class RenditionRef:
    rung: str
    codec: str
    container: str
    bitrate: int
    premium: bool
    sample_rate: int
    channels: int
    storage_key: str
    bytes: int
    encoder_delay: int
    padding: int
    samples: int


@dataclass(frozen=True)
class HlsRef:
    prefix: str
    variants: tuple[dict[str, object], ...]
    files: tuple[str, ...]


@dataclass(frozen=True)
class TrackMedia:
    track_id: str
    duration_ms: int
    explicit: bool
    integrated_lufs: float
    true_peak_dbtp: float
    renditions: tuple[RenditionRef, ...]
    hls: HlsRef | None


@dataclass(frozen=True)
class NewTrack:
    """Everything ingest learned about a master, ready to publish as catalog rows."""

    master_sha256: str
    name: str
    artist_names: tuple[str, ...]
    album_name: str
    album_artist_names: tuple[str, ...]
    album_type: str
    release_date: str
    release_date_precision: str
    disc_number: int
    track_number: int | None
    duration_ms: int
    explicit: bool
    isrc: str | None
    sample_rate: int
    samples: int
    integrated_lufs: float
    true_peak_dbtp: float
    renditions: tuple[RenditionRef, ...]
    hls: HlsRef | None
    territories: tuple[str, ...] = ("WW",)
    tempo_bpm: float | None = None
    key: int | None = None
    mode: int | None = None
    genres: tuple[str, ...] = ()
    # None when the analysis failed or was not run: the backfill fills it in later.
    features: AudioFeatures | None = None


@dataclass(frozen=True, slots=True)
class TrackFacts:
    """What a track's plays are checked and credited by."""

    duration_ms: int
    artist_ids: tuple[str, ...]


@dataclass(frozen=True)
class AnalysisSource:
    """The kept audio a track's features are computed from (a blob key), and its loudness."""

    track_id: str
    storage_key: str
    integrated_lufs: float
