"""The ingest pipeline as small stages; each can reject the master with a reason.

validate -> tags -> measure -> encode -> package -> (publish, in tasks.py)
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from tonearm.audio import (
    AudioError,
    AudioTooLarge,
    HlsPackage,
    Loudness,
    Probe,
    Rendition,
    Tags,
    UnsupportedAudio,
    measure_loudness,
    package_hls,
    probe,
    read_tags,
    transcode_ladder,
)
from tonearm.errors import InvalidUpload, PayloadTooLarge, UnsupportedMedia

__all__ = [
    "ACCEPTED_EXTENSIONS",
    "Encoded",
    "Measured",
    "Validated",
    "encode",
    "measure",
    "sha256_of",
    "validate",
]

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


def measure(validated: Validated) -> Measured:
    try:
        return Measured(tags=read_tags(validated.path), loudness=measure_loudness(validated.path))
    except AudioError as error:
        raise _audio_rejection(validated.file_name, error) from error


def encode(validated: Validated, work_dir: Path, *, workers: int) -> Encoded:
    try:
        renditions = transcode_ladder(validated.path, work_dir / "ladder", workers=workers)
        hls = package_hls(renditions, work_dir / "hls")
    except AudioError as error:
        raise _audio_rejection(validated.file_name, error) from error
    return Encoded(renditions=tuple(renditions), hls=hls)
