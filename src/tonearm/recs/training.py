"""Training: the implicit feedback and side information of the whole catalogue in, a model file
in the blob store and its row out; the process keeps the newest model loaded (`ModelStore`).

    trained = train(session_factory, blobs, progress=lambda stage, fraction: ...)
"""

from __future__ import annotations

import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from tonearm.backends.blobs import BlobStore
from tonearm.kit.db import unit_of_work
from tonearm.kit.ids import new_id
from tonearm.kit.logs import get_logger
from tonearm.kit.time import utcnow
from tonearm.recs import engine
from tonearm.recs.models import TrainedModel
from tonearm.recs.repository import RecsRepository
from tonearm.recs.sources import Catalogue, plays_total, read_catalogue, training_input

__all__ = ["KEEP_MODELS", "ModelStore", "Trained", "train"]

# The newest model and the one before it stay (a process may still be loading the older one).
KEEP_MODELS = 2
log = get_logger(__name__)
Progress = Callable[[str, float], None]


@dataclass(frozen=True)
class Trained:
    model_id: str
    users: int
    items: int
    interactions: int
    seconds: float
    plays: int = 0


def train(
    session_factory: sessionmaker[Session], blobs: BlobStore, *, progress: Progress | None = None
) -> Trained:
    tell = progress or (lambda _stage, _fraction: None)
    started = time.perf_counter()
    tell("reading plays", 0.0)
    with unit_of_work(session_factory) as session:
        found = read_catalogue(session)
        feedback, side = training_input(session, found)
        plays = plays_total(session)
    model = engine.train(feedback, side, progress=tell)
    trained = Trained(
        new_id(),
        len(model.users),
        len(model.items),
        int(feedback.plays.nnz),
        time.perf_counter() - started,
        plays,
    )
    _store(session_factory, blobs, model, trained)
    tell("stored", 1.0)
    return trained


def _store(
    session_factory: sessionmaker[Session], blobs: BlobStore, model: engine.Model, trained: Trained
) -> None:
    key = f"recs/models/{trained.model_id}.npz"
    with tempfile.TemporaryDirectory(prefix="tonearm-recs-") as folder:
        path = Path(folder) / "model.npz"
        model.save(path)
        blobs.put_file(key, path)
    with unit_of_work(session_factory) as session:
        repo = RecsRepository(session)
        row = TrainedModel(
            id=trained.model_id,
            trained_at=utcnow(),
            blob_key=key,
            users=trained.users,
            items=trained.items,
            interactions=trained.interactions,
            seconds=trained.seconds,
            plays=trained.plays,
        )
        repo.add(row)
        session.flush()
        older = sorted(repo.models_before(row), key=lambda found: found.trained_at, reverse=True)
        for stale in older[KEEP_MODELS - 1 :]:
            blobs.delete(stale.blob_key)
            repo.delete(stale)


class ModelStore:
    """The newest trained model, loaded once per process and again when a newer one is trained;
    with the catalogue it was read against, kept for a short while."""

    CATALOGUE_SECONDS = 60.0

    def __init__(self, blobs: BlobStore) -> None:
        self.blobs = blobs
        self._lock = threading.Lock()
        self._model: tuple[str, engine.Model] | None = None
        self._catalogue: tuple[float, Catalogue] | None = None

    def current(self, session: Session) -> tuple[str, engine.Model] | None:
        """(model id, model) of the newest trained model; None before any was trained."""
        row = RecsRepository(session).latest_model()
        if row is None:
            return None
        with self._lock:
            if self._model is None or self._model[0] != row.id:
                self._model = (row.id, self._load(row.blob_key))
            return self._model

    def catalogue(self, session: Session) -> Catalogue:
        with self._lock:
            if self._catalogue is None or time.monotonic() - self._catalogue[0] > self.CATALOGUE_SECONDS:
                self._catalogue = (time.monotonic(), read_catalogue(session))
            return self._catalogue[1]

    def forget(self) -> None:
        with self._lock:
            self._model, self._catalogue = None, None

    def _load(self, key: str) -> engine.Model:
        local = self.blobs.local_path(key)
        if local is not None:
            return engine.Model.load(local)
        with tempfile.TemporaryDirectory(prefix="tonearm-recs-") as folder:
            path = Path(folder) / "model.npz"
            path.write_bytes(self.blobs.read_range(key, 0, self.blobs.size(key)))
            return engine.Model.load(path)
