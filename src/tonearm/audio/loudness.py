"""EBU R128 / ITU-R BS.1770-4 loudness and true peak, and the playback gain.

Loudness is measured on the stereo signal the ladder delivers (masters with
other channel counts are converted the same way ffmpeg's ``-ac 2`` does), so
the gain fits what listeners actually hear.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np
import pyloudnorm
from scipy.signal import resample_poly

from tonearm.audio.decode import frame_to_float, open_audio
from tonearm.audio.errors import AudioError

__all__ = [
    "LOUDNESS_FLOOR_LUFS",
    "TRUE_PEAK_CEILING_DBTP",
    "TRUE_PEAK_FLOOR_DBTP",
    "Loudness",
    "gain_to_target",
    "integrated_loudness",
    "measure_loudness",
    "true_peak_dbtp",
]

# BS.1770's absolute gate: nothing quieter counts, so silence reports exactly this.
LOUDNESS_FLOOR_LUFS = -70.0
# Digital silence has no peak; a finite floor below 24-bit resolution keeps
# the value storable and comparable.
TRUE_PEAK_FLOOR_DBTP = -144.0
TRUE_PEAK_CEILING_DBTP = -1.0
_OVERSAMPLING = 4
_BLOCK_SECONDS = 0.4
_CHUNK = 1 << 16
_CHUNK_OVERLAP = 64  # input samples; covers resample_poly's filter half-length


@dataclass(frozen=True)
class Loudness:
    integrated_lufs: float
    true_peak_dbtp: float


def measure_loudness(path: Path) -> Loudness:
    audio, rate = _decode_stereo(path)
    return Loudness(integrated_loudness(audio, rate), true_peak_dbtp(audio))


def gain_to_target(loudness: Loudness, target_lufs: float = -14.0) -> float:
    """Gain in dB towards ``target_lufs``, never pushing the true peak above -1 dBTP.

    Silence gets 0 dB: there is nothing to normalise.
    """
    if loudness.integrated_lufs <= LOUDNESS_FLOOR_LUFS:
        return 0.0
    wanted = target_lufs - loudness.integrated_lufs
    return min(wanted, TRUE_PEAK_CEILING_DBTP - loudness.true_peak_dbtp)


def integrated_loudness(audio: np.ndarray, rate: int) -> float:
    """Gated integrated loudness in LUFS, floored at the absolute gate."""
    if audio.shape[0] == 0 or not np.any(audio):
        return LOUDNESS_FLOOR_LUFS
    # pyloudnorm needs one whole gating block; a shorter clip is one block.
    block = min(_BLOCK_SECONDS, audio.shape[0] / rate)
    meter = pyloudnorm.Meter(rate, block_size=block)
    with np.errstate(divide="ignore", invalid="ignore"):
        value = float(meter.integrated_loudness(audio.astype(np.float64)))
    return value if math.isfinite(value) and value > LOUDNESS_FLOOR_LUFS else LOUDNESS_FLOOR_LUFS


def true_peak_dbtp(audio: np.ndarray) -> float:
    """Maximum of the 4x oversampled signal (BS.1770-4 Annex 2), in dBTP."""
    peak = max((_chunk_peak(audio, start) for start in range(0, len(audio), _CHUNK)), default=0.0)
    if peak <= 0.0:
        return TRUE_PEAK_FLOOR_DBTP
    return max(TRUE_PEAK_FLOOR_DBTP, 20.0 * math.log10(peak))


def _chunk_peak(audio: np.ndarray, start: int) -> float:
    # Oversampling in overlapping chunks keeps memory flat for long tracks while
    # giving the same values as filtering the whole signal at once.
    lead = min(start, _CHUNK_OVERLAP)
    piece = audio[start - lead : start + _CHUNK + _CHUNK_OVERLAP].astype(np.float64)
    upsampled = resample_poly(piece, _OVERSAMPLING, 1, axis=0)
    length = min(_CHUNK, len(audio) - start) * _OVERSAMPLING
    window = upsampled[lead * _OVERSAMPLING : lead * _OVERSAMPLING + length]
    sample_peak = np.max(np.abs(piece[lead : lead + _CHUNK]))
    return float(max(np.max(np.abs(window)), sample_peak))


def _decode_stereo(path: Path) -> tuple[np.ndarray, int]:
    try:
        with open_audio(path) as container:
            return _read_stereo(container)
    except (av.error.FFmpegError, IndexError) as error:
        raise AudioError("not an audio file") from error


def _read_stereo(container: av.container.InputContainer) -> tuple[np.ndarray, int]:
    stream = container.streams.audio[0]
    rate = stream.codec_context.sample_rate
    resampler = av.AudioResampler(format="flt", layout="stereo", rate=rate)
    chunks = [
        frame_to_float(converted)
        for frame in [*container.decode(stream), None]
        for converted in resampler.resample(frame)
    ]
    audio = np.concatenate(chunks) if chunks else np.zeros((0, 2), np.float32)
    return audio, rate
