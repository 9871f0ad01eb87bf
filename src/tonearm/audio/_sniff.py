"""Identify an audio container from its bytes, never from its file name."""

from __future__ import annotations

from typing import BinaryIO

__all__ = ["id3_size", "mpeg_frame_length", "sniff_format"]

_MPEG1_KBPS = (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320)
_MPEG2_KBPS = (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160)
_RATES = {3: (44100, 48000, 32000), 2: (22050, 24000, 16000), 0: (11025, 12000, 8000)}
_MAX_FRAME = 1441  # bytes: MPEG-1 Layer III at 320 kbit/s and 32 kHz, padded
_ID3_SLACK = 4096


def sniff_format(handle: BinaryIO) -> str | None:
    """``wav``, ``aiff``, ``flac``, ``ogg``, ``mp3``, ``mp4``, or None for anything else."""
    head = _read_at(handle, 0, 12)
    if head[4:8] == b"ftyp":
        return "mp4"
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "wav"
    if head[:4] == b"FORM" and head[8:12] in (b"AIFF", b"AIFC"):
        return "aiff"
    if head[:4] == b"OggS":
        return "ogg"
    return _after_id3(handle, id3_size(head))


def _after_id3(handle: BinaryIO, offset: int) -> str | None:
    # Tagging tools put ID3v2 in front of FLAC as well as MP3.
    if _read_at(handle, offset, 4) == b"fLaC":
        return "flac"
    # Some taggers leave padding between the tag and the first frame; a file
    # with no tag must start with a frame.
    reach = _ID3_SLACK if offset else 1
    window = _read_at(handle, offset, reach + 2 * _MAX_FRAME + 4)
    return "mp3" if any(_two_mpeg_frames(window, i) for i in range(min(reach, len(window)))) else None


def id3_size(head: bytes) -> int:
    """Bytes taken by a leading ID3v2 tag (0 when there is none)."""
    if len(head) < 10 or head[:3] != b"ID3" or any(b & 0x80 for b in head[6:10]):
        return 0
    size = (head[6] << 21) | (head[7] << 14) | (head[8] << 7) | head[9]
    footer = 10 if head[5] & 0x10 else 0
    return 10 + size + footer


def _two_mpeg_frames(window: bytes, offset: int) -> bool:
    # One sync word occurs by chance in any binary file; two chained frames do not.
    if window[offset] != 0xFF:
        return False
    first = mpeg_frame_length(window[offset : offset + 4])
    if first is None:
        return False
    return mpeg_frame_length(window[offset + first : offset + first + 4]) is not None


def mpeg_frame_length(header: bytes) -> int | None:
    """Length in bytes of the MPEG-1/2/2.5 Layer III frame starting with ``header``."""
    if len(header) < 4 or header[0] != 0xFF or header[1] & 0xE0 != 0xE0:
        return None
    version, layer = (header[1] >> 3) & 3, (header[1] >> 1) & 3
    bitrate_index, rate_index = header[2] >> 4, (header[2] >> 2) & 3
    if version == 1 or layer != 1 or bitrate_index in (0, 15) or rate_index == 3:
        return None
    kbps = (_MPEG1_KBPS if version == 3 else _MPEG2_KBPS)[bitrate_index]
    factor = 144 if version == 3 else 72
    return factor * kbps * 1000 // _RATES[version][rate_index] + ((header[2] >> 1) & 1)


def _read_at(handle: BinaryIO, offset: int, size: int) -> bytes:
    handle.seek(offset)
    return handle.read(size)
