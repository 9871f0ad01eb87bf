"""The ingest job: atomic publication, idempotency, the CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tonearm.backends.blobs_file import FileBlobStore
from tonearm.catalog.models import AudioFile, Track
from tonearm.config import Settings
from tonearm.errors import TonearmError
from tonearm.ingest import tasks
from tonearm.ingest.schemas import Hints
from tonearm.ingest.tasks import IngestContext, ingest_master
from tonearm.kit.db import unit_of_work
from tonearm.runtime import Runtime, open_runtime

TONEARM = str(Path(sys.executable).parent / "tonearm")


@pytest.fixture
def runtime(settings: Settings) -> Runtime:
    return open_runtime(settings)


class FailingStore(FileBlobStore):
    """Fails on the n-th put, as a full disk or a dropped S3 connection would."""

    def __init__(self, root: Path, fail_at: int) -> None:
        super().__init__(root)
        self.puts, self.fail_at = 0, fail_at

    def put_file(self, key: str, source: Path) -> None:
        self.puts += 1
        if self.puts == self.fail_at:
            raise OSError("disk full")
        super().put_file(key, source)


def _counts(runtime: Runtime) -> tuple[int, int]:
    with unit_of_work(runtime.session_factory) as session:
        tracks = session.scalar(select(func.count()).select_from(Track)) or 0
        files = session.scalar(select(func.count()).select_from(AudioFile)) or 0
    return tracks, files


def _files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


def test_a_failure_while_publishing_blobs_leaves_no_rows_and_no_blobs(
    runtime: Runtime, tone: Path, tmp_path: Path
) -> None:
    store = FailingStore(tmp_path / "blobs", fail_at=5)
    ctx = IngestContext(runtime.session_factory, store, runtime.metrics, 60, 10**8, 2)
    with pytest.raises(OSError, match="disk full"):
        ingest_master(ctx, tone, file_name="tone.wav", hints=Hints())
    assert _counts(runtime) == (0, 0)
    assert _files(tmp_path / "blobs") == []


def test_a_failure_while_writing_rows_takes_the_blobs_back(
    runtime: Runtime, tone: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken_publish(session, new):  # type: ignore[no-untyped-def]
        raise RuntimeError("database went away")

    monkeypatch.setattr(tasks.catalog_service, "publish", broken_publish)
    store = FileBlobStore(tmp_path / "blobs")
    ctx = IngestContext(runtime.session_factory, store, runtime.metrics, 60, 10**8, 2)
    with pytest.raises(RuntimeError):
        ingest_master(ctx, tone, file_name="tone.wav", hints=Hints())
    assert _counts(runtime) == (0, 0)
    assert _files(tmp_path / "blobs") == []


def test_an_invalid_isrc_hint_is_refused_before_anything_is_written(runtime: Runtime, tone: Path) -> None:
    with pytest.raises(TonearmError, match="ISRC"):
        ingest_master(runtime.ingest_context(), tone, file_name="tone.wav", hints=Hints(isrc="XX"))
    assert _counts(runtime) == (0, 0)


def test_the_cli_prints_one_json_line_per_track_and_names_bad_files(
    settings: Settings, tone: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "masters"
    folder.mkdir()
    (folder / "good.wav").write_bytes(tone.read_bytes())
    (folder / "broken.flac").write_bytes(b"fLaC" + b"\x00" * 100)
    env = {"TONEARM_DATA_DIR": str(settings.data_dir), "PATH": "/usr/bin:/bin"}
    done = subprocess.run([TONEARM, "ingest", str(folder), "--json"], capture_output=True, text=True, env=env)
    assert done.returncode == 1
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    good = next(line for line in lines if "id" in line)
    assert good["name"] == "good" and good["duration_ms"] == 1500 and len(good["id"]) == 22
    bad = next(line for line in lines if "error" in line)
    assert "broken.flac" in bad["error"]
    assert "broken.flac" in done.stderr

    again = subprocess.run(
        [TONEARM, "ingest", str(folder / "good.wav")], capture_output=True, text=True, env=env
    )
    assert again.returncode == 0
    assert again.stdout.startswith(good["id"])
    assert "duplicate" in again.stdout
