"""Audio features: tempo and key against what the demo synthesizer put in, speech against music
on real recordings, and silence or damage giving sensible numbers, never NaN."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import SHARED_DATA
from tonearm.audio import ANALYSER, AudioFeatures, analyse_features, features_of_file, read_mono
from tonearm.audio.features import ANALYSIS_RATE, PERCEPTUAL_FEATURES
from tonearm.audio.synth import render
from tonearm.ingest.demo import demo_tracks

CC_MUSIC = SHARED_DATA / "cc-music"
SPEECH = ("198-209-0000.ogg", "3436-172162-0000.ogg", "5703-47212-0000.ogg")
MUSIC = (
    "Kevin_MacLeod_-_Vibe_Ace.ogg",
    "Kevin_MacLeod_-_P_I_Tchaikovsky_Dance_of_the_Sugar_Plum_Fairy.ogg",
    "Karissa_Hobbs_-_Lets_Go_Fishin.ogg",
    "Hungarian_Dance_number_5_-_Allegro_in_F_sharp_minor_(string_orchestra).ogg",
    "sorohanro_-_solo-trumpet-06.ogg",
)


@dataclass(frozen=True)
class Judged:
    title: str
    timbre: str
    tempo: float
    key: int
    mode: int
    found: AudioFeatures

    @property
    def tempo_right(self) -> bool:
        return abs(self.found.tempo / self.tempo - 1) <= 0.02

    @property
    def octave_error(self) -> bool:
        return any(abs(self.found.tempo / (self.tempo * factor) - 1) <= 0.02 for factor in (2.0, 0.5))

    @property
    def key_right(self) -> bool:
        return (self.found.key, self.found.mode) == (self.key, self.mode)


@pytest.fixture(scope="session")
def demo_catalog() -> list[Judged]:
    """Every demo track analysed once, straight from the synthesizer at the analysis rate."""
    judged = []
    for track in demo_tracks():
        spec = track.spec
        found = analyse_features(render(spec, ANALYSIS_RATE), ANALYSIS_RATE, loudness=-14.0)
        judged.append(Judged(track.title, spec.timbre, spec.tempo_bpm, spec.key, spec.mode, found))
    return judged


def _table(judged: list[Judged]) -> str:
    rows = [
        f"{j.title[:18]:18} {j.timbre:6} {j.tempo:6.1f} {j.found.tempo:7.2f} "
        f"{'ok' if j.tempo_right else 'x2' if j.octave_error else 'WRONG':5} "
        f"key {j.key:2}/{j.mode} found {j.found.key:2}/{j.found.mode} {'ok' if j.key_right else 'WRONG'}"
        for j in judged
    ]
    return "\n".join(["title              timbre   true   found tempo", *rows])


def test_tempo_is_within_2_percent_on_nine_in_ten_demo_tracks(demo_catalog: list[Judged]) -> None:
    right = sum(j.tempo_right for j in demo_catalog)
    octave = sum(j.octave_error for j in demo_catalog)
    print(_table(demo_catalog))
    summary = f"tempo within 2 %: {right}/{len(demo_catalog)}, octave errors: {octave}"
    print(summary)
    assert len(demo_catalog) == 32
    assert right >= 0.9 * len(demo_catalog), f"{summary}\n{_table(demo_catalog)}"


def test_key_and_mode_are_right_on_four_in_five_demo_tracks(demo_catalog: list[Judged]) -> None:
    right = sum(j.key_right for j in demo_catalog)
    summary = f"key and mode right: {right}/{len(demo_catalog)}"
    print(summary)
    assert right >= 0.8 * len(demo_catalog), f"{summary}\n{_table(demo_catalog)}"


def test_demo_tracks_dance_and_hold_no_speech(demo_catalog: list[Judged]) -> None:
    # A kick on every beat and sustained notes: danceable, instrumental, not speech.
    assert min(j.found.danceability for j in demo_catalog) > 0.7
    assert max(j.found.speechiness for j in demo_catalog) < 0.33
    assert min(j.found.instrumentalness for j in demo_catalog) > 0.5
    assert {j.found.time_signature for j in demo_catalog} == {4}


def test_every_feature_is_a_finite_number_in_its_range(demo_catalog: list[Judged]) -> None:
    for judged in demo_catalog:
        values = asdict(judged.found)
        assert all(0.0 <= values[name] <= 1.0 for name in PERCEPTUAL_FEATURES), values
        assert all(math.isfinite(v) for v in values.values() if isinstance(v, float)), values
        assert judged.found.analyser == ANALYSER


def test_duration_is_the_whole_tracks_though_only_a_minute_is_analysed() -> None:
    long = np.tile(render(next(demo_tracks(seconds=20.0)).spec, ANALYSIS_RATE), (9, 1))  # 3 min
    found = analyse_features(long, ANALYSIS_RATE, loudness=-9.5)
    assert found.duration_ms == 180_000
    assert found.loudness == -9.5  # as ingest measured it, not measured again
    assert abs(found.tempo / 70.0 - 1) <= 0.02


@pytest.mark.parametrize("rate", [22_050, 44_100])
def test_silence_has_no_tempo_and_no_key(rate: int) -> None:
    found = analyse_features(np.zeros((rate * 3, 2), np.float32), rate, loudness=-70.0)
    assert (found.tempo, found.key, found.time_signature, found.duration_ms) == (0.0, -1, 4, 3000)
    assert all(getattr(found, name) == 0.0 for name in PERCEPTUAL_FEATURES)


def test_damaged_samples_give_numbers_not_nan() -> None:
    samples = np.full((44_100, 2), np.nan, np.float32)
    found = analyse_features(samples, 44_100, loudness=float("nan"))
    assert found.key == -1 and found.tempo == 0.0 and found.loudness == -70.0
    assert analyse_features(np.zeros((0, 2), np.float32), 44_100, loudness=-70.0).duration_ms == 0


@pytest.fixture(scope="session")
def recordings() -> dict[str, AudioFeatures]:
    if not CC_MUSIC.is_dir():
        pytest.skip("needs ../shared/data/cc-music (third-party recordings, not in the repo)")
    return {name: features_of_file(CC_MUSIC / name, loudness=-20.0) for name in (*SPEECH, *MUSIC)}


@pytest.mark.parametrize("name", SPEECH)
def test_spoken_word_scores_as_speech(recordings: dict[str, AudioFeatures], name: str) -> None:
    assert recordings[name].speechiness > 0.66
    assert recordings[name].instrumentalness < 0.5


@pytest.mark.parametrize("name", MUSIC)
def test_music_scores_low_speechiness(recordings: dict[str, AudioFeatures], name: str) -> None:
    assert recordings[name].speechiness < 0.33


def test_a_string_orchestra_is_more_acoustic_than_a_synth_track(
    recordings: dict[str, AudioFeatures], demo_catalog: list[Judged]
) -> None:
    strings = recordings[MUSIC[3]].acousticness
    assert strings > 0.6
    assert strings > max(j.found.acousticness for j in demo_catalog) + 0.3


def test_a_file_that_is_no_audio_raises_an_audio_error(tmp_path: Path) -> None:
    from tonearm.audio import AudioError

    junk = tmp_path / "junk.wav"
    junk.write_bytes(b"RIFF" + b"\x00" * 100)
    with pytest.raises(AudioError):
        read_mono(junk)
