"""HLS packaging: CMAF/fMP4 segments, media playlists and a master playlist.

Browsers' Media Source Extensions take AAC, Opus and FLAC in fragmented MP4
but not Ogg, so the web player gets those three; the streams are copied out
of the ladder's files, never re-encoded. Every URI is a bare file name, so the
package can be served from any per-track, content-addressed directory.

One timeline for every variant: a player switching variants mid-track must
find the same music at the same media time in each. Each codec starts with
some lead-in before the first real sample: AAC its encoder priming (1024-2047
samples, no edit list skips it, see the web player's mp4.ts), Opus its
pre-skip, FLAC nothing. So after ffmpeg has segmented a variant, its fragment
timestamps (tfdt, and sidx) are moved on so that its first real sample lands
at the longest lead-in of them all, ``lead_in``: the AAC priming, ~40 ms.

Opus keeps its pre-skip on that timeline as well: the init segment says
PreSkip 0, so the 312 samples a decoder outputs first stay part of the
lead-in, as AAC's priming does. libopus's output lags its packets by the
pre-skip, and Chromium drops PreSkip samples each time its decoder starts, at
a switch into Opus too: the samples that make up for the lag there. Then the
last 312 samples before each switch away from Opus never played (measured:
6.5 ms lost at every such switch). With PreSkip 0 every decoder, Chromium's
or ffmpeg's, puts the first real sample at the same time and every switch
lines up.

A moved variant's first segment is lengthened by as much in its playlist, so
that from the second segment on playlist times are the timestamps, in every
variant. Each media playlist notes the shared lead-in (``#TONEARM-LEAD-IN``,
a comment to other clients); the web player takes it to mean the variants
share one timeline and keeps the whole track on it.
"""

from __future__ import annotations

import struct
import subprocess
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from fractions import Fraction
from math import floor
from pathlib import Path

from tonearm.audio.errors import AudioError
from tonearm.audio.ladder import Rendition
from tonearm.audio.transcode import FFMPEG

__all__ = [
    "LEAD_IN_TAG",
    "MASTER_PLAYLIST",
    "HlsPackage",
    "HlsVariant",
    "master_playlist_for",
    "media_segments",
    "package_hls",
    "peak_bandwidth",
]

MASTER_PLAYLIST = "master.m3u8"
LEAD_IN_TAG = "#TONEARM-LEAD-IN:"


@dataclass(frozen=True)
class HlsVariant:
    rung_name: str
    codec_string: str  # RFC 6381
    bandwidth: int  # peak segment bit rate, bits/s
    playlist: str  # file name relative to the package directory
    premium: bool


@dataclass(frozen=True)
class HlsPackage:
    directory: Path
    master_playlist: str
    variants: tuple[HlsVariant, ...]


@dataclass(frozen=True)
class _VariantSpec:
    rung_name: str
    codec_string: str
    extra_args: tuple[str, ...] = ()


# Listed in the order players should prefer them; AAC first as it plays everywhere.
_VARIANTS = (
    _VariantSpec("aac_256", "mp4a.40.2"),
    _VariantSpec("opus_24", "opus"),
    # ffmpeg 5.1 still flags FLAC-in-MP4 as experimental; browsers play it.
    _VariantSpec("flac", "fLaC", ("-strict", "experimental")),
)


def package_hls(
    renditions: Sequence[Rendition], out_dir: Path, *, segment_seconds: float = 6.0
) -> HlsPackage:
    """Segment the AAC, Opus and FLAC renditions into ``out_dir``."""
    by_name = {rendition.rung.name: rendition for rendition in renditions}
    out_dir.mkdir(parents=True, exist_ok=True)
    specs = [spec for spec in _VARIANTS if spec.rung_name in by_name]
    if not specs:
        raise AudioError("no rendition can be packaged for HLS")
    for spec in specs:
        _segment_variant(spec, by_name[spec.rung_name], out_dir, segment_seconds)
    leads = {spec.rung_name: _lead_in(spec.rung_name, by_name[spec.rung_name], out_dir) for spec in specs}
    lead_in = max(leads.values(), key=lambda lead: lead.seconds)
    for spec in specs:
        _align_variant(spec.rung_name, leads[spec.rung_name], lead_in, out_dir)
    variants = tuple(_variant(spec, by_name[spec.rung_name], out_dir, segment_seconds) for spec in specs)
    package = HlsPackage(out_dir, MASTER_PLAYLIST, variants)
    (out_dir / MASTER_PLAYLIST).write_text(master_playlist_for(package, include_premium=True))
    return package


def _segment_variant(spec: _VariantSpec, rendition: Rendition, out_dir: Path, segment_seconds: float) -> None:
    name = spec.rung_name
    command = [FFMPEG, "-nostdin", "-v", "error", "-y", "-i", str(rendition.path.resolve())]
    command += ["-map", "0:a:0", "-c", "copy", *spec.extra_args, "-map_metadata", "-1"]
    command += ["-fflags", "+bitexact", "-f", "hls", "-hls_time", f"{segment_seconds:g}"]
    command += ["-hls_playlist_type", "vod", "-hls_segment_type", "fmp4"]
    command += ["-hls_flags", "independent_segments", "-hls_fmp4_init_filename"]
    command += [f"{name}_init.mp4", "-hls_segment_filename", f"{name}_%05d.m4s", f"{name}.m3u8"]
    # Run inside the package directory so ffmpeg writes bare, relative URIs.
    result = subprocess.run(command, cwd=out_dir, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise AudioError(f"HLS packaging failed for {name}: {result.stderr.strip()[-200:]}")


def _variant(spec: _VariantSpec, rendition: Rendition, out_dir: Path, segment_seconds: float) -> HlsVariant:
    name = spec.rung_name
    bandwidth = peak_bandwidth(out_dir / f"{name}.m3u8", segment_seconds)
    return HlsVariant(name, spec.codec_string, bandwidth, f"{name}.m3u8", rendition.rung.premium)


# ---- one timeline for all variants ----------------------------------------------------------


@dataclass(frozen=True)
class _Lead:
    """Where a variant's first real sample sits, ``ticks`` into its own track timescale."""

    ticks: int
    timescale: int

    @property
    def seconds(self) -> Fraction:
        return Fraction(self.ticks, self.timescale)


def _lead_in(name: str, rendition: Rendition, out_dir: Path) -> _Lead:
    """The decoded lead-in before the first real sample (AAC priming, Opus pre-skip)."""
    init = (out_dir / f"{name}_init.mp4").read_bytes()
    timescale = _timescale(init)
    # The ladder records each file's delay in samples at its rate; the timescale ffmpeg
    # writes for audio is that rate, but convert in case it ever is not.
    ticks = Fraction(rendition.encoder_delay * timescale, rendition.sample_rate)
    if ticks.denominator != 1:
        raise AudioError(f"{name}: an encoder delay of {rendition.encoder_delay} is not on the timescale")
    return _Lead(int(ticks), timescale)


def _align_variant(name: str, lead: _Lead, lead_in: _Lead, out_dir: Path) -> None:
    """Move the variant's timestamps on so its first real sample plays at ``lead_in``."""
    init_path = out_dir / f"{name}_init.mp4"
    init = bytearray(init_path.read_bytes())
    if _clear_opus_pre_skip(init):
        init_path.write_bytes(bytes(init))
    shift = _round(lead_in.seconds * lead.timescale) - lead.ticks
    if shift < 0:
        raise AudioError(f"{name}: the shared lead-in is shorter than the variant's own")
    playlist = out_dir / f"{name}.m3u8"
    if shift:
        for _, uri in media_segments(playlist):
            segment = out_dir / uri
            data = bytearray(segment.read_bytes())
            _shift_fragment(data, shift)
            segment.write_bytes(bytes(data))
    playlist.write_text(_aligned_playlist(playlist.read_text(), Fraction(shift, lead.timescale), lead_in))


def _aligned_playlist(text: str, shift: Fraction, lead_in: _Lead) -> str:
    """The media playlist with the lead-in noted and its first segment lengthened by ``shift``.

    Playlist time then equals media time from the second segment on, in every variant (the first
    segment's samples start ``shift`` into it), so a player choosing the next segment of another
    variant by playlist time gets the one that overlaps what it has, not one after a gap.
    """
    lines = text.splitlines()
    first = next(i for i, line in enumerate(lines) if line.startswith("#EXTINF:"))
    duration, _, title = lines[first][len("#EXTINF:") :].partition(",")
    lines[first] = f"#EXTINF:{float(Fraction(duration) + shift):.6f},{title}"
    durations = [line[len("#EXTINF:") :].split(",")[0] for line in lines if line.startswith("#EXTINF:")]
    longest = max(float(duration) for duration in durations)
    for i, line in enumerate(lines):
        if line.startswith("#EXT-X-TARGETDURATION:"):
            # RFC 8216 4.3.3.1: each duration, rounded to the nearest integer, fits the target.
            target = max(int(line.split(":")[1]), floor(longest + 0.5))
            lines[i] = f"#EXT-X-TARGETDURATION:{target}"
    at = next(i for i, line in enumerate(lines) if line.startswith("#EXT-X-MAP"))
    lines.insert(at, f"{LEAD_IN_TAG}{float(lead_in.seconds):.9f}")
    return "\n".join(lines) + "\n"


def _round(value: Fraction) -> int:
    return floor(value + Fraction(1, 2))


def _boxes(data: bytes | bytearray, start: int, end: int) -> Iterator[tuple[bytes, int, int, int]]:
    """(type, offset, header length, size) of each ISO BMFF box in ``data[start:end]``."""
    at = start
    while at + 8 <= end:
        size, kind = struct.unpack_from(">I4s", data, at)
        header = 8
        if size == 1:
            (size,) = struct.unpack_from(">Q", data, at + 8)
            header = 16
        elif size == 0:
            size = end - at
        if size < header or at + size > end:
            raise AudioError(f"malformed MP4 box '{kind.decode('latin-1')}' at byte {at}")
        yield kind, at, header, size
        at += size


def _find(data: bytes | bytearray, path: Sequence[bytes]) -> list[tuple[int, int, int]]:
    """(offset, header length, size) of every box along ``path``, e.g. moof/traf/tfdt."""
    found: list[tuple[int, int, int]] = []

    def walk(start: int, end: int, depth: int) -> None:
        for kind, at, header, size in _boxes(data, start, end):
            if kind != path[depth]:
                continue
            if depth == len(path) - 1:
                found.append((at, header, size))
            else:
                walk(at + header + _CHILDREN_AT.get(kind, 0), at + size, depth + 1)

    walk(0, len(data), 0)
    return found


# Bytes of fields between a box's header and its first child box.
_CHILDREN_AT = {b"stsd": 8, b"Opus": 28, b"mp4a": 28, b"fLaC": 28}


def _timescale(init: bytes | bytearray) -> int:
    boxes = _find(init, (b"moov", b"trak", b"mdia", b"mdhd"))
    if len(boxes) != 1:
        raise AudioError("an HLS init segment needs exactly one audio track")
    at, header, _ = boxes[0]
    version = init[at + header]
    return int(struct.unpack_from(">I", init, at + header + (20 if version == 1 else 12))[0])


def _clear_opus_pre_skip(init: bytearray) -> bool:
    """Set the Opus PreSkip to 0 (see the module docstring); False if there is no Opus."""
    path = (b"moov", b"trak", b"mdia", b"minf", b"stbl", b"stsd", b"Opus", b"dOps")
    boxes = _find(init, path)
    for at, header, _ in boxes:
        struct.pack_into(">H", init, at + header + 2, 0)
    return bool(boxes)


def _shift_fragment(segment: bytearray, ticks: int) -> None:
    """Add ``ticks`` to the decode times of a CMAF segment (tfdt) and to its sidx."""
    tfdts = _find(segment, (b"moof", b"traf", b"tfdt"))
    if not tfdts:
        raise AudioError("an HLS segment has no tfdt")
    for at, header, _ in tfdts:
        _add(segment, at + header + 4, 8 if segment[at + header] == 1 else 4, ticks)
    for at, header, _ in _find(segment, (b"sidx",)):
        # version, flags, reference_ID, timescale, then earliest_presentation_time
        _add(segment, at + header + 12, 8 if segment[at + header] == 1 else 4, ticks)


def _add(data: bytearray, at: int, width: int, ticks: int) -> None:
    fmt = ">Q" if width == 8 else ">I"
    value = struct.unpack_from(fmt, data, at)[0] + ticks
    if value >= 1 << (8 * width):
        raise AudioError("a shifted timestamp does not fit its MP4 field")
    struct.pack_into(fmt, data, at, value)


def media_segments(playlist: Path) -> list[tuple[float, str]]:
    """(duration in seconds, URI) of every segment in a media playlist."""
    segments: list[tuple[float, str]] = []
    duration = None
    for line in playlist.read_text().splitlines():
        if line.startswith("#EXTINF:"):
            duration = float(line[len("#EXTINF:") :].split(",")[0])
        elif line and not line.startswith("#") and duration is not None:
            segments.append((duration, line))
            duration = None
    return segments


def peak_bandwidth(playlist: Path, target_seconds: float) -> int:
    """HLS BANDWIDTH: the peak segment bit rate as RFC 8216 §4.3.4.2 defines it.

    The peak is taken over runs of contiguous segments lasting 0.5 to 1.5 target
    durations, so a short final segment does not inflate it.
    """
    segments = [
        (duration, (playlist.parent / uri).stat().st_size * 8) for duration, uri in media_segments(playlist)
    ]
    if not segments:
        raise AudioError(f"{playlist.name} has no segments")
    rates = [bits / seconds for seconds, bits in _runs(segments, target_seconds)]
    return int(max(rates)) + 1


def _runs(segments: list[tuple[float, int]], target: float) -> list[tuple[float, int]]:
    runs = []
    for start in range(len(segments)):
        seconds, bits = 0.0, 0
        for duration, size in segments[start:]:
            seconds, bits = seconds + duration, bits + size
            if 0.5 * target <= seconds <= 1.5 * target:
                runs.append((seconds, bits))
    # A track shorter than half a target duration is one run of its own.
    return runs or [(sum(d for d, _ in segments) or 1.0, sum(b for _, b in segments))]


def master_playlist_for(package: HlsPackage, *, include_premium: bool) -> str:
    """The master playlist text; free listeners get the one without premium variants."""
    lines = ["#EXTM3U", "#EXT-X-VERSION:7", "#EXT-X-INDEPENDENT-SEGMENTS"]
    for variant in package.variants:
        if variant.premium and not include_premium:
            continue
        attributes = f'BANDWIDTH={variant.bandwidth},CODECS="{variant.codec_string}"'
        lines += [f"#EXT-X-STREAM-INF:{attributes}", variant.playlist]
    return "\n".join(lines) + "\n"
