"""Validate an uploaded master and describe it exactly.

The container is identified from the bytes, the header is checked against the
data present, and the whole stream is decoded: a cut or damaged master must be
refused at upload, not discovered by a listener.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import av
import mutagen.mp3
import numpy as np
from av.audio.frame import AudioFrame
from av.audio.stream import AudioStream

from tonearm.audio._headers import Declared, read_declared
from tonearm.audio._sniff import sniff_format
from tonearm.audio.errors import AudioError, AudioTooLarge, UnsupportedAudio

__all__ = ["ACCEPTED_FORMATS", "MAX_CHANNELS", "Probe", "probe"]

ACCEPTED_FORMATS = frozenset({"wav", "flac", "aiff", "mp3", "ogg"})
MAX_CHANNELS = 8
_CODEC_NAMES = {"mp3float": "mp3", "libopus": "opus"}
# An MP3's declared length counts the encoder's priming and padding.
_MP3_SLACK_SECONDS = 0.1


@dataclass(frozen=True)
class Probe:
    format: str  # "wav" | "flac" | "aiff" | "mp3" | "ogg"
    codec: str
    sample_rate: int
    channels: int
    samples: int  # per channel, exact
    duration_ms: int
    bits_per_sample: int | None


@dataclass(frozen=True)
class _Decoded:
    codec: str
    sample_rate: int
    channels: int
    samples: int
    md5: bytes
    damaged_inside: bool  # a decode error or a jump in timestamps before the end


@dataclass
class _Tally:
    """Running account of a decode; mutable because it is built frame by frame."""

    limit: float
    bits: int | None  # set when FLAC's MD5 must be recomputed
    check_timestamps: bool
    samples: int = 0
    jumps: int = 0
    errors_at: list[int] = field(default_factory=list)
    checksum: Any = field(default_factory=lambda: hashlib.md5(usedforsecurity=False))


def probe(path: Path, *, max_seconds: float, max_bytes: int) -> Probe:
    container = _identify(path, max_bytes)
    declared = read_declared(path, container)
    if declared.samples and declared.sample_rate and declared.samples > max_seconds * declared.sample_rate:
        # Refused from the header, rather than after decoding an hour of audio.
        raise AudioTooLarge(_too_long(max_seconds))
    decoded = _decode(path, container, max_seconds, declared)
    _check_complete(path, container, declared, decoded)
    duration_ms = round(decoded.samples * 1000 / decoded.sample_rate)
    bits = declared.bits_per_sample
    return Probe(
        container,
        decoded.codec,
        decoded.sample_rate,
        decoded.channels,
        decoded.samples,
        duration_ms,
        bits,
    )


def _identify(path: Path, max_bytes: int) -> str:
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            container = sniff_format(handle) if size else None
    except OSError as error:
        raise AudioError("cannot be read") from error
    if size == 0:
        raise AudioError("empty file")
    if size > max_bytes:
        raise AudioTooLarge(f"larger than the limit of {max_bytes} bytes")
    if container is None:
        raise AudioError("not an audio file")
    if container not in ACCEPTED_FORMATS:
        raise UnsupportedAudio(f"unsupported format '{container}'")
    return container


def _too_long(max_seconds: float) -> str:
    return f"longer than the limit of {max_seconds:g} s"


def _decode(path: Path, container: str, max_seconds: float, declared: Declared) -> _Decoded:
    try:
        with av.open(str(path), format=container) as handle:
            return _decode_stream(handle, max_seconds, declared)
    except av.error.FFmpegError as error:
        raise AudioError("corrupt") from error


def _decode_stream(handle: av.container.InputContainer, max_seconds: float, declared: Declared) -> _Decoded:
    stream = _audio_stream(handle)
    context = stream.codec_context
    bits = (declared.bits_per_sample or 16) if declared.md5 is not None else None
    # FLAC frames carry their own sample position, so a lost frame shows as a jump.
    tally = _Tally(max_seconds * context.sample_rate, bits, handle.format.name == "flac")
    for packet in handle.demux(stream):
        for frame in _decode_packet(packet, tally):
            _count(frame, tally, max_seconds)
    name = _CODEC_NAMES.get(context.name, context.name)
    damaged = bool(tally.jumps) or any(at < tally.samples for at in tally.errors_at)
    digest = tally.checksum.digest()
    return _Decoded(name, context.sample_rate, context.channels, tally.samples, digest, damaged)


def _audio_stream(handle: av.container.InputContainer) -> av.AudioStream:
    if not handle.streams.audio:
        raise AudioError("not an audio file")
    stream = handle.streams.audio[0]
    channels = stream.codec_context.channels
    if not 1 <= channels <= MAX_CHANNELS:
        raise UnsupportedAudio(f"{channels} channels; at most {MAX_CHANNELS} are supported")
    return stream


def _decode_packet(packet: av.Packet[AudioStream], tally: _Tally) -> list[AudioFrame]:
    try:
        return packet.decode()
    except av.error.FFmpegError:
        # Remember where it broke: at the very end it means a cut, earlier damage.
        tally.errors_at.append(tally.samples)
        return []


def _count(frame: AudioFrame, tally: _Tally, max_seconds: float) -> None:
    if tally.check_timestamps and frame.pts is not None and frame.pts != tally.samples:
        tally.jumps += 1
    tally.samples += frame.samples
    if tally.samples > tally.limit:
        raise AudioTooLarge(_too_long(max_seconds))
    if tally.bits is not None:
        tally.checksum.update(_flac_md5_bytes(frame, tally.bits))


def _flac_md5_bytes(frame: AudioFrame, bits: int) -> bytes:
    """Samples in the layout FLAC's STREAMINFO checksum is defined over."""
    array = frame.to_ndarray()
    if frame.format.is_planar:
        array = array.T
    # libavcodec left-aligns samples in its 16 or 32 bit containers.
    values = array.astype(np.int32) >> (frame.format.bits - bits)
    width = math.ceil(bits / 8)
    little = np.ascontiguousarray(values, dtype="<i4").view(np.uint8).reshape(-1, 4)
    return little[:, :width].tobytes()


def _check_complete(path: Path, container: str, declared: Declared, decoded: _Decoded) -> None:
    if decoded.samples == 0:
        raise AudioError("no audio samples")
    if decoded.damaged_inside:
        raise AudioError("corrupt")
    if declared.samples is not None and decoded.samples < declared.samples:
        raise AudioError("truncated")
    if declared.samples is not None and decoded.samples != declared.samples:
        raise AudioError("corrupt")
    if declared.md5 is not None and declared.md5 != decoded.md5:
        raise AudioError("corrupt (checksum mismatch)")
    if container == "mp3":
        _check_mp3_length(path, decoded)


def _check_mp3_length(path: Path, decoded: _Decoded) -> None:
    try:
        # mutagen declares FileType.info as None; MP3's loader always sets an MPEGInfo (or raises).
        expected = cast(mutagen.mp3.MPEGInfo, mutagen.mp3.MP3(path).info).length
    except mutagen.MutagenError as error:
        raise AudioError("corrupt") from error
    if decoded.samples / decoded.sample_rate < expected - _MP3_SLACK_SECONDS:
        raise AudioError("truncated")
