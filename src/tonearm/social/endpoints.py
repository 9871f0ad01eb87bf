"""GET /v1/me/friends/activity (as Spotify's desktop client shows it) and the private session."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from pydantic import BaseModel

from tonearm.accounts import account
from tonearm.catalog import TrackFull, catalog
from tonearm.kit.access import UserAudience, UserMarket, require
from tonearm.kit.caller import Caller
from tonearm.kit.ids import uri
from tonearm.kit.time import iso_ms
from tonearm.kit.web import BaseUrl, DbSession
from tonearm.schemas import Frozen
from tonearm.social.service import social

__all__ = ["router"]

router = APIRouter(prefix="/v1", tags=["social"])


class Friend(Frozen):
    id: str
    display_name: str | None
    uri: str


class FriendActivity(Frozen):
    user: Friend
    track: TrackFull | None
    context_uri: str | None
    timestamp: str
    playing_now: bool


class FriendsActivity(Frozen):
    friends: list[FriendActivity]


class PrivateSession(BaseModel):
    enabled: bool


@router.get("/me/friends/activity", response_model=FriendsActivity, summary="What the people I follow play")
def friends_activity(
    session: DbSession,
    base: BaseUrl,
    market: UserMarket,
    audience: UserAudience,
    caller: Annotated[Caller, Depends(require("user-follow-read", user=True))],
) -> FriendsActivity:
    assert caller.user_id is not None
    plays = social.friends_activity(session, caller.user_id)
    names = account.display_names(session, [p.user_id for p in plays])
    tracks = catalog.get_tracks(
        session, [p.track_id for p in plays], base=base, market=market, audience=audience
    )
    return FriendsActivity(
        friends=[
            FriendActivity(
                user=Friend(id=p.user_id, display_name=names.get(p.user_id), uri=uri("user", p.user_id)),
                track=track,
                context_uri=p.context_uri,
                timestamp=iso_ms(p.at),
                playing_now=p.playing_now,
            )
            for p, track in zip(plays, tracks, strict=True)
        ]
    )


@router.get("/me/player/private-session", response_model=PrivateSession, summary="Is a private session on")
def get_private_session(
    session: DbSession, caller: Annotated[Caller, Depends(require("user-read-playback-state", user=True))]
) -> PrivateSession:
    assert caller.user_id is not None
    return PrivateSession(enabled=social.private_session(session, caller.user_id))


@router.put(
    "/me/player/private-session", response_model=PrivateSession, summary="Turn a private session on or off"
)
def set_private_session(
    body: PrivateSession,
    session: DbSession,
    caller: Annotated[Caller, Depends(require("user-modify-playback-state", user=True))],
) -> PrivateSession:
    """While on, friends see nothing of what this user plays (and what they saw goes)."""
    assert caller.user_id is not None
    social.set_private_session(session, caller.user_id, body.enabled)
    return body
