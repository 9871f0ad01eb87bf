"""Gapless: one continuous master split in two, both ingested; every rendition, decoded and
trimmed by the manifest, joins back into the master with no inserted silence."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import soundfile
from fastapi.testclient import TestClient

from tests.auth import user_token
from tonearm.audio import decode_raw
from tonearm.config import Settings

RATE = 48000
SPLIT = 96_037  # deliberately not on any codec's frame boundary


def continuous_master(seconds: float = 4.0) -> np.ndarray:
    t = np.arange(int(seconds * RATE)) / RATE
    sweep = np.sin(2 * np.pi * (200 * t + 150 * t**2))
    chord = sum(np.sin(2 * np.pi * f * t) for f in (261.6, 329.6, 392.0)) / 3
    left = 0.35 * sweep + 0.3 * chord
    return np.stack([left, 0.3 * sweep + 0.35 * chord], axis=1).astype(np.float32)


def _ingest(client: TestClient, path: Path) -> str:
    with path.open("rb") as handle:
        response = client.post(
            "/v1/ingest",
            files={"file": (path.name, handle)},
            data={"album": "Continuous", "artists": "Gapless"},
        )
    assert response.status_code == 201, response.text
    return str(response.json()["tracks"][0]["id"])


def _trimmed(client: TestClient, rendition: dict[str, object], tmp_path: Path) -> np.ndarray:
    path = tmp_path / f"{rendition['rung']}-{id(rendition)}"
    path.write_bytes(client.get(str(rendition["url"])).content)
    raw, rate = decode_raw(path)
    assert rate == rendition["sample_rate"]
    delay, padding, samples = (int(rendition[k]) for k in ("encoder_delay", "padding", "samples"))  # type: ignore[call-overload]
    assert len(raw) == delay + samples + padding
    return raw[delay : delay + samples]


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """One server for every rung: the two halves are ingested once."""
    from tonearm.app import create_app

    folder = tmp_path_factory.mktemp("gapless")
    settings = Settings(data_dir=folder, signing_keys="k1:s", rate_limit_url="off")
    app = create_app(settings)
    with TestClient(app) as test_client:
        test_client.headers["Authorization"] = f"Bearer {user_token(app, 'boss', role='admin')}"
        yield test_client


@pytest.fixture(scope="module")
def manifests(
    client: TestClient, tmp_path_factory: pytest.TempPathFactory
) -> tuple[np.ndarray, dict[str, dict], dict[str, dict]]:  # type: ignore[type-arg]
    tmp_path = tmp_path_factory.mktemp("halves")
    master = continuous_master()
    soundfile.write(tmp_path / "a.wav", master[:SPLIT], RATE, subtype="PCM_24")
    soundfile.write(tmp_path / "b.wav", master[SPLIT:], RATE, subtype="PCM_24")
    first, second = _ingest(client, tmp_path / "a.wav"), _ingest(client, tmp_path / "b.wav")
    by_rung = [
        {r["rung"]: r for r in client.get(f"/v1/tracks/{track}/manifest").json()["renditions"]}
        for track in (first, second)
    ]
    return master, by_rung[0], by_rung[1]


RUNGS = ["opus_24", "vorbis_96", "vorbis_160", "vorbis_320", "aac_256", "flac"]


@pytest.mark.parametrize("rung", RUNGS)
def test_trimmed_renditions_join_back_into_the_master(
    client: TestClient, manifests, rung: str, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    master, first, second = manifests
    joined = np.concatenate(
        [_trimmed(client, first[rung], tmp_path), _trimmed(client, second[rung], tmp_path)]
    )
    assert first[rung]["samples"] == SPLIT
    assert len(joined) == len(master)
    # No inserted silence: every 5 ms window around the join carries signal, as the master does.
    window = RATE // 200
    around = joined[SPLIT - 4 * window : SPLIT + 4 * window, 0]
    energies = [float(np.sqrt(np.mean(around[i : i + window] ** 2))) for i in range(0, len(around), window)]
    assert min(energies) > 0.1, energies
    # Aligned sample for sample: in the middle of each side of the join the audio matches the
    # master best at lag 0, so nothing was dropped or repeated. (Mid-track, because a 24 kbps
    # Opus blurs the phase of the sweep's lowest notes at its very start.)
    for centre in (SPLIT // 2, SPLIT + (len(master) - SPLIT) // 2):
        assert _best_lag(joined[:, 0], master[:, 0], centre) == 0
    if rung == "flac":
        np.testing.assert_allclose(joined, master, atol=1e-6)


def _best_lag(signal: np.ndarray, reference: np.ndarray, centre: int, span: int = 2048) -> int:
    errors = {
        lag: float(
            np.mean(
                (signal[centre - span + lag : centre + span + lag] - reference[centre - span : centre + span])
                ** 2
            )
        )
        for lag in range(-40, 41)
    }
    return min(errors, key=errors.__getitem__)
