"""Audio features as a stage of ingest, and the backfill for tracks published without them."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import soundfile
from typer.testing import CliRunner

from tonearm.audio import SynthSpec, synthesize
from tonearm.catalog import catalog
from tonearm.catalog.tasks import backfill_features
from tonearm.cli import build_cli
from tonearm.config import Settings
from tonearm.ingest.schemas import Hints
from tonearm.ingest.tasks import IngestContext, ingest_master
from tonearm.kit.db import unit_of_work
from tonearm.runtime import Runtime, open_runtime

SPEC = SynthSpec(tempo_bpm=128.0, key=9, mode=0, timbre="saw", seconds=8.0, seed=3)


@pytest.fixture
def runtime(settings: Settings) -> Runtime:
    return open_runtime(settings)


def _ingest(runtime: Runtime, master: Path, *, features: bool = True) -> str:
    ctx = replace(IngestContext.of(runtime), audio_features=features)
    return ingest_master(ctx, master, file_name=master.name, hints=Hints(name=master.stem)).id


def _features(runtime: Runtime, track_id: str):  # type: ignore[no-untyped-def]
    with unit_of_work(runtime.session_factory) as session:
        return catalog.audio_features(session, [track_id]).get(track_id)


def _synth(folder: Path, spec: SynthSpec = SPEC) -> Path:
    master = folder / f"synth-{spec.seed}.wav"
    synthesize(spec, master)
    return master


def test_an_ingested_track_has_its_tempo_key_and_the_measured_loudness(
    runtime: Runtime, tmp_path: Path
) -> None:
    track_id = _ingest(runtime, _synth(tmp_path))
    found = _features(runtime, track_id)
    assert found is not None
    assert abs(found.tempo / SPEC.tempo_bpm - 1) <= 0.02
    assert (found.key, found.mode) == (SPEC.key, SPEC.mode)
    with unit_of_work(runtime.session_factory) as session:
        media = catalog.media(session, track_id, market=None)
    assert found.duration_ms == media.duration_ms
    # The loudness ingest measured for the manifest's gain, not a second measurement.
    assert found.loudness == pytest.approx(media.integrated_lufs, abs=1e-3)


def test_a_silent_master_is_published_with_no_tempo_and_no_key(runtime: Runtime, tmp_path: Path) -> None:
    master = tmp_path / "silence.wav"
    soundfile.write(master, np.zeros((44_100 * 3, 2), np.float32), 44_100, subtype="PCM_16")
    found = _features(runtime, _ingest(runtime, master))
    assert found is not None
    assert (found.tempo, found.key, found.energy, found.loudness) == (0.0, -1, 0.0, -70.0)


def test_the_backfill_analyses_what_lacks_features_with_progress_and_then_has_nothing_to_do(
    runtime: Runtime, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, settings: Settings
) -> None:
    track_id = _ingest(runtime, _synth(tmp_path), features=False)
    assert _features(runtime, track_id) is None
    seen: list[tuple[int, int]] = []
    done = backfill_features(runtime.session_factory, runtime.blobs, progress=lambda *p: seen.append(p))
    assert (done.analysed, done.failed) == (1, 0)
    assert seen == [(0, 1), (1, 1)]
    found = _features(runtime, track_id)
    assert found is not None and abs(found.tempo / SPEC.tempo_bpm - 1) <= 0.02
    assert (found.key, found.mode) == (SPEC.key, SPEC.mode)

    monkeypatch.setenv("TONEARM_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("TONEARM_SIGNING_KEYS", settings.signing_keys)
    again = CliRunner().invoke(build_cli(), ["catalog", "features-backfill"])
    assert again.exit_code == 0, again.output
    assert again.output.startswith("analysed 0 tracks")


def test_the_backfill_redoes_an_older_analysers_results(runtime: Runtime, tmp_path: Path) -> None:
    track_id = _ingest(runtime, _synth(tmp_path))
    with unit_of_work(runtime.session_factory) as session:
        old = catalog.audio_features(session, [track_id])[track_id]
        catalog.store_audio_features(session, track_id, replace(old, tempo=1.0, analyser="old/0"))
    done = backfill_features(runtime.session_factory, runtime.blobs)
    assert done.analysed == 1
    found = _features(runtime, track_id)
    assert found is not None and found.analyser == old.analyser and found.tempo == old.tempo
