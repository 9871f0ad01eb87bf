"""Accounts jobs: accounts whose erasure the user asked for go when their grace period is over.

    erased = run_due(runtime.session_factory, providers)

or, in a long-running process, every minute in one process at a time:

    job = ErasureJob(runtime.session_factory, lambda: app.state.personal_data)
    job.start()   # at startup
    job.stop()    # at shutdown

`providers` are every domain's personal-data providers (what the app keeps on
`app.state.personal_data`), so a due account goes the way `tonearm users erase` erases one. The
job asks for them at each run, so it may be built before the app has them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from tonearm.accounts.privacy import Providers, privacy
from tonearm.accounts.service import account
from tonearm.kit.db import unit_of_work
from tonearm.kit.logs import get_logger
from tonearm.kit.time import utcnow
from tonearm.kit.worker import PeriodicJob

__all__ = ["ERASURE_BATCH", "ErasureJob", "run_due"]

ERASURE_BATCH = 100
log = get_logger(__name__)


def run_due(
    session_factory: sessionmaker[Session],
    providers: Providers,
    *,
    now: datetime | None = None,
    limit: int = ERASURE_BATCH,
) -> int:
    """Erase up to `limit` accounts whose erasure is due; returns how many went. Each is its
    own unit of work, so one that fails (logged, tried again next run) neither undoes nor holds
    up the others; one whose user signed in meanwhile is skipped."""
    now = now or utcnow()
    with unit_of_work(session_factory) as session:
        due = privacy.due_erasures(session, now=now, limit=limit)
    erased = sum(_erase(session_factory, user_id, providers, now) for user_id in due)
    if erased:
        account.forget_callers()
    return erased


def _erase(session_factory: sessionmaker[Session], user_id: str, providers: Providers, now: datetime) -> bool:
    try:
        with unit_of_work(session_factory) as session:
            erasure = privacy.erase_if_due(session, user_id, providers=providers, now=now)
    except Exception:
        log.exception("scheduled erasure failed; trying again next run", user_id=user_id)
        return False
    if erasure is not None:
        log.info("scheduled erasure done", user_id=user_id, providers=erasure.providers)
    return erasure is not None


class ErasureJob(PeriodicJob):
    """Erases the due accounts every `interval_seconds` in one process at a time; an account is
    erased under a lock on its row, once, whichever process gets there."""

    def __init__(
        self,
        session_factory: sessionmaker[Session],
        providers: Callable[[], Providers],
        interval_seconds: float = 60.0,
    ) -> None:
        super().__init__(
            "scheduled-erasure",
            session_factory,
            lambda: run_due(session_factory, providers()),
            interval_seconds,
        )
