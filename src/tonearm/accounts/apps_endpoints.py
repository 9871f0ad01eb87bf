"""A developer's own apps (OAuth clients): register, list, delete, at /v1/me/apps.

Spotify does this in its developer dashboard; here it is an API the web player and scripts use,
beside `tonearm apps create`. Only the platform's own apps may call it: a third-party app must
not mint further apps in its user's name.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field

from tonearm.accounts.models import OAuthClient
from tonearm.accounts.service import Caller, account
from tonearm.kit.access import require
from tonearm.kit.web import DbSession

__all__ = ["router"]

router = APIRouter(prefix="/v1/me/apps", tags=["apps"])
Developer = Annotated[Caller, Depends(require(user=True, first_party=True))]


class NewApp(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    redirect_uris: list[str] = Field(default_factory=list, max_length=20)
    # A browser or mobile app keeps no secret: it gets none and must use PKCE.
    public: bool = False


class App(BaseModel):
    client_id: str
    name: str
    redirect_uris: list[str]
    public: bool
    # Shown once, in the answer to the registration; stored only as a hash.
    client_secret: str | None = None


class Apps(BaseModel):
    items: list[App]


def _shown(row: OAuthClient, secret: str | None = None) -> App:
    return App(
        client_id=row.client_id,
        name=row.name,
        redirect_uris=list(row.redirect_uris),
        public=row.secret_hash is None,
        client_secret=secret,
    )


@router.post("", status_code=201, response_model=App, response_model_exclude_none=True)
def register_app(body: NewApp, session: DbSession, caller: Developer) -> App:
    """Register an app; the answer holds its client secret, the only time it is shown."""
    row, secret = account.create_client(
        session,
        body.name,
        redirect_uris=body.redirect_uris,
        confidential=not body.public,
        owner_id=caller.user_id,
    )
    return _shown(row, secret)


@router.get("", response_model=Apps, response_model_exclude_none=True)
def list_apps(session: DbSession, caller: Developer) -> Apps:
    return Apps(items=[_shown(row) for row in account.clients_of(session, caller.user_id or "")])


@router.delete("/{client_id}", status_code=204)
def delete_app(client_id: str, session: DbSession, caller: Developer) -> None:
    """Delete one of your apps; every token it holds stops working."""
    account.delete_client(session, caller.user_id or "", client_id)
