"""The accounts domain on the platform: sign-in pages, OAuth, users, apps and privacy routes;
it is also who bearer tokens act for (the guard in `kit.access` asks it)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from tonearm.kit.plugin import Platform, Plugin

if TYPE_CHECKING:
    from fastapi import APIRouter, FastAPI

__all__ = ["plugin"]


def _routers() -> Sequence[APIRouter]:
    from tonearm.accounts.apps_endpoints import router as apps_router
    from tonearm.accounts.oauth_endpoints import router as oauth_router
    from tonearm.accounts.privacy_endpoints import router as privacy_router
    from tonearm.accounts.signin_endpoints import router as signin_router
    from tonearm.accounts.users_endpoints import router as users_router

    return (signin_router, oauth_router, users_router, apps_router, privacy_router)


def _on_app(app: FastAPI, platform: Platform) -> None:
    from sqlalchemy.exc import IntegrityError

    from tonearm.accounts.service import account
    from tonearm.kit.db import unit_of_work

    app.state.callers = account
    try:
        with unit_of_work(platform.session_factory) as session:
            account.ensure_first_party_clients(session)
    except IntegrityError:
        pass  # another worker process registered them at the same moment


plugin = Plugin(name="accounts", routers=_routers, on_app=_on_app)
