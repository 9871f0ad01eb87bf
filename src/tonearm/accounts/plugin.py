"""The accounts domain on the platform: sign-in pages, OAuth, users, apps and privacy routes;
it is also who bearer tokens act for (the guard in `kit.access` asks it)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from tonearm.kit.plugin import Job, Platform, Plugin

if TYPE_CHECKING:
    import typer
    from fastapi import APIRouter, FastAPI

    from tonearm.kit.commands import Commands

__all__ = ["plugin"]


def _routers() -> Sequence[APIRouter]:
    from tonearm.accounts.apps_endpoints import router as apps_router
    from tonearm.accounts.oauth_endpoints import router as oauth_router
    from tonearm.accounts.privacy_endpoints import router as privacy_router
    from tonearm.accounts.signin_endpoints import router as signin_router
    from tonearm.accounts.users_endpoints import router as users_router

    return (signin_router, oauth_router, users_router, apps_router, privacy_router)


def _on_app(app: FastAPI, platform: Platform) -> Sequence[Job]:
    from sqlalchemy.exc import IntegrityError

    from tonearm.accounts.service import account
    from tonearm.accounts.tasks import ErasureJob
    from tonearm.kit.db import unit_of_work

    app.state.callers = account
    try:
        with unit_of_work(platform.session_factory) as session:
            account.ensure_first_party_clients(session)
    except IntegrityError:
        pass  # another worker process registered them at the same moment
    # The providers are on app.state once every plugin is in: the job asks at each run.
    return (ErasureJob(platform.session_factory, lambda: app.state.personal_data),)


def _top_commands(app: typer.Typer, commands: Commands) -> None:
    from tonearm.accounts.commands import apps_commands, users_commands

    app.add_typer(users_commands(commands), name="users")
    app.add_typer(apps_commands(commands), name="apps")


plugin = Plugin(name="accounts", routers=_routers, on_app=_on_app, top_commands=_top_commands)
