"""HLS packaging: CMAF/fMP4 segments, media playlists and a master playlist.

Browsers' Media Source Extensions take AAC, Opus and FLAC in fragmented MP4
but not Ogg, so the web player gets those three; the streams are copied out
of the ladder's files, never re-encoded. Every URI is a bare file name, so the
package can be served from any per-track, content-addressed directory.
"""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from tonearm.audio.errors import AudioError
from tonearm.audio.ladder import Rendition
from tonearm.audio.transcode import FFMPEG

__all__ = [
    "MASTER_PLAYLIST",
    "HlsPackage",
    "HlsVariant",
    "master_playlist_for",
    "media_segments",
    "package_hls",
    "peak_bandwidth",
]

MASTER_PLAYLIST = "master.m3u8"


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
    variants = tuple(
        _package_variant(spec, by_name[spec.rung_name], out_dir, segment_seconds)
        for spec in _VARIANTS
        if spec.rung_name in by_name
    )
    if not variants:
        raise AudioError("no rendition can be packaged for HLS")
    package = HlsPackage(out_dir, MASTER_PLAYLIST, variants)
    (out_dir / MASTER_PLAYLIST).write_text(master_playlist_for(package, include_premium=True))
    return package


def _package_variant(
    spec: _VariantSpec, rendition: Rendition, out_dir: Path, segment_seconds: float
) -> HlsVariant:
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
    bandwidth = peak_bandwidth(out_dir / f"{name}.m3u8", segment_seconds)
    return HlsVariant(name, spec.codec_string, bandwidth, f"{name}.m3u8", rendition.rung.premium)


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
