"""The schedule: a model trained daily (sooner when none exists yet), Discover Weekly and Release
Radar rebuilt weekly and the Daily Mixes daily, each listener in their own unit of work, so one
that fails (logged) keeps their last lists.

    train(session_factory, blobs)                         # tonearm recs train
    build_lists(service, session_factory, "daily-mix")    # tonearm recs build --product daily-mix
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from tonearm.backends.blobs import BlobStore
from tonearm.kit.db import unit_of_work
from tonearm.kit.logs import get_logger
from tonearm.kit.time import as_utc, utcnow
from tonearm.kit.worker import PeriodicJob
from tonearm.listening import listening
from tonearm.recs.lists import LIST_AGE, PRODUCTS, Built
from tonearm.recs.picking import Moment
from tonearm.recs.repository import RecsRepository
from tonearm.recs.service import RecsService
from tonearm.recs.sources import plays_total
from tonearm.recs.training import ModelStore, train

__all__ = ["INTERVAL_SECONDS", "MODEL_AGE", "RecsJob", "build_lists", "listeners", "train_if_due"]

MODEL_AGE = timedelta(days=1)
INTERVAL_SECONDS = 3600.0
log = get_logger(__name__)
Progress = Callable[[str, list[Built] | None], None]


def train_if_due(
    session_factory: sessionmaker[Session], blobs: BlobStore, *, now: datetime | None = None
) -> bool:
    """Train when there are plays and no model yet, or streams and skips the newest model did not
    learn from and it is over a day old."""
    moment = now or utcnow()
    with unit_of_work(session_factory) as session:
        latest = RecsRepository(session).latest_model()
        plays = plays_total(session)
    if plays == 0 or (
        latest is not None and (plays == latest.plays or moment - as_utc(latest.trained_at) < MODEL_AGE)
    ):
        return False
    train(session_factory, blobs)
    return True


def listeners(session: Session) -> list[str]:
    """Whom lists are built for: everyone who has played something or has lists already."""
    played = {row.user_id for row in listening.feedback(session)}
    repo = RecsRepository(session)
    return sorted(played.union(*(repo.users_with_lists(product) for product in PRODUCTS)))


def build_lists(
    service: RecsService,
    session_factory: sessionmaker[Session],
    product: str,
    *,
    due_only: bool = False,
    now: datetime | None = None,
    progress: Progress | None = None,
) -> int:
    """Build the product's lists for every listener (or those whose lists are older than the
    product's age); how many listeners got theirs."""
    moment = Moment(now or utcnow())
    with unit_of_work(session_factory) as session:
        users = listeners(session)
    done = 0
    for user_id in users:
        built = _build_one(service, session_factory, user_id, product, moment, due_only)
        if progress is not None:
            progress(user_id, built)
        done += built is not None and bool(built)
    return done


def _build_one(
    service: RecsService,
    session_factory: sessionmaker[Session],
    user_id: str,
    product: str,
    moment: Moment,
    due_only: bool,
) -> list[Built] | None:
    try:
        with unit_of_work(session_factory) as session:
            if due_only and not _due(session, user_id, product, moment.at):
                return []
            return service.build(session, user_id, product, moment)
    except Exception:
        log.exception(
            "building a made-for-you list failed; the last one stays", user_id=user_id, product=product
        )
        return None


def _due(session: Session, user_id: str, product: str, now: datetime) -> bool:
    rows = [row for row in RecsRepository(session).lists(user_id) if row.product == product]
    return not rows or any(now - as_utc(row.built_at) >= LIST_AGE[product] for row in rows)


class RecsJob(PeriodicJob):
    """Hourly: train when due, then build every list past its age."""

    def __init__(self, session_factory: sessionmaker[Session], blobs: BlobStore) -> None:
        service = RecsService(ModelStore(blobs))

        def run() -> int:
            trained = train_if_due(session_factory, blobs)
            built = sum(build_lists(service, session_factory, product, due_only=True) for product in PRODUCTS)
            return int(trained) + built

        super().__init__("recs", session_factory, run, INTERVAL_SECONDS)
