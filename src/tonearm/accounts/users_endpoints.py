"""The user objects: the caller's own (/v1/me) and anyone's public profile (/v1/users/{id})."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends

from tonearm.accounts import schemas
from tonearm.accounts.models import User
from tonearm.accounts.service import Caller, account
from tonearm.errors import BadRequest
from tonearm.kit.access import require
from tonearm.kit.ids import parse_id, uri
from tonearm.kit.web import BaseUrl, DbSession

__all__ = ["router"]

router = APIRouter(prefix="/v1", tags=["users"])


def _public(user: User, base: str) -> dict[str, Any]:
    return {
        "display_name": user.display_name,
        "external_urls": {"spotify": f"{base}/#/user/{user.id}"},
        "followers": {"href": None, "total": 0},
        "href": f"{base}/v1/users/{user.id}",
        "id": user.id,
        "images": [],
        "type": "user",
        "uri": uri("user", user.id),
    }


@router.get(
    "/me", response_model=schemas.PrivateUser, response_model_exclude_none=True, summary="Current user"
)
async def me(
    session: DbSession, base: BaseUrl, caller: Annotated[Caller, Depends(require("user-read-private"))]
) -> schemas.PrivateUser:
    if caller.user_id is None:
        raise BadRequest("a client-credentials token acts for no user: /v1/me needs a user's token")
    user = account.get_user(session, caller.user_id)
    return schemas.PrivateUser(
        **_public(user, base),
        country=user.country,
        email=user.email if "user-read-email" in caller.scopes else None,
        explicit_content=schemas.ExplicitContent(filter_enabled=not user.explicit_content),
        product=user.product,
        role=user.role,
    )


@router.get("/users/{user_id}", response_model=schemas.PublicUser, summary="A user's public profile")
async def user_profile(
    user_id: str, session: DbSession, base: BaseUrl, _caller: Annotated[Caller, Depends(require())]
) -> schemas.PublicUser:
    return schemas.PublicUser(**_public(account.get_user(session, parse_id(user_id, "user")), base))
