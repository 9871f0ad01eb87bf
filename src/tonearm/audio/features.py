"""Audio features in Spotify's vocabulary, computed from the audio itself with librosa.

Cost is bounded: the audio is mixed to mono at 22,050 Hz and, for a track longer than
``EXCERPT_SECONDS``, only that much from its middle is analysed (about a second of CPU for a
minute of audio). ``duration_ms`` is still the whole track's. librosa JIT-compiles its numba
kernels the first time a process uses them (about 25-30 s on the build machine); every kernel
used here is declared ``cache=True``, so numba keeps the machine code on disk (next to librosa's
sources when that folder is writable, else in the user cache dir, or in ``NUMBA_CACHE_DIR``) and
a later process only loads it (a few seconds, once per process).

What each field means (0-1 features are heuristics in Spotify's spirit, each a documented mix
of measured descriptors, not a trained model; thresholds were set on the demo catalog and the
cc-music clips):

- ``tempo``: beats per minute. librosa's onset-autocorrelation estimate, refined to a fraction
  of a frame by the autocorrelation comb at every multiple of the beat period (see
  ``_descriptors``). 0 for silence.
- ``key``: pitch class of the tonic, 0 = C .. 11 = B, from the mean constant-Q chroma matched
  against the Krumhansl-Kessler key profiles; -1 when no key is found (silence, a flat chroma).
- ``mode``: 1 major, 0 minor: the better-fitting profile (1 when there is no key).
- ``loudness``: integrated loudness in dB (LUFS, EBU R128), the value ingest measured already;
  passed in, never computed twice.
- ``time_signature``: beats per bar, 3 or 4 (Spotify's 3..7 mean 3/4..7/4): 3 only when the
  onsets repeat clearly more (by a quarter) at three beats than at four; 4 otherwise and for
  silence. A coarse guess: a waltz with equal beats reads as 4.
- ``duration_ms``: length of the whole track.
- ``energy``: intensity and activity. 0 quiet, sparse and dull (a soft solo), 1 loud, busy and
  bright (distorted rock): loudness (-35..-5 LUFS), onsets a second (0..6), spectral
  centroid (0..3 kHz) and spectral flatness (noisiness).
- ``danceability``: how suitable for dancing. 0 no steady beat, 1 a strong, regular beat near
  a walking-to-running pace: mostly pulse clarity (how strongly the onsets repeat at the beat
  period), then how close the tempo is to 90-140 BPM, then the share of bass.
- ``valence``: musical positiveness. 0 sad, dark, 1 happy, bright: the lean of the chroma
  towards a major key, the tempo, the brightness and the energy.
- ``acousticness``: confidence the track is acoustic. 0 machine-made (a regular pulse, heavy
  bass, compressed dynamics, a digitally clean floor), 1 played in a room (loose timing,
  dynamics, the noise of the room between the notes).
- ``instrumentalness``: confidence there are no vocals. 0 voice throughout, 1 none: the
  absence of the fast timbre and pitch motion of a voice. Singing buried in a dense mix can
  read as instrumental; there is no singing-voice model.
- ``speechiness``: presence of spoken words. Above 0.66 almost all speech (an audiobook),
  0.33-0.66 speech and music (rap), below 0.33 music: the frame-to-frame change of the MFCCs
  (speech changes timbre every syllable) and of the chroma (speech glides where notes hold).
- ``liveness``: presence of an audience. Above 0.8 likely live: how noise-like the quietest
  tenth of the track is (crowd and hall noise fill the gaps; a studio floor is clean).

Analysed values are stamped with ``ANALYSER``; raise its number when any of this changes, so
the backfill recomputes older results.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np

from tonearm.audio._descriptors import RATE, Descriptors, describe
from tonearm.audio.decode import frame_to_float, open_audio
from tonearm.audio.errors import AudioError

__all__ = [
    "ANALYSER",
    "ANALYSIS_RATE",
    "EXCERPT_SECONDS",
    "PERCEPTUAL_FEATURES",
    "AudioFeatures",
    "analyse_features",
    "excerpt",
    "features_of_file",
    "read_mono",
]

ANALYSER = "tonearm-librosa/1"
ANALYSIS_RATE = RATE
EXCERPT_SECONDS = 60.0
# The fields on a 0-1 scale.
PERCEPTUAL_FEATURES = (
    "energy",
    "danceability",
    "valence",
    "acousticness",
    "instrumentalness",
    "speechiness",
    "liveness",
)


@dataclass(frozen=True)
class AudioFeatures:
    """One track's features, named as Spotify's audio-features object names them."""

    tempo: float
    key: int
    mode: int
    loudness: float
    time_signature: int
    duration_ms: int
    energy: float
    danceability: float
    valence: float
    acousticness: float
    instrumentalness: float
    speechiness: float
    liveness: float
    analyser: str = ANALYSER


def read_mono(path: Path) -> np.ndarray:
    """The whole file as mono float32 at ``ANALYSIS_RATE``; AudioError if it does not decode."""
    try:
        with open_audio(path) as container:
            stream = container.streams.audio[0]
            resampler = av.AudioResampler(format="flt", layout="mono", rate=RATE)
            chunks = [
                frame_to_float(converted)[:, 0]
                for frame in [*container.decode(stream), None]
                for converted in resampler.resample(frame)
            ]
    except (av.error.FFmpegError, IndexError) as error:
        raise AudioError("not an audio file") from error
    return np.concatenate(chunks) if chunks else np.zeros(0, np.float32)


def features_of_file(path: Path, *, loudness: float) -> AudioFeatures:
    return analyse_features(read_mono(path), RATE, loudness=loudness)


def excerpt(samples: np.ndarray, rate: int, seconds: float = EXCERPT_SECONDS) -> np.ndarray:
    """At most ``seconds`` from the middle of ``samples``."""
    wanted = int(seconds * rate)
    if len(samples) <= wanted:
        return samples
    start = (len(samples) - wanted) // 2
    return samples[start : start + wanted]


def analyse_features(samples: np.ndarray, rate: int, *, loudness: float) -> AudioFeatures:
    """Features of decoded audio (``[samples]`` or ``[samples, channels]`` float), with the
    track's integrated loudness in LUFS as measured at ingest."""
    mono = samples.mean(axis=1) if samples.ndim == 2 else samples
    duration_ms = len(mono) * 1000 // rate if rate > 0 else 0
    mono = np.nan_to_num(excerpt(mono, rate).astype(np.float32))
    if rate != RATE and len(mono):
        import librosa  # the audio stack loads only where features are made

        mono = librosa.resample(mono, orig_sr=rate, target_sr=RATE)
    return _features(describe(mono), duration_ms, loudness)


def _features(d: Descriptors, duration_ms: int, loudness: float) -> AudioFeatures:
    energy = _energy(d, loudness)
    speech = _speechiness(d)
    return AudioFeatures(
        tempo=round(_finite(d.tempo), 3),
        key=d.key,
        mode=d.mode,
        loudness=round(_finite(loudness, -70.0), 3),
        time_signature=d.meter,
        duration_ms=duration_ms,
        energy=_unit(energy),
        danceability=_unit(_danceability(d)),
        valence=_unit(_valence(d, energy)),
        acousticness=_unit(_acousticness(d)),
        instrumentalness=_unit(_instrumentalness(d)),
        speechiness=_unit(speech),
        liveness=_unit(_ramp(d.floor_flatness, 0.05, 0.45)),
    )


def _finite(value: float, default: float = 0.0) -> float:
    return value if math.isfinite(value) else default


def _unit(value: float) -> float:
    return round(min(1.0, max(0.0, _finite(value))), 4)


def _ramp(value: float, low: float, high: float) -> float:
    """0 at ``low``, 1 at ``high``, straight in between."""
    return min(1.0, max(0.0, (value - low) / (high - low)))


def _sounding(d: Descriptors) -> bool:
    return d.level_db > -100.0


def _energy(d: Descriptors, loudness: float) -> float:
    if not _sounding(d):
        return 0.0
    return (
        0.45 * _ramp(loudness, -35.0, -5.0)
        + 0.25 * _ramp(d.onset_rate, 0.0, 6.0)
        + 0.2 * _ramp(d.centroid_hz, 0.0, 3000.0)
        + 0.1 * _ramp(d.flatness, 0.0, 0.2)
    )


def _tempo_fit(tempo: float) -> float:
    """1 at 90-140 BPM, falling off an octave either side."""
    if tempo <= 0:
        return 0.0
    distance = max(0.0, math.log2(90.0 / tempo), math.log2(tempo / 140.0))
    return max(0.0, 1.0 - distance)


def _danceability(d: Descriptors) -> float:
    return 0.6 * _ramp(d.pulse, 0.0, 0.6) + 0.25 * _tempo_fit(d.tempo) + 0.15 * _ramp(d.bass_share, 0.0, 0.4)


def _valence(d: Descriptors, energy: float) -> float:
    if not _sounding(d):
        return 0.0
    return (
        0.4 * _ramp(d.major_lean, -0.3, 0.3)
        + 0.2 * _ramp(d.tempo, 60.0, 160.0)
        + 0.2 * _ramp(d.centroid_hz, 0.0, 3000.0)
        + 0.2 * energy
    )


def _acousticness(d: Descriptors) -> float:
    if not _sounding(d):
        return 0.0
    pulse, bass = _ramp(d.pulse, 0.0, 0.6), _ramp(d.bass_share, 0.0, 0.4)
    machine = (pulse + bass + _ramp(-d.dynamics_db, -8.0, 0.0)) / 3
    return 0.6 * (1.0 - machine) + 0.4 * _ramp(d.floor_flatness, 0.0, 0.1)


def _speechiness(d: Descriptors) -> float:
    return (_ramp(d.timbre_motion, 4.5, 8.0) + _ramp(d.pitch_motion, 0.09, 0.15)) / 2


def _instrumentalness(d: Descriptors) -> float:
    if not _sounding(d):
        return 0.0
    voice = (_ramp(d.timbre_motion, 4.0, 7.0) + _ramp(d.pitch_motion, 0.07, 0.13)) / 2
    return 1.0 - voice
