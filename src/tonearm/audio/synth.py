"""A small, fast synthesizer for the demo catalog.

Each track is a four-bar progression in its key (I-V-vi-IV in major,
i-VI-III-VII in minor) with a bass line, a scale melody, a tonic-triad drone
and a kick plus closed hat on every beat, so tempo and key detectors have
something unambiguous to find (off-beat hats made autocorrelation pick double
the tempo; the drone keeps the tonic triad on top of the chroma even in the
bars played over V or IV). Every voice is rendered as whole-track
numpy arrays (phase by cumulative sum, envelopes from "time since note on"),
never sample by sample.

numpy's stubs type many ufunc results as Any; where such a result is returned, ``np.asarray``
(a no-op on an array) says that it is one.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile

__all__ = ["MODES", "TIMBRES", "SynthSpec", "spec_for_demo", "synthesize"]

TIMBRES = ("sine", "saw", "square", "fm", "pluck")
MODES = {1: "major", 0: "minor"}
_SCALES = {1: (0, 2, 4, 5, 7, 9, 11), 0: (0, 2, 3, 5, 7, 8, 10)}
_PROGRESSIONS = {1: (0, 4, 5, 3), 0: (0, 5, 2, 6)}  # scale degrees of the chord roots
_BEATS_PER_BAR = 4
_PEAK = 10 ** (-1 / 20)  # -1 dBFS


@dataclass(frozen=True)
class SynthSpec:
    tempo_bpm: float
    key: int  # pitch class of the tonic, 0 = C .. 11 = B
    mode: int  # 1 major, 0 minor
    timbre: str
    seconds: float
    seed: int


def spec_for_demo(index: int) -> SynthSpec:
    """A distinct, deterministic spec for demo track ``index``."""
    # 37 is coprime with 101, so the first 101 tracks all get different tempi.
    tempo = 70.0 + (index * 37) % 101
    key, mode = (index * 7) % 12, (index // len(TIMBRES)) % 2
    seconds = 20.0 + (index * 3) % 11
    return SynthSpec(tempo, key, 1 - mode, TIMBRES[index % len(TIMBRES)], seconds, index)


def synthesize(spec: SynthSpec, path: Path, *, sample_rate: int = 44100) -> None:
    """Render ``spec`` into a 16-bit stereo WAV at ``path``."""
    if spec.timbre not in TIMBRES or spec.mode not in MODES or not 0 <= spec.key < 12:
        raise ValueError(f"unsupported synth spec {spec}")
    mix = render(spec, sample_rate)
    soundfile.write(str(path), mix, sample_rate, subtype="PCM_16")


def render(spec: SynthSpec, sample_rate: int) -> np.ndarray:
    """The track as float32 ``[samples, 2]`` peaking at -1 dBFS."""
    total = max(1, round(spec.seconds * sample_rate))
    clock = _Clock(60.0 * sample_rate / spec.tempo_bpm, total, sample_rate)
    rng = np.random.default_rng(spec.seed)
    harmony = _Harmony(spec, clock)
    centre = harmony.drone() + harmony.bass() + _kicks(clock)
    pad, melody = harmony.pad(), harmony.melody(rng)
    left = centre + 0.8 * pad + 0.6 * melody + _hats(clock, rng)
    right = centre + 1.2 * pad + 1.0 * melody + _hats(clock, rng)
    mix = np.stack([left, right], axis=1)
    return (mix * (_PEAK / max(float(np.max(np.abs(mix))), 1e-9))).astype(np.float32)


@dataclass(frozen=True)
class _Clock:
    beat: float  # samples per beat, fractional so the tempo is exact
    total: int  # samples in the track
    rate: int

    def beat_starts(self, offset: float = 0.0, step: float = 1.0) -> np.ndarray:
        count = int(np.ceil(self.total / (self.beat * step)))
        starts = np.round((np.arange(count) * step + offset) * self.beat).astype(np.int64)
        return starts[starts < self.total]


class _Harmony:
    def __init__(self, spec: SynthSpec, clock: _Clock) -> None:
        self.spec, self.clock = spec, clock
        self.scale = _SCALES[spec.mode]
        self.bars = clock.beat_starts(step=_BEATS_PER_BAR)
        self.beats = clock.beat_starts()
        self.timeline = _timeline(self.beats, clock)
        self.roots = np.array(
            [_PROGRESSIONS[spec.mode][i % 4] for i in range(len(self.bars))], dtype=np.int64
        )

    def pitch(self, degree: np.ndarray | int, octave_base: int) -> np.ndarray:
        """MIDI pitch of a scale degree (may exceed 6) above ``octave_base + key``."""
        degree = np.asarray(degree)
        steps = np.take(self.scale, degree % 7) + 12 * (degree // 7)
        return np.asarray(octave_base + self.spec.key + steps)

    def pad(self) -> np.ndarray:
        bars = _timeline(self.bars, self.clock)
        voices = [
            _voice(self.pitch(self.roots + step, 48), bars, self.clock, self.spec.timbre, None)
            for step in (0, 2, 4)
        ]
        return np.float32(0.10) * np.asarray(np.sum(voices, axis=0))

    def drone(self) -> np.ndarray:
        samples = np.arange(self.clock.total, dtype=np.float64)
        tones = _midi_hz(self.pitch(np.array([0, 2, 4]), 48)) / self.clock.rate
        waves = [_sine(_fraction(samples * step), samples) for step in tones]
        return np.float32(0.1) * np.asarray(np.sum(waves, axis=0))

    def bass(self) -> np.ndarray:
        bar_of_beat = np.minimum(np.arange(len(self.beats)) // _BEATS_PER_BAR, len(self.bars) - 1)
        pitches = self.pitch(self.roots[bar_of_beat], 36)
        return np.float32(0.25) * _voice(pitches, self.timeline, self.clock, "sine", 0.35)

    def melody(self, rng: np.random.Generator) -> np.ndarray:
        # Half the notes come from the tonic triad, the rest walk the scale.
        walk = np.clip(np.cumsum(rng.integers(-2, 3, len(self.beats))), -3, 7)
        triad = rng.choice(np.array([0, 2, 4, 7]), len(self.beats))
        degrees = np.where(rng.random(len(self.beats)) < 0.5, triad, walk)
        pitches = self.pitch(degrees, 72)
        return np.float32(0.15) * _voice(pitches, self.timeline, self.clock, self.spec.timbre, 0.25)


def _midi_hz(pitch: np.ndarray | float) -> np.ndarray:
    return 440.0 * 2.0 ** ((np.asarray(pitch, dtype=np.float64) - 69.0) / 12.0)


@dataclass(frozen=True)
class _Timeline:
    """Per-sample view of a rhythm, shared by every voice that follows it."""

    index: np.ndarray  # which note sounds at each sample
    since: np.ndarray  # seconds since that note began, float32
    gate: np.ndarray  # click-free attack and release, float32


def _timeline(starts: np.ndarray, clock: _Clock) -> _Timeline:
    lengths = np.diff(np.append(starts, clock.total))
    index = np.repeat(np.arange(len(lengths)), lengths)
    since = (np.arange(clock.total) - np.take(starts, index)).astype(np.float32)
    left = np.take(lengths, index).astype(np.float32) - since
    gate = np.minimum(since * np.float32(200.0 / clock.rate), np.float32(1.0))
    gate *= np.minimum(left * np.float32(50.0 / clock.rate), np.float32(1.0))
    return _Timeline(index, since / np.float32(clock.rate), gate)


def _voice(
    pitches: np.ndarray, timeline: _Timeline, clock: _Clock, timbre: str, decay: float | None
) -> np.ndarray:
    """A monophonic line; ``decay`` in seconds, or None to sustain each note."""
    cycles = np.cumsum(np.take(_midi_hz(pitches) / clock.rate, timeline.index))
    envelope = timeline.gate
    if decay is not None:
        envelope = envelope * np.exp(timeline.since * np.float32(-1.0 / decay))
    return np.asarray(_WAVES[timbre](_fraction(cycles), timeline.since) * envelope)


def _fraction(cycles: np.ndarray) -> np.ndarray:
    """Phase within the cycle as float32: exact enough for sin, and fast."""
    return np.asarray(cycles - np.floor(cycles)).astype(np.float32)


def _sine(phase: np.ndarray, _: np.ndarray) -> np.ndarray:
    return np.sin(np.float32(2 * np.pi) * phase)


def _saw(phase: np.ndarray, _: np.ndarray) -> np.ndarray:
    return np.float32(2.0) * phase - np.float32(1.0)


def _square(phase: np.ndarray, _: np.ndarray) -> np.ndarray:
    # A driven sine: odd harmonics like a square wave, without its harsh aliasing.
    return np.tanh(np.float32(3.0) * _sine(phase, phase)) / np.float32(np.tanh(3.0))


def _fm(phase: np.ndarray, seconds: np.ndarray) -> np.ndarray:
    index = np.float32(2.5) * np.exp(seconds / np.float32(-0.15))
    angle = np.float32(2 * np.pi) * phase
    return np.asarray(np.sin(angle + index * np.sin(np.float32(2.0) * angle)))


def _pluck(phase: np.ndarray, seconds: np.ndarray) -> np.ndarray:
    # Upper harmonics die away first, as on a plucked string.
    bright = np.exp(seconds / np.float32(-0.08))
    angle = np.float32(2 * np.pi) * phase
    return np.sin(angle) + bright * (np.sin(2 * angle) / 2 + np.sin(3 * angle) / 3)


_WAVES = {"sine": _sine, "saw": _saw, "square": _square, "fm": _fm, "pluck": _pluck}


def _kicks(clock: _Clock) -> np.ndarray:
    seconds = np.arange(int(0.25 * clock.rate), dtype=np.float32) / np.float32(clock.rate)
    sweep = 45.0 + 75.0 * np.exp(seconds / np.float32(-0.03))
    phase = np.cumsum(sweep) / np.float32(clock.rate)
    hit = 0.6 * np.sin(np.float32(2 * np.pi) * phase) * np.exp(seconds / np.float32(-0.07))
    return _place(hit.astype(np.float32), clock.beat_starts(), clock.total)


def _hats(clock: _Clock, rng: np.random.Generator) -> np.ndarray:
    length = int(0.04 * clock.rate)
    noise = np.diff(rng.standard_normal(length + 1)).astype(np.float32)  # tilted to the top
    decay = np.exp(np.arange(length, dtype=np.float32) / np.float32(-0.008 * clock.rate))
    return _place(0.04 * noise * decay, clock.beat_starts(), clock.total)


def _place(hit: np.ndarray, starts: np.ndarray, total: int) -> np.ndarray:
    track = np.zeros(total + len(hit), np.float32)
    for start in starts:
        track[start : start + len(hit)] += hit
    return track[:total]
