"""The player domain on the platform: its routes (HTTP and the device socket) and its services
on app.state, over the player hub the settings name (in process, or Redis)."""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from typing import TYPE_CHECKING

from tonearm.kit.plugin import Job, Platform, Plugin

if TYPE_CHECKING:
    from fastapi import APIRouter, FastAPI

    from tonearm.backends.playerhub import PlayerHub
    from tonearm.player.sockets import Sockets

__all__ = ["plugin"]


def _routers() -> Sequence[APIRouter]:
    from tonearm.player.connect import router as socket_router
    from tonearm.player.endpoints import router
    from tonearm.player.session_endpoints import router as session_router

    return (router, session_router, socket_router)


class _Listening:
    """While the app serves, the hub's messages go to this process's device sockets."""

    def __init__(self, hub: PlayerHub, sockets: Sockets) -> None:
        self.hub, self.sockets = hub, sockets

    def start(self) -> None:
        self.hub.listen(self.sockets.deliver)

    def stop(self) -> None:
        self.hub.stop_listening()


def _on_app(app: FastAPI, platform: Platform) -> Sequence[Job]:
    from tonearm.backends.playerhub import open_player_hub
    from tonearm.player.service import PlayerService
    from tonearm.player.sessions import GroupSessions
    from tonearm.player.sockets import Sockets

    settings = platform.settings
    hub = open_player_hub(settings.player_fanout_url or "memory://")
    weakref.finalize(app, hub.close)
    app.state.player = PlayerService(hub, grace_seconds=settings.player_device_grace_seconds)
    app.state.player_sessions = GroupSessions(app.state.player)
    app.state.player_sockets = Sockets()
    return (_Listening(hub, app.state.player_sockets),)


plugin = Plugin(name="player", routers=_routers, on_app=_on_app)
