"""Frozen values the catalog hands to other domains: what a track has to play, and whom its
streams pay (its rightsholder and the splits of its share, in basis points)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from tonearm.audio import AudioFeatures

__all__ = [
    "RIGHTSHOLDER_KINDS",
    "SPLIT_ROLES",
    "WHOLE_BP",
    "AnalysisSource",
    "HlsRef",
    "NewTrack",
    "RenditionRef",
    "RightsRow",
    "RightsholderKind",
    "RightsholderRecord",
    "Split",
    "SplitRole",
    "TrackFacts",
    "TrackMedia",
]


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
    # The label the tags name: the track's rightsholder (created by name if new) and the album's
    # label, when the album is new.
    label: str | None = None


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


RightsholderKind = Literal["label", "distributor"]
SplitRole = Literal["artist", "producer", "publisher", "songwriter", "label", "other"]
RIGHTSHOLDER_KINDS: tuple[RightsholderKind, ...] = ("label", "distributor")
SPLIT_ROLES: tuple[SplitRole, ...] = ("artist", "producer", "publisher", "songwriter", "label", "other")
WHOLE_BP = 10_000


@dataclass(frozen=True, slots=True)
class RightsholderRecord:
    id: str
    name: str
    kind: RightsholderKind


@dataclass(frozen=True, slots=True)
class Split:
    """One party's share of what the rightsholder is paid for a track."""

    party: str
    role: SplitRole
    share_bp: int


@dataclass(frozen=True, slots=True)
class RightsRow:
    """One party's share of one track, with whom the track pays and whom it credits."""

    track_id: str
    rightsholder_id: str
    rightsholder_name: str
    party: str
    role: SplitRole
    share_bp: int
    artist_ids: tuple[str, ...]
