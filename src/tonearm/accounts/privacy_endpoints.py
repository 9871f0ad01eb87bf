"""The user's own data: GET /v1/me/export (a copy of it) and DELETE /v1/me (the account and
everything keyed to it). Only the platform's own apps may call them, with a user's token."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, Response

from tonearm.accounts.privacy import PersonalData, privacy
from tonearm.accounts.service import Caller, account
from tonearm.kit.access import require
from tonearm.kit.db import unit_of_work
from tonearm.kit.web import DbSession

__all__ = ["router"]

router = APIRouter(prefix="/v1", tags=["users"])

# Whose data this is decides everything: the scope admits the request, privacy.check_caller then
# refuses any app but the platform's own.
OwnAccount = Annotated[Caller, Depends(require("user-read-private"))]
PRIVATE = {"Cache-Control": "no-store"}
_EXPORT_CONTENT = {
    "application/zip": {"schema": {"type": "string", "format": "binary"}},
}


@router.get(
    "/me/export",
    response_model=PersonalData,
    summary="A copy of all the personal data held about the current user",
    responses={200: {"content": _EXPORT_CONTENT, "description": "JSON, or a zip with ?format=zip"}},
)
def export_my_data(
    session: DbSession,
    caller: OwnAccount,
    format: Annotated[Literal["json", "zip"], Query(description="json, or zip for a download")] = "json",
) -> Response:
    data = privacy.export(session, privacy.check_caller(caller))
    if format == "zip":
        day = data.exported_at[:10]
        disposition = f'attachment; filename="tonearm-export-{day}.zip"'
        return Response(
            privacy.export_zip(data),
            media_type="application/zip",
            headers={**PRIVATE, "Content-Disposition": disposition},
        )
    return JSONResponse(data.model_dump(mode="json"), headers=PRIVATE)


@router.delete("/me", status_code=204, summary="Delete the current user's account and personal data")
def delete_my_account(request: Request, caller: OwnAccount) -> Response:
    user_id = privacy.check_caller(caller)
    # Its own unit of work: committed before the answer, and only then are remembered tokens
    # forgotten, so no request in between can remember this user again.
    with unit_of_work(request.app.state.session_factory) as session:
        privacy.erase(session, user_id)
    account.forget_callers()
    return Response(status_code=204)
