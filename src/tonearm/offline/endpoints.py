"""Offline downloads at /v1/me/offline: devices, licences, check-ins and the encrypted files.

    GET    /v1/me/offline/devices                                   the devices (at most 5)
    POST   /v1/me/offline/devices                 {name, public_key} register one (premium)
    DELETE /v1/me/offline/devices/{device_id}                        remove one, keys and all
    GET    /v1/me/offline/devices/{device_id}/licences               what it may hold
    POST   /v1/me/offline/devices/{device_id}/licences  {uri}        a licence for a track,
                                                                     album or playlist
    DELETE /v1/me/offline/devices/{device_id}/licences/{licence_id}
    POST   /v1/me/offline/devices/{device_id}/check-in               renew; answers revocations
    GET    /v1/me/offline/devices/{device_id}/tracks/{track_id}/file[?rung=]  encrypted audio

Writes happen in a worker thread (sync routes, or run_in_threadpool after reading a body): the
event loop never waits for SQLite's write lock.
"""

from __future__ import annotations

from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, Header, Query, Request, Response
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ValidationError
from starlette.concurrency import run_in_threadpool

from tonearm.errors import BadRequest, Forbidden
from tonearm.kit.access import bearer_token, caller_for_token, require
from tonearm.kit.caller import Caller
from tonearm.kit.ids import parse_id, uri
from tonearm.kit.time import iso_ms
from tonearm.kit.web import BaseUrl, DbSession, read_body
from tonearm.offline import schemas
from tonearm.offline.models import OfflineDevice, OfflineRevocation
from tonearm.offline.service import MAX_DEVICES, IssuedLicence, LicenceState, offline
from tonearm.schemas import ErrorBody

__all__ = ["router"]

router = APIRouter(prefix="/v1/me/offline", tags=["offline"])
Listener = Annotated[Caller, Depends(require("streaming", user=True))]
M = TypeVar("M", bound=BaseModel)
MAX_BODY = 16 * 1024
_PREMIUM: dict[int | str, dict[str, Any]] = {
    403: {"model": ErrorBody, "description": "not premium (reason PREMIUM_REQUIRED), or not playable"}
}
_LIMIT: dict[int | str, dict[str, Any]] = {
    409: {"model": ErrorBody, "description": "the account already has 5 offline devices"}
}


def _json_body(model: type[BaseModel]) -> dict[str, Any]:
    schema = {"content": {"application/json": {"schema": model.model_json_schema()}}, "required": True}
    return {"requestBody": schema}


async def _parsed(request: Request, model: type[M], what: str) -> M:
    raw = await read_body(request, most=MAX_BODY, what=what)
    try:
        return model.model_validate_json(raw)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first.get("loc", ())) or "body"
        raise BadRequest(f"{what}: {where}: {first.get('msg', 'invalid value')}") from None


def _user(caller: Caller) -> str:
    assert caller.user_id is not None  # require(user=True)
    return caller.user_id


def _device(device: OfflineDevice, tracks: int) -> schemas.Device:
    return schemas.Device(
        id=device.id,
        name=device.name,
        key_fingerprint=device.key_fingerprint,
        created_at=iso_ms(device.created_at),
        last_check_in_at=iso_ms(device.last_check_in_at) if device.last_check_in_at else None,
        tracks=tracks,
    )


def _licence(state: LicenceState, base: str, issued: IssuedLicence | None = None) -> schemas.Licence:
    licence = state.licence
    files = f"{base}/v1/me/offline/devices/{licence.device_id}/tracks"
    return schemas.Licence(
        id=licence.id,
        uri=uri(licence.kind, licence.item_id),
        device_id=licence.device_id,
        status=state.status,
        issued_at=iso_ms(licence.issued_at),
        expires_at=iso_ms(licence.expires_at),
        total=len(state.track_ids),
        tracks=[
            schemas.LicenceTrack(id=t, uri=uri("track", t), file_url=f"{files}/{t}/file")
            for t in state.track_ids
        ],
        unavailable=[
            schemas.Unavailable(id=t, uri=uri("track", t), reason=reason)
            for t, reason in (issued.unavailable.items() if issued else ())
        ],
        evicted=list(issued.evicted) if issued else [],
    )


def _revocation(row: OfflineRevocation) -> schemas.Revocation:
    return schemas.Revocation(
        id=row.track_id, uri=uri("track", row.track_id), reason=row.reason, revoked_at=iso_ms(row.revoked_at)
    )


# ---- devices ----


@router.get("/devices", response_model=schemas.Devices, summary="My offline devices")
def list_devices(session: DbSession, caller: Listener) -> schemas.Devices:
    """The devices that may hold downloads (at most 5), each with how many tracks it holds."""
    devices = offline.devices(session, _user(caller))
    return schemas.Devices(items=[_device(d, n) for d, n in devices], total=len(devices), limit=MAX_DEVICES)


@router.post(
    "/devices",
    status_code=201,
    response_model=schemas.Device,
    responses={**_PREMIUM, **_LIMIT, 200: {"model": schemas.Device, "description": "already registered"}},
    summary="Register an offline device",
    openapi_extra=_json_body(schemas.NewDevice),
)
async def register_device(
    request: Request, response: Response, session: DbSession, caller: Listener
) -> schemas.Device:
    """A device that will hold downloads, with the RSA-OAEP public key its files are encrypted
    for (premium only; at most 5 per account: 409 beyond, naming how to remove one). The same
    key again is the same device (200)."""
    body = await _parsed(request, schemas.NewDevice, "an offline device")
    device, created = await run_in_threadpool(
        offline.register, session, caller, name=body.name, public_key=body.public_key
    )
    response.status_code = 201 if created else 200
    return _device(device, 0 if created else dict(offline.devices(session, _user(caller))).get(device, 0))


@router.delete("/devices/{device_id}", status_code=204, summary="Remove an offline device")
def remove_device(device_id: str, session: DbSession, caller: Listener) -> Response:
    """The device's licences and keys go with it: its downloads no longer open anywhere."""
    offline.remove_device(session, _user(caller), parse_id(device_id, "device"))
    return Response(status_code=204)


# ---- licences ----


@router.get("/devices/{device_id}/licences", response_model=schemas.Licences, summary="A device's licences")
def list_licences(device_id: str, session: DbSession, base: BaseUrl, caller: Listener) -> schemas.Licences:
    states = offline.licences(session, _user(caller), parse_id(device_id, "device"))
    return schemas.Licences(items=[_licence(state, base) for state in states])


@router.post(
    "/devices/{device_id}/licences",
    status_code=201,
    response_model=schemas.Licence,
    responses={**_PREMIUM, 200: {"model": schemas.Licence, "description": "renewed and brought up to date"}},
    summary="Download a track, album or playlist",
    openapi_extra=_json_body(schemas.NewLicence),
)
async def issue_licence(
    device_id: str, request: Request, response: Response, session: DbSession, base: BaseUrl, caller: Listener
) -> schemas.Licence:
    """A 30-day licence on the device for the item's tracks the listener may play here now
    (the others are listed as `unavailable`), each with the URL of its encrypted file. Asking
    again renews it and follows the item's changes (200). A device holds at most 10,000
    tracks: beyond, its least recently played ones are evicted (listed as `evicted`)."""
    device = parse_id(device_id, "device")
    body = await _parsed(request, schemas.NewLicence, "a licence request")
    issued = await run_in_threadpool(offline.issue, session, caller, device, body.uri)
    response.status_code = 201 if issued.created else 200
    return _licence(issued.state, base, issued)


@router.delete("/devices/{device_id}/licences/{licence_id}", status_code=204, summary="Remove a download")
def remove_licence(device_id: str, licence_id: str, session: DbSession, caller: Listener) -> Response:
    """Tracks no other licence of the device names leave it (told at the next check-in)."""
    offline.remove_licence(
        session, _user(caller), parse_id(device_id, "device"), parse_id(licence_id, "licence")
    )
    return Response(status_code=204)


@router.post("/devices/{device_id}/check-in", response_model=schemas.CheckInResult, summary="Check in")
def check_in(device_id: str, session: DbSession, caller: Listener) -> schemas.CheckInResult:
    """Renews every licence still running for 30 more days and answers what the device must
    delete: tracks taken down or no longer playable here, evicted or unlicensed ones, and every
    track once the account is no longer premium (`premium_required`). An expired licence is
    not renewed: ask for it again (the files already downloaded stay valid)."""
    done = offline.check_in(session, caller, parse_id(device_id, "device"))
    return schemas.CheckInResult(
        device_id=done.device.id,
        checked_in_at=iso_ms(done.at),
        licences=[
            schemas.LicenceSummary(
                id=count.licence.id,
                uri=uri(count.licence.kind, count.licence.item_id),
                status=count.status,
                expires_at=iso_ms(count.expires_at),
                total=count.total,
            )
            for count in done.licences
        ],
        revoked=[_revocation(row) for row in done.revoked],
    )


# ---- files ----


async def _downloader(request: Request, authorization: Annotated[str | None, Header()] = None) -> Caller:
    """The bearer guard without a quota: downloads are bounded by the licences themselves (up to
    10,000 files a device), and the standard quota would make a full device take 50 minutes."""
    caller = caller_for_token(request, bearer_token(authorization))
    if caller.user_id is None:
        raise Forbidden("this needs a user's access token; an app's own token acts for no user")
    if "streaming" not in caller.scopes:
        raise Forbidden("the access token lacks the scope 'streaming'")
    return caller


@router.get(
    "/devices/{device_id}/tracks/{track_id}/file",
    response_class=Response,
    responses={
        200: {
            "content": {"application/octet-stream": {}},
            "description": "the file, encrypted for the device",
        },
        **_PREMIUM,
    },
    summary="A track's file, encrypted for the device",
)
def download(
    device_id: str,
    track_id: str,
    session: DbSession,
    request: Request,
    caller: Annotated[Caller, Depends(_downloader)],
    rung: Annotated[str | None, Query(pattern="^[a-z0-9_]{1,20}$")] = None,
) -> Response:
    """The rendition (`rung`, by default AAC 256 in MP4) encrypted with the device's content key
    for the track, which the file carries wrapped for the device's public key (the format is in
    `tonearm/offline/crypto.py`). 403 LICENCE_EXPIRED once its licences on the device ran out."""
    file = offline.download(
        session,
        caller,
        parse_id(device_id, "device"),
        parse_id(track_id, "track"),
        blobs=request.app.state.blobs,
        rung=rung,
    )
    headers = {
        "Content-Length": str(file.size),
        "Cache-Control": "private, no-store",
        "X-Tonearm-Rung": file.rung,
        "X-Tonearm-Media-Type": file.header.media_type,
    }
    return StreamingResponse(file.chunks(), media_type="application/octet-stream", headers=headers)
