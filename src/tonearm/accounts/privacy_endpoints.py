"""The user's own data: GET /v1/me/export (a copy of it), DELETE /v1/me (its erasure, after a
grace period), GET and DELETE /v1/me/erasure (that erasure's date, and calling it off). Only the
platform's own apps may call them, with a user's token; a token alone never erases: the
request needs the user's password, or a sign-in minutes old.

The personal-data providers of the other domains are on `app.state.personal_data`."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Body, Depends, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict
from sqlalchemy.orm import Session

from tonearm.accounts.privacy import (
    GRACE,
    RECENT_SIGN_IN,
    PersonalData,
    Providers,
    ScheduledErasure,
    WrongPassword,
    privacy,
)
from tonearm.accounts.service import Caller, account
from tonearm.errors import NotFound
from tonearm.kit.access import bearer_token, require
from tonearm.kit.db import unit_of_work
from tonearm.kit.web import DbSession

__all__ = ["ErasureRequest", "router"]

router = APIRouter(prefix="/v1", tags=["users"])

# Whose data this is decides everything: the scope admits the request, privacy.check_caller then
# refuses any app but the platform's own.
OwnAccount = Annotated[Caller, Depends(require("user-read-private"))]
PRIVATE = {"Cache-Control": "no-store"}
_EXPORT_CONTENT = {
    "application/zip": {"schema": {"type": "string", "format": "binary"}},
}
_MINUTES, _DAYS = int(RECENT_SIGN_IN.total_seconds() // 60), GRACE.days


class ErasureRequest(BaseModel):
    model_config = ConfigDict(frozen=True)

    # The account's password: proof that its owner, not just a token, asks.
    password: str | None = None


def _providers(request: Request) -> Providers:
    return tuple(getattr(request.app.state, "personal_data", ()))


@router.get(
    "/me/export",
    response_model=PersonalData,
    summary="A copy of all the personal data held about the current user",
    responses={200: {"content": _EXPORT_CONTENT, "description": "JSON, or a zip with ?format=zip"}},
)
def export_my_data(
    request: Request,
    session: DbSession,
    caller: OwnAccount,
    format: Annotated[Literal["json", "zip"], Query(description="json, or zip for a download")] = "json",
) -> Response:
    providers = _providers(request)
    data = privacy.export(session, privacy.check_caller(caller), providers=providers)
    if format == "zip":
        day = data.exported_at[:10]
        disposition = f'attachment; filename="tonearm-export-{day}.zip"'
        return Response(
            privacy.export_zip(data, providers=providers),
            media_type="application/zip",
            headers={**PRIVATE, "Content-Disposition": disposition},
        )
    return JSONResponse(data.model_dump(mode="json"), headers=PRIVATE)


@router.delete(
    "/me",
    status_code=202,
    response_model=ScheduledErasure,
    summary=(
        f"Schedule the erasure of the current user's account and personal data, {_DAYS} days "
        f'from now. Needs the password as {{"password": "..."}} (or a sign-in within the last '
        f"{_MINUTES} minutes); signing in again, or DELETE /v1/me/erasure, calls it off, and "
        "GET /v1/me/export keeps working meanwhile"
    ),
    responses={
        400: {"description": "no password, and no sign-in within the last few minutes"},
        403: {"description": "the password is wrong, or the app is not Tonearm's own"},
    },
)
def schedule_my_erasure(
    request: Request,
    caller: OwnAccount,
    body: Annotated[ErasureRequest | None, Body()] = None,
) -> JSONResponse:
    user_id = privacy.check_caller(caller)
    token = bearer_token(request.headers.get("authorization"))
    refused: WrongPassword | None = None
    # Its own unit of work, committed even when the password is wrong: the wrong guess counts
    # towards the sign-in lock, so a stolen token cannot try passwords here without end.
    with unit_of_work(request.app.state.session_factory) as session:
        try:
            scheduled = _schedule(session, user_id, token, body)
        except WrongPassword as error:
            refused = error
    if refused is not None:
        raise refused
    return JSONResponse(
        scheduled.model_dump(), status_code=202, headers={**PRIVATE, "Location": "/v1/me/erasure"}
    )


def _schedule(session: Session, user_id: str, token: str, body: ErasureRequest | None) -> ScheduledErasure:
    signed_in_at = account.signed_in_at(session, token)
    password = body.password if body is not None else None
    return privacy.schedule_erasure(session, user_id, password=password, signed_in_at=signed_in_at)


@router.get(
    "/me/erasure",
    response_model=ScheduledErasure,
    summary="When the current user's account is due to be erased (404 when it is not)",
)
def my_scheduled_erasure(session: DbSession, caller: OwnAccount) -> ScheduledErasure:
    scheduled = privacy.scheduled_erasure(session, privacy.check_caller(caller))
    if scheduled is None:
        raise NotFound("no erasure of this account is scheduled")
    return scheduled


@router.delete(
    "/me/erasure",
    status_code=204,
    summary="Call off the scheduled erasure of the current user's account (204 even if none was)",
)
def cancel_my_erasure(session: DbSession, caller: OwnAccount) -> Response:
    privacy.cancel_erasure(session, privacy.check_caller(caller))
    return Response(status_code=204)
