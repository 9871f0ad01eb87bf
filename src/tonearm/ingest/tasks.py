"""The ingest job: runs the stages, publishes blobs then rows, and is its own unit of work.

Publication is atomic: blobs go up first under content-addressed keys, rows are written in one
transaction, and if anything fails the blobs this run created are removed again.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from tonearm.audio import AudioFeatures, HlsPackage, Rendition, Tags
from tonearm.backends.blobs import BlobStore
from tonearm.catalog import HlsRef, NewTrack, RenditionRef
from tonearm.catalog import catalog as catalog_service
from tonearm.errors import Forbidden
from tonearm.ingest.metadata import resolve_metadata
from tonearm.ingest.schemas import Hints, IngestResult
from tonearm.ingest.stages import (
    Encoded,
    Measured,
    Validated,
    analyse,
    measure,
    package,
    read_metadata,
    sha256_of,
    transcode,
    validate,
)
from tonearm.kit.db import unit_of_work
from tonearm.kit.logs import get_logger
from tonearm.kit.media_paths import HLS_ROOT
from tonearm.kit.metrics import Metrics
from tonearm.kit.plugin import Platform

__all__ = ["IngestContext", "ingest_master"]

log = get_logger(__name__)
# Bump when the ladder or packaging changes, so new packages do not collide with old ones.
PACKAGE_VERSION = "1"


@dataclass(frozen=True)
class IngestContext:
    session_factory: sessionmaker[Session]
    blobs: BlobStore
    metrics: Metrics
    max_seconds: float
    max_bytes: int
    workers: int
    # The catalog artists the uploader speaks for (an artist account); None for an admin or an
    # operator at the console, who may publish for anyone.
    for_artists: frozenset[str] | None = None
    # Analyse the audio features alongside the transcode (off only to measure what they cost).
    audio_features: bool = True

    @classmethod
    def of(cls, platform: Platform) -> IngestContext:
        """What ingest needs from the platform one process opened, with the settings' limits."""
        settings = platform.settings
        return cls(
            session_factory=platform.session_factory,
            blobs=platform.blobs,
            metrics=platform.metrics,
            max_seconds=settings.max_master_seconds,
            max_bytes=settings.max_master_bytes,
            workers=settings.transcode_workers,
        )


@contextmanager
def _stage(metrics: Metrics, name: str) -> Iterator[None]:
    started = time.perf_counter()
    try:
        yield
    finally:
        metrics.ingest_stage_seconds.labels(name).observe(time.perf_counter() - started)


def _existing(ctx: IngestContext, sha256: str) -> str | None:
    with unit_of_work(ctx.session_factory) as session:
        return catalog_service.find_by_master(session, sha256)


def ingest_master(ctx: IngestContext, path: Path, *, file_name: str, hints: Hints) -> IngestResult:
    """Ingest one master; raises a TonearmError naming the file and the reason on rejection."""
    try:
        result = _run(ctx, path, file_name, hints)
    except Exception:
        ctx.metrics.ingest_tracks.labels("rejected").inc()
        raise
    ctx.metrics.ingest_tracks.labels(result.outcome).inc()
    log.info("ingested", file=file_name, track=result.id, outcome=result.outcome)
    return result


def _run(ctx: IngestContext, path: Path, file_name: str, hints: Hints) -> IngestResult:
    existing = _existing(ctx, sha256_of(path)) if path.is_file() else None
    if existing is not None:
        return _duplicate(ctx, existing, file_name)
    with _stage(ctx.metrics, "validate"):
        validated = validate(path, file_name, max_seconds=ctx.max_seconds, max_bytes=ctx.max_bytes)
    with _stage(ctx.metrics, "tags"):
        tags = read_metadata(validated)
        _check_artists(ctx, validated, hints, tags)
    with _stage(ctx.metrics, "loudness"):
        measured = Measured(tags=tags, loudness=measure(validated))
    with tempfile.TemporaryDirectory(prefix="tonearm-ingest-") as work, ThreadPoolExecutor(1) as pool:
        # The ladder runs in ffmpeg processes, so the analysis takes the time this process
        # would spend waiting for them.
        features = pool.submit(_features, ctx, validated, measured)
        with _stage(ctx.metrics, "transcode"):
            renditions = transcode(validated, Path(work), workers=ctx.workers)
        with _stage(ctx.metrics, "package"):
            encoded = Encoded(renditions, package(validated, renditions, Path(work)))
        with _stage(ctx.metrics, "publish"):
            return _publish(ctx, validated, measured, encoded, hints, features)


def _features(ctx: IngestContext, validated: Validated, measured: Measured) -> AudioFeatures | None:
    if not ctx.audio_features:
        return None
    with _stage(ctx.metrics, "features"):
        return analyse(validated, measured.loudness)


def _check_artists(ctx: IngestContext, validated: Validated, hints: Hints, tags: Tags) -> None:
    """An artist account publishes only under its own name: as the track's main artist and the
    album's (featured and further artists may be anyone)."""
    if ctx.for_artists is None:
        return
    meta = resolve_metadata(hints, tags, Path(validated.file_name).stem)
    for name in (*meta.artists[:1], *meta.album_artists[:1]):
        if catalog_service.artist_id_for(name) not in ctx.for_artists:
            raise Forbidden(
                f"{validated.file_name}: this account may upload only for its own artists, "
                f"and '{name[:100]}' is not one of them"
            )


def _duplicate(ctx: IngestContext, track_id: str, file_name: str) -> IngestResult:
    with unit_of_work(ctx.session_factory) as session:
        track = catalog_service.get_track(session, track_id, base="")
    return IngestResult.of(track_id, track.name, track.duration_ms, "duplicate", file=file_name)


class _Uploads:
    """Blobs put by this run, so a failure can take back exactly those."""

    def __init__(self, blobs: BlobStore) -> None:
        self.blobs = blobs
        self.created: list[str] = []

    def put(self, key: str, source: Path) -> str:
        if not self.blobs.exists(key):
            self.blobs.put_file(key, source)
            self.created.append(key)
        return key

    def undo(self) -> None:
        for key in reversed(self.created):
            self.blobs.delete(key)


def _rendition_ref(uploads: _Uploads, rendition: Rendition) -> RenditionRef:
    key = f"audio/{sha256_of(rendition.path)}{rendition.rung.extension}"
    uploads.put(key, rendition.path)
    return RenditionRef(
        rung=rendition.rung.name,
        codec=rendition.rung.codec,
        container=rendition.rung.container,
        bitrate=rendition.rung.bitrate,
        premium=rendition.rung.premium,
        sample_rate=rendition.sample_rate,
        channels=rendition.channels,
        storage_key=key,
        bytes=rendition.bytes,
        encoder_delay=rendition.encoder_delay,
        padding=rendition.padding,
        samples=rendition.samples,
    )


def _hls_ref(uploads: _Uploads, package: HlsPackage, sha256: str) -> HlsRef:
    prefix = f"{HLS_ROOT}/{sha256[:32]}v{PACKAGE_VERSION}/"
    files = sorted(p for p in package.directory.rglob("*") if p.is_file())
    for file in files:
        uploads.put(prefix + file.relative_to(package.directory).as_posix(), file)
    variants = tuple(
        {
            "rung_name": v.rung_name,
            "codec_string": v.codec_string,
            "bandwidth": v.bandwidth,
            "playlist": v.playlist,
            "premium": v.premium,
        }
        for v in package.variants
    )
    names = tuple(file.relative_to(package.directory).as_posix() for file in files)
    return HlsRef(prefix=prefix, variants=variants, files=names)


def _new_track(
    validated: Validated,
    measured: Measured,
    hints: Hints,
    renditions: tuple[RenditionRef, ...],
    hls: HlsRef,
    features: AudioFeatures | None,
) -> NewTrack:
    meta = resolve_metadata(hints, measured.tags, Path(validated.file_name).stem)
    return NewTrack(
        master_sha256=validated.sha256,
        name=meta.name,
        artist_names=meta.artists,
        album_name=meta.album,
        album_artist_names=meta.album_artists,
        album_type=meta.album_type,
        release_date=meta.release_date,
        release_date_precision=meta.release_date_precision,
        disc_number=meta.disc_number,
        track_number=meta.track_number,
        duration_ms=validated.probe.duration_ms,
        explicit=meta.explicit,
        isrc=meta.isrc,
        sample_rate=validated.probe.sample_rate,
        samples=validated.probe.samples,
        integrated_lufs=measured.loudness.integrated_lufs,
        true_peak_dbtp=measured.loudness.true_peak_dbtp,
        renditions=renditions,
        hls=hls,
        territories=hints.territories,
        tempo_bpm=hints.tempo_bpm,
        key=hints.key,
        mode=hints.mode,
        genres=hints.genres,
        features=features,
        label=meta.label,
    )


def _publish(
    ctx: IngestContext,
    validated: Validated,
    measured: Measured,
    encoded: Encoded,
    hints: Hints,
    features: Future[AudioFeatures | None],
) -> IngestResult:
    uploads = _Uploads(ctx.blobs)
    try:
        renditions = tuple(_rendition_ref(uploads, r) for r in encoded.renditions)
        hls = _hls_ref(uploads, encoded.hls, validated.sha256)
        new = _new_track(validated, measured, hints, renditions, hls, features.result())
        with unit_of_work(ctx.session_factory) as session:
            track_id = catalog_service.publish(session, new)
    except IntegrityError:
        # Another run published the same master meanwhile; its rows use these same blobs.
        winner = _existing(ctx, validated.sha256)
        if winner is None:
            uploads.undo()
            raise
        return _duplicate(ctx, winner, validated.file_name)
    except BaseException:
        uploads.undo()
        raise
    return IngestResult.of(
        track_id,
        new.name,
        new.duration_ms,
        "published",
        file=validated.file_name,
        warnings=list(validated.warnings),
    )
