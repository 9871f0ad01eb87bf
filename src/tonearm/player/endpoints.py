"""The player routes, as Spotify's Web API has them: GET /v1/me/player (and currently-playing,
devices, queue) and the commands, which act on the active device (or `?device_id=`) and answer
204 once the state has changed and been pushed to the user's device sockets."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Depends, Query, Request, Response
from sqlalchemy.orm import Session

from tonearm.catalog import TrackFull, catalog
from tonearm.errors import BadRequest
from tonearm.kit.access import audience_of, require, user_market
from tonearm.kit.caller import FIRST_PARTY_CLIENTS, Caller, is_premium
from tonearm.kit.ids import parse_uri_of
from tonearm.kit.web import BaseUrl, DbSession
from tonearm.player.contexts import CONTEXT_KINDS, context_start, track_entries, uris_start
from tonearm.player.errors import PremiumRequired
from tonearm.player.schemas import (
    DEVICE_ID_PATTERN,
    Actions,
    Context,
    CurrentlyPlaying,
    DeviceOut,
    Devices,
    PlaybackState,
    PlayBody,
    Queue,
    TransferBody,
)
from tonearm.player.service import PlayerService
from tonearm.player.state import Device, PlayerState, RepeatState
from tonearm.social import social

__all__ = ["router"]

router = APIRouter(prefix="/v1/me/player", tags=["player"])
QUEUE_SHOWN = 20

Reader = Annotated[Caller, Depends(require("user-read-playback-state", user=True))]
Modifier = Annotated[Caller, Depends(require("user-modify-playback-state", user=True))]
DeviceId = Annotated[str | None, Query(pattern=DEVICE_ID_PATTERN)]


def _player(request: Request) -> PlayerService:
    service: PlayerService = request.app.state.player
    return service


Player = Annotated[PlayerService, Depends(_player)]


def controller(caller: Caller) -> str:
    """The user a command acts for: as at Spotify, a third-party app controls playback only for
    a premium listener (Tonearm's own player and CLI do it for everyone)."""
    assert caller.user_id is not None  # require(user=True)
    if not is_premium(caller.product) and caller.client_id not in FIRST_PARTY_CLIENTS:
        raise PremiumRequired("controlling playback from an app needs a premium account")
    return caller.user_id


def tracks(session: Session, ids: list[str], base: str, caller: Caller) -> list[TrackFull]:
    found = catalog.get_tracks(
        session, ids, base=base, market=user_market(caller, None), audience=audience_of(caller)
    )
    return [track for track in found if track is not None]


# ---- reading ----


@router.get("", response_model=PlaybackState, summary="The playback state", responses={204: {}})
def playback_state(
    session: DbSession, base: BaseUrl, caller: Reader, player: Player
) -> PlaybackState | Response:
    """204 when nothing plays on a device of the user's (none is active, or it has gone)."""
    assert caller.user_id is not None
    found = player.playback(caller.user_id)
    if found is None:
        return Response(status_code=204)
    state, device = found
    private = social.private_session(session, caller.user_id)
    playing = _currently_playing(session, base, caller, state, player.now())
    return PlaybackState(
        **dict(playing),
        device=_device_out(device, state, private=private),
        repeat_state=state.repeat,
        shuffle_state=state.shuffle,
    )


@router.get(
    "/currently-playing", response_model=CurrentlyPlaying, summary="What plays now", responses={204: {}}
)
def currently_playing(
    session: DbSession,
    base: BaseUrl,
    caller: Annotated[Caller, Depends(require("user-read-currently-playing", user=True))],
    player: Player,
) -> CurrentlyPlaying | Response:
    assert caller.user_id is not None
    found = player.playback(caller.user_id)
    if found is None or found[0].item is None:
        return Response(status_code=204)
    return _currently_playing(session, base, caller, found[0], player.now())


@router.get("/devices", response_model=Devices, summary="The user's devices")
def devices(session: DbSession, caller: Reader, player: Player) -> Devices:
    """Every device with a live connection, and for a short grace after it closes."""
    assert caller.user_id is not None
    state = player.state(caller.user_id)
    private = social.private_session(session, caller.user_id)
    return Devices(devices=[_device_out(d, state, private=private) for d in player.devices(caller.user_id)])


@router.get("/queue", response_model=Queue, summary="What plays now and next")
def queue(session: DbSession, base: BaseUrl, caller: Reader, player: Player) -> Queue:
    assert caller.user_id is not None
    state = player.state(caller.user_id)
    if state is None or state.item is None:
        return Queue(currently_playing=None, queue=[])
    ids = [state.item.track_id, *(entry.track_id for entry in state.upcoming(QUEUE_SHOWN))]
    shaped = {track.id: track for track in tracks(session, ids, base, caller)}
    return Queue(currently_playing=shaped.get(ids[0]), queue=[shaped[i] for i in ids[1:] if i in shaped])


# ---- commands ----


@router.put("", summary="Transfer playback to a device", status_code=204, response_class=Response)
def transfer(body: TransferBody, caller: Modifier, player: Player) -> None:
    """Playback moves on at the same position with the same queue; the old device is told to
    stop. `play`: true to play, false or absent to keep playing or paused as it was."""
    player.transfer(controller(caller), _device_id(body.device_ids[0]), play=body.play)


@router.put("/play", summary="Start or resume playback", status_code=204, response_class=Response)
def play(
    session: DbSession,
    caller: Modifier,
    player: Player,
    device_id: DeviceId = None,
    body: Annotated[PlayBody | None, Body()] = None,
) -> None:
    user_id = controller(caller)
    body = body or PlayBody()
    start = None
    if body.context_uri is not None and body.uris is not None:
        raise BadRequest("send context_uri or uris, not both")
    if body.context_uri is not None:
        start = context_start(session, body.context_uri, body.offset, caller)
    elif body.uris is not None:
        start = uris_start(session, body.uris, body.offset, caller)
    player.play(user_id, device_id=device_id, start=start, position_ms=body.position_ms)


@router.put("/pause", summary="Pause playback", status_code=204, response_class=Response)
def pause(caller: Modifier, player: Player, device_id: DeviceId = None) -> None:
    player.pause(controller(caller), device_id=device_id)


@router.post("/next", summary="Skip to the next track", status_code=204, response_class=Response)
def next_track(caller: Modifier, player: Player, device_id: DeviceId = None) -> None:
    player.next(controller(caller), device_id=device_id)


@router.post("/previous", summary="Back to the previous track", status_code=204, response_class=Response)
def previous_track(caller: Modifier, player: Player, device_id: DeviceId = None) -> None:
    player.previous(controller(caller), device_id=device_id)


@router.put("/seek", summary="Seek to a position in the track", status_code=204, response_class=Response)
def seek(
    caller: Modifier, player: Player, position_ms: Annotated[int, Query(ge=0)], device_id: DeviceId = None
) -> None:
    player.seek(controller(caller), position_ms, device_id=device_id)


@router.put("/repeat", summary="Set the repeat mode", status_code=204, response_class=Response)
def repeat(
    caller: Modifier, player: Player, state: Annotated[RepeatState, Query()], device_id: DeviceId = None
) -> None:
    player.repeat(controller(caller), state, device_id=device_id)


@router.put("/volume", summary="Set the volume", status_code=204, response_class=Response)
def volume(
    caller: Modifier,
    player: Player,
    volume_percent: Annotated[int, Query(ge=0, le=100)],
    device_id: DeviceId = None,
) -> None:
    player.volume(controller(caller), volume_percent, device_id=device_id)


@router.put("/shuffle", summary="Turn shuffle on or off", status_code=204, response_class=Response)
def shuffle(
    caller: Modifier, player: Player, state: Annotated[bool, Query()], device_id: DeviceId = None
) -> None:
    player.shuffle(controller(caller), state, device_id=device_id)


@router.post("/queue", summary="Add a track to the queue", status_code=204, response_class=Response)
def add_to_queue(
    session: DbSession,
    caller: Modifier,
    player: Player,
    uri: Annotated[str, Query(max_length=200)],
    device_id: DeviceId = None,
) -> None:
    user_id = controller(caller)
    [entry] = track_entries(session, [uri], caller)
    player.enqueue(user_id, entry, device_id=device_id)


# ---- shapes ----


def _device_id(value: str) -> str:
    if not value or len(value) > 64 or not all(c.isalnum() or c in "-_" for c in value):
        raise BadRequest("device_ids: a device id is 1-64 letters, digits, '-' or '_'")
    return value


def _device_out(device: Device, state: PlayerState | None, *, private: bool) -> DeviceOut:
    return DeviceOut(
        id=device.id,
        is_active=state is not None and state.device_id == device.id,
        is_private_session=private,
        is_restricted=False,
        name=device.name,
        type=device.type,
        volume_percent=device.volume_percent,
        supports_volume=device.supports_volume,
    )


def _currently_playing(
    session: Session, base: str, caller: Caller, state: PlayerState, now: int
) -> CurrentlyPlaying:
    item = tracks(session, [state.item.track_id], base, caller) if state.item else []
    return CurrentlyPlaying(
        context=_context(state.context_uri, base),
        timestamp=state.updated_at_ms,
        progress_ms=state.position_at(now) if state.item else None,
        is_playing=state.is_playing,
        item=item[0] if item else None,
        currently_playing_type="track" if state.item else "unknown",
        actions=Actions(disallows=_disallows(state)),
    )


def _context(context_uri: str | None, base: str) -> Context | None:
    if context_uri is None:
        return None
    kind, id_ = parse_uri_of(context_uri, CONTEXT_KINDS)
    return Context(
        type=kind,
        href=f"{base}/v1/{kind}s/{id_}",
        external_urls={"spotify": f"{base}/#/{kind}/{id_}"},
        uri=context_uri,
    )


def _disallows(state: PlayerState) -> dict[str, bool]:
    shown = {
        "pausing": not state.is_playing,
        "resuming": state.is_playing,
        "skipping_prev": state.item is None,
        "skipping_next": state.item is None,
    }
    return {action: True for action, disallowed in shown.items() if disallowed}
