"""Minimal Ogg page reader.

libavformat hides granule positions and applies trims on its own, and gapless
bookkeeping needs exactly those numbers, so the pages are read here.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

from tonearm.audio.errors import AudioError

__all__ = ["EOS_FLAG", "OggPacket", "OggPage", "read_packets", "read_pages"]

EOS_FLAG = 0x04
_HEADER = struct.Struct("<4sBBqIIIB")


@dataclass(frozen=True)
class OggPage:
    header_type: int
    granule: int
    serial: int
    lacing: bytes
    body: bytes

    @property
    def is_last(self) -> bool:
        return bool(self.header_type & EOS_FLAG)


@dataclass(frozen=True)
class OggPacket:
    data: bytes
    granule: int  # of the page this packet completes on; -1 when not the last one there
    page: int


def read_pages(data: bytes) -> list[OggPage]:
    pages: list[OggPage] = []
    offset = 0
    while offset < len(data):
        page, offset = _read_page(data, offset)
        pages.append(page)
    return pages


def _read_page(data: bytes, offset: int) -> tuple[OggPage, int]:
    if len(data) - offset < _HEADER.size:
        raise AudioError("truncated")
    magic, _, flags, granule, serial, _, _, count = _HEADER.unpack_from(data, offset)
    if magic != b"OggS":
        raise AudioError("corrupt Ogg stream")
    start = offset + _HEADER.size
    lacing = data[start : start + count]
    end = start + count + sum(lacing)
    if len(lacing) < count or end > len(data):
        raise AudioError("truncated")
    return OggPage(flags, granule, serial, lacing, data[start + count : end]), end


def read_packets(pages: list[OggPage], serial: int) -> list[OggPacket]:
    """Reassemble the packets of one logical stream, tagging each with its page."""
    packets: list[OggPacket] = []
    pending = b""
    for index, page in enumerate(p for p in pages if p.serial == serial):
        pending, completed = _split_page(page, pending)
        for position, data in enumerate(completed):
            last = position == len(completed) - 1
            packets.append(OggPacket(data, page.granule if last else -1, index))
    return packets


def _split_page(page: OggPage, pending: bytes) -> tuple[bytes, list[bytes]]:
    completed: list[bytes] = []
    cursor = 0
    for size in page.lacing:
        pending += page.body[cursor : cursor + size]
        cursor += size
        if size < 255:
            completed.append(pending)
            pending = b""
    return pending, completed
