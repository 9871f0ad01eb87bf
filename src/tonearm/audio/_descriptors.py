"""What the audio features are made from: rhythm, tonality and timbre descriptors of a mono
signal at the analysis rate, each a plain number (see ``features.py`` for what they become).

The tempo is found in two steps. librosa's estimator (an onset-strength autocorrelation
weighted by a prior around 120 BPM) picks the beat period to within a lag step, which near
170 BPM is several BPM even at a 256-sample hop; the period is then refined to a fraction of a
frame by the comb of the autocorrelation at every multiple of the period (interpolated between
lags), so the error shrinks with the length of the excerpt instead of being set by the hop.
"""

from __future__ import annotations

from dataclasses import dataclass

import librosa
import numpy as np

__all__ = ["Descriptors", "describe"]

RATE = 22_050
_ONSET_HOP = 256  # 11.6 ms frames for the tempo
_HOP = 512  # for the spectral descriptors
_CHROMA_HOP = 2048
_SEARCH = 0.05  # the refinement looks this far (relative) either side of librosa's period
_GRID = 401
# Krumhansl and Kessler's probe-tone ratings of each pitch class in a major and a minor key.
_MAJOR = np.array([6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88])
_MINOR = np.array([6.33, 2.68, 3.52, 5.38, 2.60, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17])
_PROFILES = np.stack([np.roll(p, k) for p in (_MINOR, _MAJOR) for k in range(12)])
# Equal beats make the onsets repeat about as much at three beats as at four (the demo
# catalog, all 4/4, reaches 1.12), so three must win clearly.
_THREE_OVER_FOUR = 1.25
_SHORTEST_CHROMA = 4 * RATE
_QUIET = 1e-4  # RMS below which a signal counts as silence (-80 dBFS)


@dataclass(frozen=True)
class Descriptors:
    tempo: float  # BPM; 0 when there is nothing to count
    pulse: float  # 0-1: how strongly the onsets repeat at the beat period
    meter: int  # beats per bar: 3 or 4
    key: int  # pitch class of the best-fitting key, -1 without one
    mode: int  # 1 major, 0 minor
    tonality: float  # correlation of the chroma with that key's profile (-1..1)
    major_lean: float  # best major correlation minus best minor correlation
    level_db: float  # mean RMS in dBFS
    dynamics_db: float  # spread (std) of the frame RMS in dB over sounding frames
    timbre_motion: float  # mean frame-to-frame change of the MFCCs (speech changes fastest)
    pitch_motion: float  # mean frame-to-frame change of the chroma (held notes change least)
    flatness: float  # mean spectral flatness, 0 tonal .. 1 noise
    centroid_hz: float
    bass_share: float  # share of the energy below 150 Hz
    onset_rate: float  # onsets a second
    floor_flatness: float  # flatness of the quietest tenth of the frames (room and crowd noise)


SILENCE = Descriptors(0.0, 0.0, 4, -1, 1, 0.0, 0.0, -120.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0)


def describe(y: np.ndarray) -> Descriptors:
    """Descriptors of ``y`` (mono float32 at ``RATE``); silence gets ``SILENCE``, never NaN."""
    if y.size < _CHROMA_HOP or float(np.sqrt(np.mean(np.square(y)))) < _QUIET:
        return SILENCE
    envelope = librosa.onset.onset_strength(y=y, sr=RATE, hop_length=_ONSET_HOP)
    tempo, pulse, meter = _rhythm(envelope)
    spectrum = np.abs(librosa.stft(y, n_fft=2048, hop_length=_HOP))
    key, mode, tonality, lean = _tonality(y, spectrum)
    rms = librosa.feature.rms(S=spectrum, frame_length=2048)[0]
    flatness = librosa.feature.spectral_flatness(S=spectrum)[0]
    return Descriptors(
        tempo=tempo,
        pulse=pulse,
        meter=meter,
        key=key,
        mode=mode,
        tonality=tonality,
        major_lean=lean,
        level_db=_db(float(np.mean(rms))),
        dynamics_db=_dynamics(rms),
        timbre_motion=_timbre_motion(spectrum),
        pitch_motion=_pitch_motion(spectrum),
        flatness=float(np.mean(flatness)),
        centroid_hz=float(np.mean(librosa.feature.spectral_centroid(S=spectrum, sr=RATE))),
        bass_share=_bass_share(spectrum),
        onset_rate=_onset_rate(envelope, len(y)),
        floor_flatness=_floor_flatness(rms, flatness),
    )


def _db(value: float) -> float:
    return 20.0 * float(np.log10(max(value, 1e-6)))


def _autocorrelation(envelope: np.ndarray) -> np.ndarray:
    centred = envelope - envelope.mean()
    spectrum = np.fft.rfft(centred, n=2 * len(centred))
    acf = np.fft.irfft(np.abs(spectrum) ** 2)[: len(centred)]
    return np.asarray(acf / acf[0]) if acf[0] > 0 else np.zeros_like(acf)


def _comb(acf: np.ndarray, period: float, multiples: int) -> float:
    lags = np.arange(1, multiples + 1) * period
    return float(np.mean(np.interp(lags, np.arange(len(acf)), acf)))


def _rhythm(envelope: np.ndarray) -> tuple[float, float, int]:
    """Tempo (BPM), pulse clarity and beats per bar from the onset-strength envelope."""
    if not np.any(envelope > 0):
        return 0.0, 0.0, 4
    frames_per_second = RATE / _ONSET_HOP
    coarse = float(librosa.feature.tempo(onset_envelope=envelope, sr=RATE, hop_length=_ONSET_HOP)[0])
    acf = _autocorrelation(envelope)
    period = _refine(acf, 60.0 * frames_per_second / coarse)
    multiples = max(1, int(len(acf) / 2 / period))
    pulse = max(0.0, _comb(acf, period, multiples))
    meter = 3 if _comb(acf, 3 * period, 1) > _THREE_OVER_FOUR * _comb(acf, 4 * period, 1) else 4
    return 60.0 * frames_per_second / period, min(pulse, 1.0), meter


def _refine(acf: np.ndarray, period: float) -> float:
    multiples = max(1, int(len(acf) / 2 / period))
    grid = np.linspace(period * (1 - _SEARCH), period * (1 + _SEARCH), _GRID)
    scores = [_comb(acf, candidate, multiples) for candidate in grid]
    return float(grid[int(np.argmax(scores))])


def _tonality(y: np.ndarray, spectrum: np.ndarray) -> tuple[int, int, float, float]:
    """Key, mode, fit and major lean from the mean constant-Q chroma and the key profiles."""
    # Tuning from the spectrum already at hand: estimating it from a clip of a few seconds
    # would warn that the clip is shorter than its FFT.
    tuning = librosa.estimate_tuning(S=spectrum, sr=RATE)
    # Padded to a few seconds: the constant-Q transform's lowest octave, decimated, would be
    # shorter than its own FFT on a short clip (and warn); silence adds no pitch class.
    padded = np.pad(y, (0, max(0, _SHORTEST_CHROMA - len(y))))
    chroma = librosa.feature.chroma_cqt(y=padded, sr=RATE, hop_length=_CHROMA_HOP, tuning=tuning)
    chroma = chroma.mean(axis=1)
    if not np.all(np.isfinite(chroma)) or np.ptp(chroma) <= 1e-6:
        return -1, 1, 0.0, 0.0
    scores = np.array([np.corrcoef(chroma, profile)[0, 1] for profile in _PROFILES])
    best = int(np.argmax(scores))
    lean = float(scores[12:].max() - scores[:12].max())
    return best % 12, best // 12, float(scores[best]), lean


def _dynamics(rms: np.ndarray) -> float:
    sounding = rms[rms > _QUIET]
    return float(np.std(20.0 * np.log10(sounding))) if sounding.size > 1 else 0.0


def _timbre_motion(spectrum: np.ndarray) -> float:
    mel = librosa.feature.melspectrogram(S=np.square(spectrum), sr=RATE)
    mfcc = librosa.feature.mfcc(S=librosa.power_to_db(mel), n_mfcc=13)[1:]  # not c0: the level
    return float(np.mean(np.abs(np.diff(mfcc, axis=1)))) if mfcc.shape[1] > 1 else 0.0


def _pitch_motion(spectrum: np.ndarray) -> float:
    chroma = librosa.feature.chroma_stft(S=np.square(spectrum), sr=RATE, tuning=0.0)
    return float(np.mean(np.abs(np.diff(chroma, axis=1)))) if chroma.shape[1] > 1 else 0.0


def _bass_share(spectrum: np.ndarray) -> float:
    power = np.square(spectrum).sum(axis=1)
    freqs = librosa.fft_frequencies(sr=RATE, n_fft=2048)
    total = float(power.sum())
    return float(power[freqs < 150].sum()) / total if total > 0 else 0.0


def _onset_rate(envelope: np.ndarray, samples: int) -> float:
    onsets = librosa.onset.onset_detect(onset_envelope=envelope, sr=RATE, hop_length=_ONSET_HOP)
    return len(onsets) / (samples / RATE)


def _floor_flatness(rms: np.ndarray, flatness: np.ndarray) -> float:
    quietest = np.argsort(rms)[: max(1, len(rms) // 10)]
    return float(np.mean(flatness[quietest]))
