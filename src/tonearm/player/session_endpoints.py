"""Group Session routes: open (POST), read (GET), set the skip rule (PUT), leave or end
(DELETE) /v1/me/player/session; join by code, add to its queue and skip under
/v1/me/player/session/{code}."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Depends, Path, Query, Request, Response
from sqlalchemy.orm import Session

from tonearm.accounts import account
from tonearm.kit.access import require
from tonearm.kit.caller import Caller
from tonearm.kit.web import BaseUrl, DbSession
from tonearm.player.contexts import track_entries
from tonearm.player.endpoints import controller, tracks
from tonearm.player.errors import SessionNotFound
from tonearm.player.schemas import Member, SessionBody, SessionOut
from tonearm.player.sessions import GroupSession, GroupSessions

__all__ = ["router"]

router = APIRouter(prefix="/v1/me/player/session", tags=["player"])
QUEUE_SHOWN = 50

Reader = Annotated[Caller, Depends(require("user-read-playback-state", user=True))]
Modifier = Annotated[Caller, Depends(require("user-modify-playback-state", user=True))]
Code = Annotated[str, Path(pattern="^[A-Za-z0-9_-]{8,32}$")]


def _sessions(request: Request) -> GroupSessions:
    service: GroupSessions = request.app.state.player_sessions
    return service


Sessions = Annotated[GroupSessions, Depends(_sessions)]


def _user(caller: Caller) -> str:
    assert caller.user_id is not None  # require(user=True)
    return caller.user_id


@router.post("", response_model=SessionOut, status_code=201, summary="Open a Group Session")
def open_session(
    session: DbSession,
    base: BaseUrl,
    caller: Modifier,
    sessions: Sessions,
    body: Annotated[SessionBody | None, Body()] = None,
) -> SessionOut:
    """Hosted on the caller's devices (a premium listener's, from an app); its code and link
    admit others. Opening again answers the session the caller already hosts."""
    opened = sessions.open(controller(caller), members_can_skip=(body or SessionBody()).members_can_skip)
    return _shown(session, base, caller, sessions, opened)


@router.get("", response_model=SessionOut, summary="The Group Session I host or have joined")
def get_session(session: DbSession, base: BaseUrl, caller: Reader, sessions: Sessions) -> SessionOut:
    found = sessions.of(_user(caller))
    if found is None:
        raise SessionNotFound("you are in no Group Session")
    return _shown(session, base, caller, sessions, found)


@router.put("", response_model=SessionOut, summary="Let members skip, or not")
def restrict(
    body: SessionBody, session: DbSession, base: BaseUrl, caller: Modifier, sessions: Sessions
) -> SessionOut:
    changed = sessions.restrict(_user(caller), members_can_skip=body.members_can_skip)
    return _shown(session, base, caller, sessions, changed)


@router.delete("", status_code=204, response_class=Response, summary="Leave (or, as host, end) it")
def leave(caller: Modifier, sessions: Sessions) -> None:
    """The host leaving ends the session: its code and link admit no one from then on."""
    sessions.leave(_user(caller))


@router.post("/{code}/members", response_model=SessionOut, summary="Join a Group Session by its code")
def join(code: Code, session: DbSession, base: BaseUrl, caller: Modifier, sessions: Sessions) -> SessionOut:
    joined = sessions.join(_user(caller), code)
    return _shown(session, base, caller, sessions, joined)


@router.post("/{code}/queue", status_code=204, response_class=Response, summary="Add to the session's queue")
def add(
    code: Code,
    session: DbSession,
    caller: Modifier,
    sessions: Sessions,
    uri: Annotated[str, Query(max_length=200)],
) -> None:
    [entry] = track_entries(session, [uri], caller)
    sessions.add(_user(caller), code, entry)


@router.post("/{code}/next", status_code=204, response_class=Response, summary="Skip in the session")
def skip(code: Code, caller: Modifier, sessions: Sessions) -> None:
    sessions.skip(_user(caller), code)


def _shown(
    session: Session, base: str, caller: Caller, sessions: GroupSessions, group: GroupSession
) -> SessionOut:
    state = sessions.player.state(group.host_id)
    names = account.display_names(session, [group.host_id, *group.members])
    current = state.item.track_id if state is not None and state.item is not None else None
    upcoming = [] if state is None else [entry.track_id for entry in state.upcoming(QUEUE_SHOWN)]
    shaped = {t.id: t for t in tracks(session, [*([current] if current else []), *upcoming], base, caller)}
    return SessionOut(
        code=group.code,
        link=f"{base}/#/session/{group.code}",
        host=Member(id=group.host_id, display_name=names.get(group.host_id)),
        members=[Member(id=m, display_name=names.get(m)) for m in group.members],
        members_can_skip=group.members_can_skip,
        is_host=group.host_id == caller.user_id,
        is_playing=state is not None and state.is_playing,
        item=shaped.get(current) if current else None,
        queue=[shaped[i] for i in upcoming if i in shaped],
    )
