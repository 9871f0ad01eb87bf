"""The backends one process opens from its settings, shared by the server, the CLI and jobs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from tonearm.backends.blobs import BlobStore, open_blob_store
from tonearm.backends.eventlog import EventLog, Retention, open_event_log
from tonearm.config import Settings
from tonearm.kit.db import make_engine, make_session_factory, migrate
from tonearm.kit.ids import use_uri_scheme
from tonearm.kit.metrics import Metrics
from tonearm.kit.passwords import use_password_cost
from tonearm.kit.signing import KeyRing, load_key_ring

if TYPE_CHECKING:
    from tonearm.ingest.tasks import IngestContext

__all__ = ["Runtime", "open_runtime"]


@dataclass(frozen=True)
class Runtime:
    settings: Settings
    engine: Engine
    session_factory: sessionmaker[Session]
    blobs: BlobStore
    keys: KeyRing
    metrics: Metrics
    event_log: EventLog

    def ingest_context(self) -> IngestContext:
        # Imported here: the ingest job loads the audio stack, which most commands never use.
        from tonearm.ingest.tasks import IngestContext

        return IngestContext.of(self)

    def retention(self) -> Retention:
        """How long each topic keeps its events, from the settings."""
        return Retention(
            max_age_seconds=self.settings.event_retention_days * 86400,
            max_bytes=self.settings.event_retention_bytes,
        )

    def close(self) -> None:
        self.event_log.close()
        self.engine.dispose()


def open_runtime(settings: Settings) -> Runtime:
    use_uri_scheme(settings.uri_scheme)
    use_password_cost(settings.password_hash_time_cost, settings.password_hash_memory_kib)
    engine = make_engine(settings.resolved_database_url)
    migrate(engine)
    return Runtime(
        settings=settings,
        engine=engine,
        session_factory=make_session_factory(engine),
        blobs=open_blob_store(settings.resolved_blob_url),
        keys=load_key_ring(settings.signing_keys, settings.data_dir),
        metrics=Metrics(),
        event_log=open_event_log(settings.resolved_event_log_url),
    )
