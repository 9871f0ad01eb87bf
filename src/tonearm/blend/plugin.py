"""The blend domain on the platform: its routes, its daily refresh (a job and a command) and its
part of users' personal data."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from tonearm.kit.plugin import Job, Platform, Plugin

if TYPE_CHECKING:
    import typer
    from fastapi import APIRouter

    from tonearm.kit.commands import Commands
    from tonearm.kit.personal_data import PersonalDataProvider

__all__ = ["plugin"]


def _routers() -> Sequence[APIRouter]:
    from tonearm.blend.endpoints import router

    return (router,)


def _jobs(platform: Platform) -> Sequence[Job]:
    from tonearm.blend.tasks import BlendRefreshJob

    return (BlendRefreshJob(platform.session_factory),)


def _commands(commands: Commands) -> typer.Typer:
    from tonearm.blend.commands import blend_commands

    return blend_commands(commands)


def _personal_data() -> PersonalDataProvider:
    from tonearm.blend.personal_data import BlendData

    return BlendData()


plugin = Plugin(name="blend", routers=_routers, commands=_commands, jobs=_jobs, personal_data=_personal_data)
