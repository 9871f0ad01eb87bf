"""The listening domain on the platform: playback events in, history and top items out."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from tonearm.kit.plugin import Job, Platform, Plugin

if TYPE_CHECKING:
    import typer
    from fastapi import APIRouter, FastAPI

    from tonearm.kit.commands import Commands
    from tonearm.kit.consumers import Consumer
    from tonearm.kit.personal_data import PersonalDataProvider

__all__ = ["plugin"]

# How often each server process deletes listening history older than the retention setting.
RETENTION_INTERVAL = 3600.0


def _routers() -> Sequence[APIRouter]:
    from tonearm.listening.endpoints import router

    return (router,)


def _consumers(_platform: Platform) -> Sequence[Consumer]:
    from tonearm.listening.consumer import PlaybackConsumer

    return (PlaybackConsumer(),)


def _jobs(platform: Platform) -> Sequence[Job]:
    from tonearm.listening.popularity import PopularityJob
    from tonearm.listening.tasks import RetentionJob

    days = platform.settings.listening_history_days
    return (
        RetentionJob(platform.session_factory, days, RETENTION_INTERVAL),
        PopularityJob(platform.session_factory),
    )


def _personal_data() -> PersonalDataProvider:
    from tonearm.listening.personal_data import ListeningData

    return ListeningData()


def _on_app(app: FastAPI, platform: Platform) -> None:
    from tonearm.listening.intake import PlaybackIntake

    app.state.playback_intake = PlaybackIntake(platform.event_log)


def _commands(commands: Commands) -> typer.Typer:
    from tonearm.listening.commands import listening_commands

    return listening_commands(commands)


plugin = Plugin(
    name="listening",
    commands=_commands,
    routers=_routers,
    consumers=_consumers,
    jobs=_jobs,
    personal_data=_personal_data,
    on_app=_on_app,
)
