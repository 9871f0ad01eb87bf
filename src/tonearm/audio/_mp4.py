"""Minimal ISO-BMFF reader for the numbers gapless playback depends on.

libavformat 5.1 applies the start of an edit list but not its end, so the
edit list is read (and checked) here rather than trusted through a decoder.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from dataclasses import dataclass

from tonearm.audio.errors import AudioError

__all__ = ["Mp4AudioTrack", "read_audio_track"]

_CONTAINERS = frozenset({b"moov", b"trak", b"mdia", b"minf", b"stbl", b"edts"})


@dataclass(frozen=True)
class Mp4AudioTrack:
    movie_timescale: int
    media_timescale: int
    edit_media_time: int | None  # media units skipped at the start; None without an edit list
    edit_duration: int | None  # in movie units
    sample_count: int
    media_duration: int  # sum of the stts deltas, in media units

    @property
    def edit_duration_in_media_units(self) -> int | None:
        if self.edit_duration is None:
            return None
        scaled = self.edit_duration * self.media_timescale
        return scaled // self.movie_timescale


def _boxes(data: bytes, start: int, end: int) -> Iterator[tuple[bytes, bytes]]:
    offset = start
    while offset + 8 <= end:
        size, kind = struct.unpack_from(">I4s", data, offset)
        header = 8
        if size == 1:
            size, header = struct.unpack_from(">Q", data, offset + 8)[0], 16
        elif size == 0:
            size = end - offset
        if size < header or offset + size > end:
            raise AudioError("truncated")
        yield kind, data[offset + header : offset + size]
        offset += size


def _children(payload: bytes) -> dict[bytes, list[bytes]]:
    found: dict[bytes, list[bytes]] = {}
    for kind, body in _boxes(payload, 0, len(payload)):
        found.setdefault(kind, []).append(body)
    return found


def _child(payload: bytes, *path: bytes) -> bytes | None:
    for kind in path:
        bodies = _children(payload).get(kind)
        if not bodies:
            return None
        payload = bodies[0]
    return payload


def _timescale(header: bytes) -> int:
    # mvhd and mdhd share the layout up to the timescale; only the version widens it.
    offset = 20 if header[0] == 1 else 12
    return int(struct.unpack_from(">I", header, offset)[0])


def _first_edit(elst: bytes) -> tuple[int, int]:
    version, count = _version(elst), struct.unpack_from(">I", elst, 4)[0]
    layout = struct.Struct(">Qq" if version == 1 else ">Ii")
    for index in range(count):
        duration, media_time = layout.unpack_from(elst, 8 + index * (layout.size + 4))
        if media_time >= 0:  # -1 marks an empty edit, which only delays presentation
            return int(media_time), int(duration)
    raise AudioError("edit list without media")


def _version(full_box: bytes) -> int:
    return full_box[0]


def _stts_total(stts: bytes) -> int:
    count = struct.unpack_from(">I", stts, 4)[0]
    pairs = struct.unpack_from(f">{2 * count}I", stts, 8)
    return sum(n * delta for n, delta in zip(pairs[::2], pairs[1::2], strict=True))


def _is_audio(trak: bytes) -> bool:
    hdlr = _child(trak, b"mdia", b"hdlr")
    return hdlr is not None and hdlr[8:12] == b"soun"


def _audio_trak(moov: bytes) -> bytes:
    for trak in _children(moov).get(b"trak", []):
        if _is_audio(trak):
            return trak
    raise AudioError("no audio track")


def read_audio_track(data: bytes) -> Mp4AudioTrack:
    moov = _child(data, b"moov")
    if moov is None:
        raise AudioError("no moov box")
    trak = _audio_trak(moov)
    stbl = _child(trak, b"mdia", b"minf", b"stbl")
    mdhd, stsz = _child(trak, b"mdia", b"mdhd"), _child(stbl or b"", b"stsz")
    stts, mvhd = _child(stbl or b"", b"stts"), _child(moov, b"mvhd")
    if mdhd is None or stsz is None or stts is None or mvhd is None:
        raise AudioError("incomplete MP4 index")
    elst = _child(trak, b"edts", b"elst")
    media_time, duration = _first_edit(elst) if elst else (None, None)
    samples = int(struct.unpack_from(">I", stsz, 8)[0])
    return Mp4AudioTrack(_timescale(mvhd), _timescale(mdhd), media_time, duration, samples, _stts_total(stts))
