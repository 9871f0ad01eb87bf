"""The warehouse domain on the platform: the hourly export job, the export and query commands,
and its part of users' personal data (their pseudonymised streams)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from tonearm.kit.plugin import Job, Platform, Plugin

if TYPE_CHECKING:
    import typer

    from tonearm.kit.commands import Commands
    from tonearm.kit.personal_data import PersonalDataProvider

__all__ = ["plugin"]


def _jobs(platform: Platform) -> Sequence[Job]:
    from tonearm.warehouse.tasks import ExportJob

    return (ExportJob(platform.session_factory, platform.settings),)


def _commands(commands: Commands) -> typer.Typer:
    from tonearm.warehouse.commands import warehouse_commands

    return warehouse_commands(commands)


def _personal_data() -> PersonalDataProvider:
    from tonearm.warehouse.personal_data import WarehouseData

    return WarehouseData()


plugin = Plugin(name="warehouse", commands=_commands, jobs=_jobs, personal_data=_personal_data)
