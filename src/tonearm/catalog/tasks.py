"""The audio-features backfill: every track the current analyser has not heard (never analysed,
or by an older analyser) is analysed from the best file the platform kept for it (the lossless
FLAC rendition; masters are not kept), and stored at once, so a run stopped halfway resumes
where it stopped and a second run finds nothing to do."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from tonearm.audio import AudioFeatures, features_of_file
from tonearm.backends.blobs import BlobStore
from tonearm.catalog.media import AnalysisSource
from tonearm.catalog.service import catalog
from tonearm.kit.db import unit_of_work
from tonearm.kit.logs import get_logger

__all__ = ["Backfilled", "backfill_features"]

log = get_logger(__name__)
_BATCH = 20
_CHUNK = 1 << 20


@dataclass(frozen=True)
class Backfilled:
    analysed: int
    failed: int


def _remaining(session_factory: sessionmaker[Session]) -> int:
    with unit_of_work(session_factory) as session:
        return catalog.count_unanalysed(session)


def _batch(session_factory: sessionmaker[Session], after: str | None) -> list[AnalysisSource]:
    with unit_of_work(session_factory) as session:
        return catalog.unanalysed_tracks(session, after=after, limit=_BATCH)


def _local(blobs: BlobStore, key: str, folder: Path) -> Path:
    """The blob as a file: where it lies on a local store, else copied into `folder`."""
    path = blobs.local_path(key)
    if path is not None:
        return path
    copy, size = folder / Path(key).name, blobs.size(key)
    with copy.open("wb") as out:
        for start in range(0, size, _CHUNK):
            out.write(blobs.read_range(key, start, min(_CHUNK, size - start)))
    return copy


def _analyse(blobs: BlobStore, source: AnalysisSource) -> AudioFeatures | None:
    try:
        with tempfile.TemporaryDirectory(prefix="tonearm-features-") as folder:
            audio = _local(blobs, source.storage_key, Path(folder))
            return features_of_file(audio, loudness=source.integrated_lufs)
    except Exception as error:  # one bad file is logged and skipped; the run goes on
        log.warning("audio features failed", track=source.track_id, error=repr(error))
        return None


def backfill_features(
    session_factory: sessionmaker[Session],
    blobs: BlobStore,
    *,
    progress: Callable[[int, int], None] = lambda _done, _total: None,
) -> Backfilled:
    """Analyse every track without the current analyser's features, committing each as it is
    done; `progress(done, total)` after each track."""
    total, done, failed = _remaining(session_factory), 0, 0
    after: str | None = None
    progress(0, total)
    while batch := _batch(session_factory, after):
        for source in batch:
            features = _analyse(blobs, source)
            if features is None:
                failed += 1
            else:
                with unit_of_work(session_factory) as session:
                    catalog.store_audio_features(session, source.track_id, features)
            done += 1
            progress(done, max(total, done))
        after = batch[-1].track_id
    return Backfilled(done - failed, failed)
