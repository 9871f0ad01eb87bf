"""Encode a master into every rung of the ladder with Debian's ffmpeg CLI.

The master is first rendered once into stereo float WAV "stages" at the rates
the lossy rungs need (soxr resampling: round(n * out / in) samples for 44.1 to
48 kHz), and each stage's length is counted, so every encoder starts from a
known, exact sample count. Then each rung runs as its own ffmpeg process,
``workers`` at a time (FLAC, read straight from the master, starts at once).

Measured on the 2-core build machine (30 s 44.1 kHz stereo 16-bit master,
whole ladder of 6 rungs including staging and reading the trims back, best of
6 runs on a shared machine): one ffmpeg process with six outputs 2.28 s
(13x realtime); parallel per-rung processes with workers=2 1.48 s (20x
realtime); workers=1 2.5 s. ffmpeg 5.1 runs every encoder of one process on a
single thread, so the parallel form is kept.

AAC gapless: libavformat 5.1 honours the start of an MP4 edit list but not its
end, so a trailing partial AAC frame would play as extra samples. The encoder
is therefore given ``k`` extra leading zeros, placed before time zero, with
``k`` chosen so priming + k + track fills whole 1024-sample frames: the edit
list's start then covers priming and ``k``, and no padding is left to trim.
"""

from __future__ import annotations

import subprocess
import tempfile
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import av
import soundfile

from tonearm.audio._headers import read_declared
from tonearm.audio._sniff import sniff_format
from tonearm.audio.decode import open_audio
from tonearm.audio.errors import AudioError
from tonearm.audio.gapless import read_trim
from tonearm.audio.ladder import LADDER, Rendition, Rung

__all__ = ["FFMPEG", "OPUS_RATE", "clip", "lossy_rate", "transcode_ladder"]

FFMPEG = "/usr/bin/ffmpeg"
OPUS_RATE = 48_000
_AAC_FRAME = 1024
_KEPT_RATES = frozenset({44_100, 48_000})
_ENCODE_COST = {"aac": 3, "vorbis": 2, "opus": 1}  # relative, as measured per rung
_COMMON = ["-map_metadata", "-1", "-map_chapters", "-1", "-fflags", "+bitexact"]
_COMMON += ["-flags:a", "+bitexact", "-ac", "2"]


@dataclass(frozen=True)
class _Master:
    path: Path
    container: str  # as sniffed; ffmpeg is told, so a misleading name cannot matter
    sample_rate: int
    flac_format: str  # "s16" or "s32" (24-bit FLAC)

    def input_args(self) -> list[str]:
        return ["-f", self.container, "-i", str(self.path)]


@dataclass(frozen=True)
class _Stage:
    """The master as stereo float at one rate, with its exact length."""

    path: Path
    rate: int
    samples: int


def lossy_rate(master_rate: int) -> int:
    """Rate of the Vorbis and AAC rungs: the master's when players expect it."""
    return master_rate if master_rate in _KEPT_RATES else 48_000


def transcode_ladder(
    master: Path, out_dir: Path, *, workers: int = 2, ladder: Sequence[Rung] = LADDER
) -> list[Rendition]:
    """Encode every rung of ``ladder`` (the standard one by default) into ``out_dir``."""
    source = _inspect(master)
    out_dir.mkdir(parents=True, exist_ok=True)
    # The pool is left (waiting for every encoder) before the stages are deleted.
    with (
        tempfile.TemporaryDirectory(dir=out_dir, prefix=".stage-") as scratch,
        ThreadPoolExecutor(max_workers=max(1, workers)) as pool,
    ):
        # FLAC reads the master itself, so it encodes while the stages render.
        jobs = {rung: pool.submit(_encode_rung, rung, source, out_dir) for rung in ladder if rung.lossless}
        stages = _render_stages(source, Path(scratch))
        # Slowest encoders first, so the workers run out of work together.
        for rung in sorted(ladder, key=lambda r: -_ENCODE_COST.get(r.codec, 0)):
            if not rung.lossless:
                jobs[rung] = pool.submit(_encode_rung, rung, _stage_for(rung, source, stages), out_dir)
        return [jobs[rung].result() for rung in ladder]


def _inspect(master: Path) -> _Master:
    with master.open("rb") as handle:
        container = sniff_format(handle)
    if container is None:
        raise AudioError("not an audio file")
    bits = read_declared(master, container).bits_per_sample or 16
    try:
        with open_audio(master) as handle:
            rate = handle.streams.audio[0].codec_context.sample_rate
    except (av.error.FFmpegError, IndexError) as error:
        raise AudioError("not an audio file") from error
    return _Master(master, container, rate, "s16" if bits <= 16 else "s32")


def _stage_rates(master_rate: int) -> set[int]:
    return {lossy_rate(master_rate), OPUS_RATE}


def _render_stages(source: _Master, scratch: Path) -> dict[int, _Stage]:
    paths = {rate: scratch / f"stage-{rate}.wav" for rate in _stage_rates(source.sample_rate)}
    command = [FFMPEG, "-nostdin", "-v", "error", "-y", *source.input_args()]
    for rate, path in paths.items():
        command += ["-map", "0:a:0", "-ac", "2", *_resample(source.sample_rate, rate)]
        command += ["-c:a", "pcm_f32le", "-f", "wav", str(path)]
    _run(command, "staging")
    return {rate: _Stage(path, rate, soundfile.info(str(path)).frames) for rate, path in paths.items()}


def _resample(source_rate: int, rate: int) -> list[str]:
    if source_rate == rate:
        return []
    return ["-af", f"aresample={rate}:resampler=soxr"]


def _stage_for(rung: Rung, source: _Master, stages: dict[int, _Stage]) -> _Stage:
    return stages[OPUS_RATE if rung.codec == "opus" else lossy_rate(source.sample_rate)]


def _encode_rung(rung: Rung, source: _Stage | _Master, out_dir: Path) -> Rendition:
    target = out_dir / f"{rung.name}{rung.extension}"
    inputs = source.input_args() if isinstance(source, _Master) else ["-i", str(source.path)]
    command = [FFMPEG, "-nostdin", "-v", "error", "-y", *inputs, "-map", "0:a:0"]
    command += [*_COMMON, *_codec_args(rung, source), str(target)]
    _run(command, rung.name)
    return _rendition(rung, target, source)


def _codec_args(rung: Rung, source: _Stage | _Master) -> list[str]:
    if isinstance(source, _Master):
        # FLAC keeps the master's own rate and its depth (16 or 24 bit).
        return ["-c:a", "flac", "-sample_fmt", source.flac_format, "-f", "flac"]
    bitrate = ["-b:a", str(rung.bitrate)]
    if rung.codec == "opus":
        # Constrained VBR: unconstrained, libopus spent 50 kbit/s of a 24 kbit/s
        # budget on tonal synth music, which the HLS BANDWIDTH would then claim.
        return ["-c:a", "libopus", *bitrate, "-vbr", "constrained", "-frame_duration", "20", "-f", "ogg"]
    if rung.codec == "vorbis":
        return ["-c:a", "libvorbis", *bitrate, "-f", "ogg"]
    if rung.codec != "aac":
        raise ValueError(f"no encoder for codec '{rung.codec}'")
    # A movie timescale equal to the sample rate keeps the edit list sample-exact.
    mp4 = ["-movie_timescale", str(source.rate), "-movflags", "+faststart", "-f", "mp4"]
    return ["-c:a", "aac", *bitrate, *_aac_alignment(source.samples), *mp4]


def _aac_alignment(samples: int) -> list[str]:
    # Only chooses how much to pad; the delay actually written is read back
    # from the edit list, so a different frame size would cost exactness, not
    # correctness.
    lead = -samples % _AAC_FRAME
    if lead == 0:
        return []
    # Zeros shifted before t=0 land inside the edit list's skipped start.
    return ["-af", f"adelay={lead}S:all=1,asetpts=PTS-round({lead}/SR/TB)"]


def _rendition(rung: Rung, path: Path, source: _Stage | _Master) -> Rendition:
    trim = read_trim(path)
    if isinstance(source, _Stage) and trim.samples != source.samples:
        raise AudioError(f"{rung.name}: encoder changed the length to {trim.samples} samples")
    return Rendition(
        rung,
        path,
        path.stat().st_size,
        trim.sample_rate,
        trim.channels,
        trim.encoder_delay,
        trim.padding,
        trim.samples,
    )


def clip(source: Path, dest: Path, *, seconds: float) -> None:
    """The first `seconds` of an encoded file, in its own codec and container (a stream copy,
    so it takes milliseconds): a preview from a rendition."""
    if seconds <= 0:
        raise ValueError(f"seconds must be positive, got {seconds}")
    command = ["ffmpeg", "-nostdin", "-v", "error", "-y", "-i", str(source)]
    _run(
        [*command, "-t", f"{seconds:.3f}", "-map", "0:a:0", "-c", "copy", str(dest)],
        f"a clip of {source.name}",
    )


def _run(command: list[str], label: str) -> None:
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        detail = result.stderr.strip().splitlines()[-1:] or ["no message"]
        raise AudioError(f"ffmpeg failed for {label}: {detail[0]}")
