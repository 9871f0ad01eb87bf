"""Decoding to float32 arrays, with and without the container's trim applied.

``decode_trimmed`` is what any standard player hears. ``decode_raw`` feeds the
codec every packet with no trim at all (no Opus pre-skip, no Ogg end granule,
no MP4 edit list) so gapless bookkeeping can be checked against the truth.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np
from av.audio.frame import AudioFrame

from tonearm.audio._ogg import OggPacket, read_packets, read_pages
from tonearm.audio._sniff import sniff_format
from tonearm.audio.errors import AudioError, UnsupportedAudio

__all__ = [
    "OggDecode",
    "decode_ogg_packets",
    "decode_raw",
    "decode_trimmed",
    "frame_to_float",
    "ogg_codec_name",
    "open_audio",
]

# libavcodec's native Opus decoder can hand back part of a packet's samples one
# packet late (seen on a switch into SILK mode), which breaks per-packet counts;
# libopus, the reference decoder, returns every packet whole.
_REFERENCE_DECODERS = {"opus": "libopus"}
_INTEGER_SCALE = {"s16": 2.0**15, "s32": 2.0**31, "s64": 2.0**63}


def frame_to_float(frame: AudioFrame) -> np.ndarray:
    """One decoded frame as float32 ``[samples, channels]``."""
    array = frame.to_ndarray()
    if not frame.format.is_planar:
        array = array.reshape(-1, len(frame.layout.channels)).T
    return _to_float32(array, frame.format.name.rstrip("p")).T


def _to_float32(array: np.ndarray, kind: str) -> np.ndarray:
    if kind == "u8":
        return ((array.astype(np.float32) - 128.0) / 128.0).astype(np.float32)
    scale = _INTEGER_SCALE.get(kind)
    scaled = array.astype(np.float64) / scale if scale else array
    return scaled.astype(np.float32)


def _join(chunks: list[np.ndarray], channels: int) -> np.ndarray:
    if not chunks:
        return np.zeros((0, channels), dtype=np.float32)
    return np.ascontiguousarray(np.concatenate(chunks, axis=0))


def open_audio(path: Path, options: dict[str, str] | None = None) -> av.container.InputContainer:
    """Open with the demuxer the content calls for, whatever the file is named."""
    with path.open("rb") as handle:
        container = sniff_format(handle)
    try:
        return av.open(str(path), format=container, options=options or {})
    except av.error.FFmpegError as error:
        raise AudioError("not an audio file") from error


def decode_trimmed(path: Path) -> tuple[np.ndarray, int]:
    """Decode as a standard player does, honouring every trim the container carries."""
    with open_audio(path) as container:
        stream = container.streams.audio[0]
        chunks = [frame_to_float(frame) for frame in container.decode(stream)]
        return _join(chunks, stream.codec_context.channels), stream.codec_context.sample_rate


def decode_raw(path: Path) -> tuple[np.ndarray, int]:
    """Decode every coded sample, ignoring pre-skip, end granules and edit lists."""
    with path.open("rb") as handle:
        magic = handle.read(4)
    if magic == b"OggS":
        decoded = decode_ogg_packets(path)
        return _join(list(decoded.chunks), decoded.channels), decoded.sample_rate
    return _decode_bare_packets(path)


def _decode_bare_packets(path: Path) -> tuple[np.ndarray, int]:
    # Fresh packets carry no skip side data and no discard flags, and a fresh
    # decoder has no delay configured, so nothing is trimmed.
    with open_audio(path, {"ignore_editlist": "1"}) as container:
        stream = container.streams.audio[0]
        codec = _fresh_decoder(stream.codec_context.name, stream.codec_context.extradata)
        codec.sample_rate = stream.codec_context.sample_rate
        codec.layout = stream.codec_context.layout
        chunks = [
            frame_to_float(frame)
            for packet in container.demux(stream)
            if packet.size
            for frame in codec.decode(av.Packet(bytes(packet)))
        ]
        chunks += [frame_to_float(frame) for frame in codec.decode(None)]
        return _join(chunks, stream.codec_context.channels), stream.codec_context.sample_rate


def _fresh_decoder(name: str, extradata: bytes | None) -> av.AudioCodecContext:
    codec = av.CodecContext.create(name, "r")
    if extradata:
        codec.extradata = extradata
    return codec  # type: ignore[return-value]


@dataclass(frozen=True)
class OggDecode:
    """An Ogg stream decoded packet by packet, with the granules it carried."""

    codec: str
    head: bytes
    packets: tuple[OggPacket, ...]  # audio packets only
    chunks: tuple[np.ndarray, ...]  # decoded audio of each packet, same order
    sample_rate: int
    channels: int


def decode_ogg_packets(path: Path) -> OggDecode:
    pages = read_pages(path.read_bytes())
    if not pages:
        raise AudioError("empty Ogg stream")
    packets = read_packets(pages, pages[0].serial)
    codec, extradata, audio = _ogg_setup(packets)
    decoder = _fresh_decoder(_REFERENCE_DECODERS.get(codec, codec), extradata)
    chunks = [_decode_packet(decoder, packet.data) for packet in audio]
    if chunks:
        chunks[-1] = np.concatenate([chunks[-1], _decode_packet(decoder, None)])
    rate, channels = decoder.sample_rate, decoder.channels
    return OggDecode(codec, packets[0].data, tuple(audio), tuple(chunks), rate, channels)


def _decode_packet(decoder: av.AudioCodecContext, data: bytes | None) -> np.ndarray:
    packet = None if data is None else av.Packet(data)
    frames = [frame_to_float(frame) for frame in decoder.decode(packet)]
    return _join(frames, decoder.channels)


def _ogg_setup(packets: list[OggPacket]) -> tuple[str, bytes, list[OggPacket]]:
    head = packets[0].data if packets else b""
    if head.startswith(b"OpusHead") and len(head) >= 19:
        # Zeroing pre-skip stops libavcodec from applying it inside the decoder.
        return "opus", head[:10] + struct.pack("<H", 0) + head[12:], packets[2:]
    if head.startswith(b"\x01vorbis") and len(packets) >= 3:
        return "vorbis", _xiph_extradata([p.data for p in packets[:3]]), packets[3:]
    raise UnsupportedAudio(f"unsupported codec '{ogg_codec_name(head)}'")


def _xiph_extradata(headers: list[bytes]) -> bytes:
    lacing = b"".join(b"\xff" * (len(h) // 255) + bytes([len(h) % 255]) for h in headers[:2])
    return b"\x02" + lacing + b"".join(headers)


def ogg_codec_name(head: bytes) -> str:
    """Name the codec of an Ogg stream from its first packet, for error messages."""
    for magic, name in _OGG_MAGIC:
        if head.startswith(magic):
            return name
    return "unknown"


_OGG_MAGIC = (
    (b"OpusHead", "opus"),
    (b"\x01vorbis", "vorbis"),
    (b"Speex   ", "speex"),
    (b"\x80theora", "theora"),
    (b"\x7fFLAC", "flac"),
    (b"fishead", "skeleton"),
    (b"\x80kate", "kate"),
)
