"""WS /v1/me/player/connect: a player registers itself as one of the user's devices and
receives the user's player state as it changes, with the commands meant for it.

The first message registers (the token may come as `?access_token=` instead):

    {"type": "hello", "access_token": "...",
     "device": {"id": "<kept in localStorage>", "name": "Firefox on Linux", "type": "Computer",
                "volume_percent": 80, "supports_volume": true}}

The server answers `{"type": "hello", "device_id", "state", "devices", "session"}`, then pushes
`state`, `devices` and `session` messages (see `service` and `sessions`). The device reports
what it really does: `{"type": "position", "track_id", "position_ms", "is_playing"}`,
`{"type": "ended", "track_id"}` (the server moves on), `{"type": "volume", "volume_percent"}`,
`{"type": "ping"}` (answered with a pong). A refused registration closes the socket with code
4000 + the HTTP status (4401, 4403, 4400) after an error message in Spotify's shape.
"""

from __future__ import annotations

import asyncio
import json
import random
import re
import time
from typing import Any

from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from starlette.concurrency import run_in_threadpool

from tonearm.errors import BadRequest, Forbidden, TonearmError, Unauthorized
from tonearm.kit.access import caller_for_token
from tonearm.player.schemas import DEVICE_ID_PATTERN
from tonearm.player.service import HEARTBEAT_SECONDS, PlayerService, compact
from tonearm.player.sessions import GroupSessions
from tonearm.player.sockets import DeviceSocket, Sockets
from tonearm.player.state import DEVICE_TYPES, Device

__all__ = ["router"]

router = APIRouter(prefix="/v1/me/player")
HELLO_SECONDS = 10
DEVICE_SCOPE = "streaming"


@router.websocket("/connect")
async def connect(websocket: WebSocket, access_token: str | None = None) -> None:
    await websocket.accept()
    try:
        user_id, device = await _register(websocket, access_token)
    except TonearmError as error:
        await _refuse(websocket, error)
        return
    except (TimeoutError, WebSocketDisconnect):
        return
    try:
        await _serve(websocket, user_id, device)
    except TonearmError as error:  # the hub failed (Redis down): said, not a dropped socket
        await _refuse(websocket, error)


async def _register(websocket: WebSocket, access_token: str | None) -> tuple[str, Device]:
    hello = _json(await asyncio.wait_for(websocket.receive_text(), HELLO_SECONDS))
    if hello.get("type") != "hello":
        raise BadRequest("the first message must be {'type': 'hello', 'device': {...}}")
    token = access_token or hello.get("access_token")
    if not isinstance(token, str) or not token:
        raise Unauthorized("send ?access_token= or an access_token in the hello message")
    caller = await run_in_threadpool(caller_for_token, websocket, token)
    if caller.user_id is None:
        raise Forbidden("this needs a user's access token; an app's own token acts for no user")
    if DEVICE_SCOPE not in caller.scopes:
        raise Forbidden(f"the access token lacks the scope '{DEVICE_SCOPE}'")
    return caller.user_id, parse_device(hello.get("device"))


def parse_device(value: Any) -> Device:
    if not isinstance(value, dict):
        raise BadRequest("device: an object with id, name and type")
    device_id, name, kind = value.get("id"), value.get("name"), value.get("type", "Computer")
    if not isinstance(device_id, str) or not re.match(DEVICE_ID_PATTERN, device_id):
        raise BadRequest("device.id: 1-64 letters, digits, '-' or '_'")
    if not isinstance(name, str) or not 0 < len(name.strip()) <= 100:
        raise BadRequest("device.name: 1-100 characters")
    if kind not in DEVICE_TYPES:
        raise BadRequest(f"device.type: one of {', '.join(DEVICE_TYPES)}")
    volume = value.get("volume_percent")
    if volume is not None and (not isinstance(volume, int) or not 0 <= volume <= 100):
        raise BadRequest("device.volume_percent: 0 to 100")
    supports = value.get("supports_volume", True)
    return Device(device_id, name.strip(), kind, volume, 0, supports_volume=bool(supports))


async def _serve(websocket: WebSocket, user_id: str, device: Device) -> None:
    player: PlayerService = websocket.app.state.player
    sockets: Sockets = websocket.app.state.player_sockets
    socket = DeviceSocket(user_id, device.id)
    sockets.add(socket)
    sender: asyncio.Task[None] | None = None
    try:
        await run_in_threadpool(player.connect, user_id, device)
        await websocket.send_text(await run_in_threadpool(_welcome, websocket, user_id, device.id))
        sender = asyncio.create_task(_send(websocket, socket, player))
        while True:
            reply = await _handle(player, socket, await websocket.receive_text())
            if reply is not None:
                await websocket.send_text(json.dumps(reply))
    except WebSocketDisconnect:
        pass
    finally:
        if sender is not None:
            sender.cancel()
        sockets.remove(socket)
        if not sockets.holds(user_id, device.id):
            await run_in_threadpool(player.disconnect, user_id, device.id)


def _welcome(websocket: WebSocket, user_id: str, device_id: str) -> str:
    player: PlayerService = websocket.app.state.player
    sessions: GroupSessions = websocket.app.state.player_sessions
    state = player.state(user_id)
    session = sessions.of(user_id)
    return json.dumps(
        {
            "type": "hello",
            "device_id": device_id,
            "state": None if state is None else compact(state, player.now()),
            "devices": player.listed(user_id),
            "session": None if session is None else sessions.view(session),
        }
    )


async def _send(websocket: WebSocket, socket: DeviceSocket, player: PlayerService) -> None:
    """Writes the socket's messages out in order; renews its device while it lives (at moments
    spread out, so sockets opened together do not all renew together)."""
    renew_at = time.monotonic() + HEARTBEAT_SECONDS * random.uniform(0.5, 1.0)
    while True:
        try:
            text = await asyncio.wait_for(socket.outbox.get(), max(0.0, renew_at - time.monotonic()))
        except TimeoutError:
            await run_in_threadpool(player.heartbeat, socket.user_id, socket.device_id)
            renew_at = time.monotonic() + HEARTBEAT_SECONDS * random.uniform(0.8, 1.2)
            continue
        await websocket.send_text(text)


async def _handle(player: PlayerService, socket: DeviceSocket, text: str) -> dict[str, Any] | None:
    """What a device reports; an error message back for what cannot be understood."""
    try:
        message = _json(text)
        kind = message.get("type")
        if kind == "ping":
            return {"type": "pong"}
        if kind == "position":
            await run_in_threadpool(
                player.report_position,
                socket.user_id,
                socket.device_id,
                track_id=_field(message, "track_id", str),
                position_ms=_field(message, "position_ms", int),
                is_playing=_field(message, "is_playing", bool),
            )
        elif kind == "ended":
            track_id = _field(message, "track_id", str)
            await run_in_threadpool(player.report_ended, socket.user_id, socket.device_id, track_id=track_id)
        elif kind == "volume":
            volume = _field(message, "volume_percent", int)
            if not 0 <= volume <= 100:
                raise BadRequest("volume_percent: 0 to 100")
            await run_in_threadpool(player.report_volume, socket.user_id, socket.device_id, volume)
        else:
            raise BadRequest("type: one of ping, position, ended, volume")
    except TonearmError as error:
        return _error(error)
    return None


def _json(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except ValueError as error:
        raise BadRequest(f"not JSON: {error}") from error
    if not isinstance(value, dict):
        raise BadRequest("a message is a JSON object")
    return value


def _field(message: dict[str, Any], name: str, kind: type) -> Any:
    value = message.get(name)
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise BadRequest(f"{name}: expected {kind.__name__}")
    return value


def _error(error: TonearmError) -> dict[str, Any]:
    detail: dict[str, Any] = {"status": error.status, "message": error.message}
    if error.reason:
        detail["reason"] = error.reason
    return {"type": "error", "error": detail}


async def _refuse(websocket: WebSocket, error: TonearmError) -> None:
    try:
        await websocket.send_text(json.dumps(_error(error)))
        await websocket.close(code=4000 + error.status, reason=error.message[:120])
    except (WebSocketDisconnect, RuntimeError):
        pass
