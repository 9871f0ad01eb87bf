"""Personal data by registry: each domain that keeps data about a user offers one provider,
which can export that data and erase it. The privacy service (accounts) walks every provider
the platform registered; no domain reaches into another's tables to do it.

The accounts domain's own data (the user row, tokens, codes, artist links, apps) is not a
provider: the privacy service handles it itself, last, so the user row outlives every other
domain's part of an erasure, and an account is erased even on a platform that registered none.
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

from sqlalchemy.orm import Session

__all__ = ["PersonalDataProvider"]


@runtime_checkable
class PersonalDataProvider(Protocol):
    # Read-only members, so a provider may declare them as plain class attributes.
    @property
    def name(self) -> str:
        """Who keeps the data: the domain's name ("listening"), as the `user.erased` event lists it."""

    @property
    def sections(self) -> tuple[str, ...]:
        """The provider's part of the export, keyed by section name (e.g. "listening_history"): the
        export's top-level keys, so no two providers may share one."""

    def export(self, session: Session, user_id: str) -> dict[str, Any]:
        """Everything kept about the user, JSON-ready, one entry per section; no secrets."""

    def erase(self, session: Session, user_id: str) -> int:
        """Delete everything kept about the user (anonymous aggregates may stay); rows removed.
        Runs in the caller's unit of work: it flushes, never commits."""
