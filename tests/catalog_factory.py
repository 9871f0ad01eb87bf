"""Catalog rows for tests that do not need real audio: published through the catalog service."""

from __future__ import annotations

import hashlib
from dataclasses import replace

from sqlalchemy.orm import Session

from tonearm.catalog.media import HlsRef, NewTrack, RenditionRef
from tonearm.catalog.service import catalog

__all__ = ["make_track", "publish"]


def _rendition(rung: str, codec: str, container: str, bitrate: int, premium: bool, seed: str) -> RenditionRef:
    key = f"audio/{hashlib.sha256(f'{seed}{rung}'.encode()).hexdigest()}.bin"
    return RenditionRef(
        rung=rung,
        codec=codec,
        container=container,
        bitrate=bitrate,
        premium=premium,
        sample_rate=48000,
        channels=2,
        storage_key=key,
        bytes=1000,
        encoder_delay=0,
        padding=0,
        samples=48000,
    )


def make_track(name: str = "Song", **changes: object) -> NewTrack:
    seed = hashlib.sha256(f"{name}{sorted(changes.items())}".encode()).hexdigest()
    base = NewTrack(
        master_sha256=seed,
        name=name,
        artist_names=("Artist",),
        album_name="Album",
        album_artist_names=("Artist",),
        album_type="album",
        release_date="2024-01-02",
        release_date_precision="day",
        disc_number=1,
        track_number=None,
        duration_ms=1000,
        explicit=False,
        isrc=None,
        sample_rate=48000,
        samples=48000,
        integrated_lufs=-18.0,
        true_peak_dbtp=-3.0,
        renditions=(
            _rendition("opus_24", "opus", "ogg", 24000, False, seed),
            _rendition("vorbis_320", "vorbis", "ogg", 320000, True, seed),
            _rendition("flac", "flac", "flac", 0, True, seed),
        ),
        hls=HlsRef(prefix=f"hls/{seed[:32]}v1/", variants=(), files=("master.m3u8",)),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def publish(session: Session, *tracks: NewTrack) -> list[str]:
    return [catalog.publish(session, track) for track in tracks]
