"""The ingest pipeline as small stages; each can reject the master with a reason.

validate -> tags -> loudness -> features (alongside transcode) -> transcode -> package
-> (publish, in tasks.py)
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tonearm.audio import (
    AudioError,
    AudioFeatures,
    AudioTooLarge,
    HlsPackage,
    Loudness,
    Probe,
    Rendition,
    Tags,
    UnsupportedAudio,
    features_of_file,
    measure_loudness,
    package_hls,
    probe,
    read_tags,
    transcode_ladder,
)
from tonearm.errors import InvalidUpload, PayloadTooLarge, UnsupportedMedia
from tonearm.kit.logs import get_logger

__all__ = [
    "ACCEPTED_EXTENSIONS",
    "Encoded",
    "Measured",
    "Validated",
    "analyse",
    "measure",
    "package",
    "read_metadata",
    "sha256_of",
    "transcode",
    "validate",
]

log = get_logger(__name__)

# Extension -> the format the content must turn out to be.
ACCEPTED_EXTENSIONS = {
    ".wav": "wav",
    ".wave": "wav",
    ".flac": "flac",
    ".aif": "aiff",
    ".aiff": "aiff",
    ".aifc": "aiff",
    ".mp3": "mp3",
    ".ogg": "ogg",
    ".oga": "ogg",
    ".opus": "ogg",
}


@dataclass(frozen=True)
class Validated:
    path: Path
    file_name: str
    sha256: str
    probe: Probe
    warnings: tuple[str, ...]


@dataclass(frozen=True)
class Measured:
    tags: Tags
    loudness: Loudness


@dataclass(frozen=True)
class Encoded:
    renditions: tuple[Rendition, ...]
    hls: HlsPackage


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _audio_rejection(file_name: str, error: AudioError) -> Exception:
    kind = {AudioTooLarge: PayloadTooLarge, UnsupportedAudio: UnsupportedMedia}.get(
        type(error), InvalidUpload
    )
    return kind(f"{file_name}: {error.reason}")


def validate(path: Path, file_name: str, *, max_seconds: float, max_bytes: int) -> Validated:
    extension = Path(file_name).suffix.lower()
    expected = ACCEPTED_EXTENSIONS.get(extension)
    if expected is None:
        accepted = ", ".join(sorted(ACCEPTED_EXTENSIONS))
        raise UnsupportedMedia(
            f"{file_name}: '{extension or 'no extension'}' is not a master format ({accepted})"
        )
    if path.stat().st_size > max_bytes:
        raise PayloadTooLarge(f"{file_name}: larger than the limit of {max_bytes} bytes")
    try:
        probed = probe(path, max_seconds=max_seconds, max_bytes=max_bytes)
    except AudioError as error:
        raise _audio_rejection(file_name, error) from error
    if probed.format != expected:
        raise InvalidUpload(f"{file_name}: holds {probed.format.upper()} audio but is named {extension}")
    warnings = ("MP3 master: lossy source, the ladder cannot be better than it",) if expected == "mp3" else ()
    return Validated(path, file_name, sha256_of(path), probed, warnings)


@contextmanager
def _rejecting(validated: Validated) -> Iterator[None]:
    """Turn the audio package's reasons into API errors naming the file."""
    try:
        yield
    except AudioError as error:
        raise _audio_rejection(validated.file_name, error) from error


def read_metadata(validated: Validated) -> Tags:
    with _rejecting(validated):
        return read_tags(validated.path)


def measure(validated: Validated) -> Loudness:
    with _rejecting(validated):
        return measure_loudness(validated.path)


def analyse(validated: Validated, loudness: Loudness) -> AudioFeatures | None:
    """The master's audio features; None (logged) if the analysis fails, so a track is never
    refused for its features: the backfill tries again later."""
    try:
        return features_of_file(validated.path, loudness=loudness.integrated_lufs)
    except Exception as error:  # the analysis is contained: any failure leaves the track without
        log.warning("audio features failed", file=validated.file_name, error=repr(error))
        return None


def transcode(validated: Validated, work_dir: Path, *, workers: int) -> tuple[Rendition, ...]:
    with _rejecting(validated):
        return tuple(transcode_ladder(validated.path, work_dir / "ladder", workers=workers))


def package(validated: Validated, renditions: tuple[Rendition, ...], work_dir: Path) -> HlsPackage:
    with _rejecting(validated):
        return package_hls(list(renditions), work_dir / "hls")
