"""Reading encoder delay and padding back out of the containers we wrote.

Every number comes from the file: Opus pre-skip and granules, Vorbis granules,
the MP4 edit list and sample table, FLAC STREAMINFO. The raw length they are
checked against is what a decoder produces when no trim is applied.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

import av
import mutagen.flac

from tonearm.audio._mp4 import read_audio_track
from tonearm.audio.decode import OggDecode, decode_ogg_packets, decode_trimmed
from tonearm.audio.errors import AudioError

__all__ = ["Trim", "read_trim"]


@dataclass(frozen=True)
class Trim:
    """``encoder_delay + samples + padding`` equals the untrimmed decoded length."""

    codec: str
    sample_rate: int
    channels: int
    encoder_delay: int
    padding: int
    samples: int

    @property
    def raw_samples(self) -> int:
        return self.encoder_delay + self.samples + self.padding


def read_trim(path: Path) -> Trim:
    with path.open("rb") as handle:
        head = handle.read(12)
    if head.startswith(b"OggS"):
        return _ogg_trim(decode_ogg_packets(path))
    if head[4:8] == b"ftyp":
        return _mp4_trim(path)
    if head.startswith(b"fLaC"):
        return _flac_trim(path)
    audio, rate = decode_trimmed(path)
    return Trim("pcm", rate, audio.shape[1], 0, 0, audio.shape[0])


def _ogg_trim(decoded: OggDecode) -> Trim:
    pre_skip = struct.unpack_from("<H", decoded.head, 10)[0] if decoded.codec == "opus" else 0
    lengths = [len(chunk) for chunk in decoded.chunks]
    first, final = _first_granule(decoded), decoded.packets[-1].granule
    # Granule of the first decoded sample; below zero means the stream asks for
    # extra samples to be dropped from its start (RFC 7845 §4.5, Vorbis I §A.2).
    origin = first[1] - sum(lengths[: first[0] + 1])
    end = final - origin
    delay = pre_skip + max(0, -origin)
    if final < 0 or end < delay or end > sum(lengths):
        raise AudioError("corrupt Ogg granule positions")
    rate, channels = decoded.sample_rate, decoded.channels
    return Trim(decoded.codec, rate, channels, delay, sum(lengths) - end, end - delay)


def _first_granule(decoded: OggDecode) -> tuple[int, int]:
    for index, packet in enumerate(decoded.packets):
        if packet.granule >= 0:
            return index, packet.granule
    raise AudioError("Ogg stream without granule positions")


def _mp4_trim(path: Path) -> Trim:
    track = read_audio_track(path.read_bytes())
    codec, rate, channels, frame_size = _stream_shape(path)
    raw = track.sample_count * frame_size
    delay = track.edit_media_time or 0
    edited = track.edit_duration_in_media_units
    samples = track.media_duration - delay if edited is None else edited
    if track.media_timescale != rate or delay + samples > raw:
        raise AudioError("inconsistent MP4 edit list")
    return Trim(codec, rate, channels, delay, raw - delay - samples, samples)


def _stream_shape(path: Path) -> tuple[str, int, int, int]:
    with av.open(str(path)) as container:
        context = container.streams.audio[0].codec_context
        return context.name, context.sample_rate, context.channels, context.frame_size


def _flac_trim(path: Path) -> Trim:
    info = mutagen.flac.FLAC(path).info
    return Trim("flac", info.sample_rate, info.channels, 0, 0, info.total_samples)
