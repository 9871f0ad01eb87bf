"""A background loop that runs while its process holds a lease: the shape the outbox relay and
every event consumer share. One step is `work()`, which answers whether it did anything; an idle
step waits `idle_seconds` (or until woken). A failing step is logged and retried; it never
takes the process down.

`PeriodicJob` is the same loop for a pass that runs once per interval (retention, scheduled
erasures, popularity): one process at a time runs it, and a pass that fails is logged and tried
again at the next interval."""

from __future__ import annotations

import os
import socket
import threading
import time
import uuid
from collections.abc import Callable

from sqlalchemy.orm import Session, sessionmaker

from tonearm.kit import leases
from tonearm.kit.logs import get_logger

__all__ = ["LeasedLoop", "PeriodicJob", "process_owner"]

LEASE_SECONDS = 10.0
RENEW_SECONDS = 3.0
log = get_logger(__name__)


def process_owner() -> str:
    """A name for this process as a lease holder: host, pid and a random part."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


class LeasedLoop:
    def __init__(
        self,
        name: str,
        session_factory: sessionmaker[Session],
        work: Callable[[], bool],
        *,
        idle_seconds: float = 0.05,
        wake: threading.Event | None = None,
        owner: str | None = None,
    ) -> None:
        self.name, self.session_factory, self.work = name, session_factory, work
        self.idle_seconds = idle_seconds
        self.owner = owner or process_owner()
        self._wake = wake or threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._held_until = 0.0

    @property
    def lease_name(self) -> str:
        return f"worker:{self.name}"

    def start(self) -> None:
        if self._thread is None:
            self._stopping.clear()
            self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stopping.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
        try:
            leases.release(self.session_factory, self.lease_name, self.owner)
        except Exception:  # the lease runs out by itself
            log.warning("could not release lease", lease=self.lease_name)

    def holds_lease(self) -> bool:
        now = time.monotonic()
        if now < self._held_until - (LEASE_SECONDS - RENEW_SECONDS):
            return True
        if leases.take(self.session_factory, self.lease_name, self.owner, ttl=LEASE_SECONDS):
            self._held_until = now + LEASE_SECONDS
            return True
        self._held_until = 0.0
        return False

    def _run(self) -> None:
        while not self._stopping.is_set():
            busy = False
            try:
                busy = self.holds_lease() and self.work()
            except Exception:
                log.exception("background step failed; retrying", worker=self.name)
                self._stopping.wait(1.0)
            if not busy:
                self._wake.wait(self.idle_seconds if self._held_until else RENEW_SECONDS / 3)
                self._wake.clear()


class PeriodicJob:
    """`run` at start and then every `interval_seconds`, in the one process holding the job's
    lease. `run` answers how many things it changed, which is logged when there were any."""

    def __init__(
        self,
        name: str,
        session_factory: sessionmaker[Session],
        run: Callable[[], int],
        interval_seconds: float,
    ) -> None:
        if interval_seconds <= 0:
            raise ValueError(f"interval_seconds must be positive, got {interval_seconds}")
        self.name, self.run, self.interval_seconds = name, run, interval_seconds
        self.loop = LeasedLoop(name, session_factory, self._pass, idle_seconds=interval_seconds)

    def run_once(self) -> int | None:
        """One pass: how many things it changed, or None when it failed (and logged why)."""
        try:
            changed = self.run()
        except Exception:
            log.exception("periodic job failed; trying again next interval", job=self.name)
            return None
        if changed:
            log.info("periodic job done", job=self.name, changed=changed)
        return changed

    def start(self) -> None:
        self.loop.start()

    def stop(self) -> None:
        self.loop.stop()

    def _pass(self) -> bool:
        self.run_once()
        return False  # idle until the next interval
