"""The recommendations domain on the platform: its routes, the service holding the loaded model
(on app.state), the hourly schedule (train when due, rebuild lists past their age), its commands
and its part of users' personal data."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from tonearm.kit.plugin import Job, Platform, Plugin

if TYPE_CHECKING:
    import typer
    from fastapi import APIRouter, FastAPI

    from tonearm.kit.commands import Commands
    from tonearm.kit.personal_data import PersonalDataProvider

__all__ = ["plugin"]


def _routers() -> Sequence[APIRouter]:
    from tonearm.recs.endpoints import router

    return (router,)


def _on_app(app: FastAPI, platform: Platform) -> None:
    from tonearm.recs.service import RecsService
    from tonearm.recs.training import ModelStore

    app.state.recs = RecsService(ModelStore(platform.blobs))


def _jobs(platform: Platform) -> Sequence[Job]:
    from tonearm.recs.tasks import RecsJob

    return (RecsJob(platform.session_factory, platform.blobs),)


def _commands(commands: Commands) -> typer.Typer:
    from tonearm.recs.commands import recs_commands

    return recs_commands(commands)


def _personal_data() -> PersonalDataProvider:
    from tonearm.recs.personal_data import RecsData

    return RecsData()


plugin = Plugin(
    name="recs",
    routers=_routers,
    on_app=_on_app,
    jobs=_jobs,
    commands=_commands,
    personal_data=_personal_data,
)
