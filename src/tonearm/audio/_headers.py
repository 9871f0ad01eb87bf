"""What each container's header declares, checked against the bytes present.

Decoders quietly stop at the end of the data, so a WAV whose header promises
more than the file holds would otherwise pass as a shorter, valid track.
"""

from __future__ import annotations

import math
import mmap
import struct
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tonearm.audio._ogg import EOS_FLAG, read_packets, read_pages
from tonearm.audio._sniff import id3_size
from tonearm.audio.decode import ogg_codec_name
from tonearm.audio.errors import AudioError, UnsupportedAudio

__all__ = ["Buffer", "Declared", "mapped", "read_declared", "riff_chunks"]

_WAV_CODECS = {2: "adpcm_ms", 6: "pcm_alaw", 7: "pcm_mulaw", 0x11: "adpcm_ima_wav", 0x55: "mp3"}
_AIFC_PCM = frozenset({b"NONE", b"twos", b"sowt", b"fl32", b"FL32", b"fl64", b"FL64", b"in24"})
_OGG_CODECS = frozenset({"opus", "vorbis"})
Buffer = bytes | mmap.mmap


@dataclass(frozen=True)
class Declared:
    samples: int | None  # per channel, when the container states it
    bits_per_sample: int | None
    sample_rate: int | None = None
    md5: bytes | None = None  # FLAC's checksum of the decoded samples, when set


def read_declared(path: Path, container: str) -> Declared:
    readers = {"wav": _wav, "aiff": _aiff, "flac": _flac, "ogg": _ogg}
    reader = readers.get(container)
    if reader is None:
        return Declared(None, None)
    with mapped(path) as data:
        return reader(data)


@contextmanager
def mapped(path: Path) -> Iterator[Buffer]:
    """The file's bytes, mapped rather than read: a long hi-res WAV is not copied."""
    with path.open("rb") as handle:
        if path.stat().st_size == 0:
            yield b""
            return
        with mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
            yield data


def riff_chunks(data: Buffer, start: int, order: str = "<") -> Iterator[tuple[bytes, int, int]]:
    """(id, payload offset, declared payload size) of RIFF or IFF chunks."""
    offset = start
    while offset + 8 <= len(data):
        kind, size = struct.unpack_from(f"{order}4sI", data, offset)
        yield kind, offset + 8, size
        offset += 8 + size + (size & 1)  # chunks are padded to an even length


def _wav(data: Buffer) -> Declared:
    shape = None
    for kind, offset, size in riff_chunks(data, 12, "<"):
        if kind == b"fmt ":
            shape = _wav_format(data[offset : offset + size])
        elif kind == b"data":
            return _pcm_payload(shape, size, len(data) - offset)
    raise AudioError("truncated" if shape else "not an audio file")


def _wav_format(fmt: bytes) -> tuple[int, int, int]:
    if len(fmt) < 16:
        raise AudioError("corrupt WAV header")
    tag, channels, rate, _, _, bits = struct.unpack_from("<HHIIHH", fmt)
    if tag == 0xFFFE and len(fmt) >= 26:
        tag = struct.unpack_from("<H", fmt, 24)[0]  # first field of the subformat GUID
    if tag not in (1, 3) or (tag == 3 and bits not in (32, 64)):
        raise UnsupportedAudio(f"unsupported codec '{_WAV_CODECS.get(tag, f'wav format 0x{tag:04x}')}'")
    return channels, bits, rate


def _pcm_payload(shape: tuple[int, int, int] | None, size: int, present: int) -> Declared:
    if shape is None or not shape[0] or not shape[1]:
        raise AudioError("corrupt WAV header")
    if size > present:
        raise AudioError("truncated")
    channels, bits, rate = shape
    return Declared(size // (channels * math.ceil(bits / 8)), bits, rate)


def _aiff(data: Buffer) -> Declared:
    comm = None
    for kind, offset, size in riff_chunks(data, 12, ">"):
        if kind == b"COMM":
            comm = _aiff_common(data[offset : offset + size], data[8:12] == b"AIFC")
        elif kind == b"SSND" and comm:
            return _aiff_sound(comm, size - 8, len(data) - offset - 8)
    raise AudioError("truncated" if comm else "not an audio file")


def _aiff_common(comm: bytes, compressed: bool) -> tuple[int, int, int, int]:
    if len(comm) < 18:
        raise AudioError("corrupt AIFF header")
    channels, frames, bits, exponent, mantissa = struct.unpack_from(">hIhHQ", comm)
    kind = comm[18:22] if compressed else b"NONE"
    if kind not in _AIFC_PCM:
        raise UnsupportedAudio(f"unsupported codec '{kind.decode('latin-1').strip()}'")
    # The rate is an 80-bit IEEE extended float: 15-bit exponent, 64-bit mantissa.
    rate = round(math.ldexp(mantissa, (exponent & 0x7FFF) - 16383 - 63))
    return channels, frames, bits, rate


def _aiff_sound(comm: tuple[int, int, int, int], size: int, present: int) -> Declared:
    channels, frames, bits, rate = comm
    if frames * channels * math.ceil(bits / 8) > min(size, present):
        raise AudioError("truncated")
    return Declared(frames, bits, rate)


def _flac(data: Buffer) -> Declared:
    start = id3_size(data[:10]) + 4
    if len(data) < start + 38 or data[start] & 0x7F != 0:
        raise AudioError("corrupt FLAC header")
    # STREAMINFO packs rate (20 bits), channels (3), depth (5) and length (36).
    info = int.from_bytes(data[start + 14 : start + 22], "big")
    rate, bits, samples = info >> 44, ((info >> 36) & 0x1F) + 1, info & 0xFFFFFFFFF
    md5 = data[start + 22 : start + 38]
    return Declared(samples or None, bits, rate, md5 if any(md5) else None)


def _ogg(data: Buffer) -> Declared:
    pages = read_pages(bytes(data))
    serial = pages[0].serial
    first = read_packets(pages[:1], serial)
    codec = ogg_codec_name(first[0].data) if first else "unknown"
    if codec not in _OGG_CODECS:
        raise UnsupportedAudio(f"unsupported codec '{codec}'")
    if not [p for p in pages if p.serial == serial][-1].header_type & EOS_FLAG:
        raise AudioError("truncated")
    return Declared(None, None)
