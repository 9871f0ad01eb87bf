"""Group Session: a host opens one, others join by its code (or a link carrying it), everyone
adds to the host's queue and may skip (unless the host keeps skipping to itself), and the
host's device plays. It ends when the host leaves; its code then admits no one.

Stored: `session:<code>` (host, members, the skip rule) and `member:<user>` (the code of the
session a user hosts or has joined). Every change of the session, or of the host's state, is
pushed to each member's and the host's topic as `{"type": "session", "session": {...}}`
(`"session": null` when it ends or they leave).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from tonearm.errors import BadRequest
from tonearm.player.errors import HostRestricted, NotInSession, SessionNotFound
from tonearm.player.service import PlayerService, compact
from tonearm.player.state import Entry, PlayerState

__all__ = ["MAX_MEMBERS", "GroupSession", "GroupSessions"]

MAX_MEMBERS = 32


@dataclass(frozen=True)
class GroupSession:
    code: str
    host_id: str
    members: tuple[str, ...] = ()
    members_can_skip: bool = True

    def includes(self, user_id: str) -> bool:
        return user_id == self.host_id or user_id in self.members

    def as_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "host_id": self.host_id,
            "members": list(self.members),
            "members_can_skip": self.members_can_skip,
        }

    @classmethod
    def from_json(cls, value: dict[str, Any]) -> GroupSession:
        return cls(**{**value, "members": tuple(value["members"])})


class GroupSessions:
    def __init__(self, player: PlayerService) -> None:
        self.player = player
        self.store = player.store
        player.observe(self._state_changed)

    def of(self, user_id: str) -> GroupSession | None:
        """The session the user hosts or has joined."""
        membership = self.store.get(_member_key(user_id))
        return None if membership is None else self.get(membership["code"])

    def get(self, code: str) -> GroupSession | None:
        found = self.store.get(_session_key(code))
        return None if found is None else GroupSession.from_json(found)

    def open(self, host_id: str, *, members_can_skip: bool = True) -> GroupSession:
        """A new session hosted by host_id; the one it already hosts, if it does."""
        current = self.of(host_id)
        if current is not None and current.host_id == host_id:
            return current
        if current is not None:
            self.leave(host_id)
        session = GroupSession(
            code=secrets.token_urlsafe(9), host_id=host_id, members_can_skip=members_can_skip
        )
        self.store.put(_session_key(session.code), session.as_json())
        self.store.put(_member_key(host_id), {"code": session.code})
        self._publish(session)
        return session

    def join(self, user_id: str, code: str) -> GroupSession:
        joining = self._existing(code)
        if joining.includes(user_id):
            return joining
        current = self.of(user_id)
        if current is not None:
            self.leave(user_id)

        def add(session: GroupSession) -> GroupSession:
            if len(session.members) >= MAX_MEMBERS:
                raise BadRequest(f"a Group Session has at most {MAX_MEMBERS} members")
            return replace(session, members=(*session.members, user_id))

        joined = self._update(code, add)
        self.store.put(_member_key(user_id), {"code": code})
        self._publish(joined)
        return joined

    def leave(self, user_id: str) -> None:
        """A member leaves; the host leaving ends the session for everyone."""
        session = self.of(user_id)
        if session is None:
            raise SessionNotFound("you are in no Group Session")
        if session.host_id == user_id:
            self._end(session)
            return

        left = self._update(
            session.code,
            lambda found: replace(found, members=tuple(m for m in found.members if m != user_id)),
        )
        self.store.put(_member_key(user_id), None)
        self.store.publish(user_id, {"type": "session", "session": None})
        self._publish(left)

    def restrict(self, host_id: str, *, members_can_skip: bool) -> GroupSession:
        session = self.of(host_id)
        if session is None or session.host_id != host_id:
            raise SessionNotFound("you host no Group Session")

        changed = self._update(session.code, lambda found: replace(found, members_can_skip=members_can_skip))
        self._publish(changed)
        return changed

    def add(self, user_id: str, code: str, entry: Entry) -> GroupSession:
        """Adds to the host's queue, on the host's active device."""
        session = self._joined(user_id, code)
        self.player.enqueue(session.host_id, entry)
        return session

    def skip(self, user_id: str, code: str) -> GroupSession:
        session = self._joined(user_id, code)
        if user_id != session.host_id and not session.members_can_skip:
            raise HostRestricted("the host keeps skipping to the host in this Group Session")
        self.player.next(session.host_id)
        return session

    def view(self, session: GroupSession) -> dict[str, Any]:
        """The session as its members see it: who is in it, and what the host plays."""
        state = self.player.state(session.host_id)
        shown = None if state is None else compact(state, self.player.now())
        return {**session.as_json(), "state": shown}

    def _update(self, code: str, change: Callable[[GroupSession], GroupSession]) -> GroupSession:
        _old, new = self.store.update(_session_key(code), lambda value: change(_alive(value, code)).as_json())
        assert new is not None
        return GroupSession.from_json(new)

    def _existing(self, code: str) -> GroupSession:
        session = self.get(code)
        if session is None:
            raise SessionNotFound("no Group Session has this code (or it has ended)")
        return session

    def _joined(self, user_id: str, code: str) -> GroupSession:
        session = self._existing(code)
        if not session.includes(user_id):
            raise NotInSession("join this Group Session first")
        return session

    def _end(self, session: GroupSession) -> None:
        self.store.put(_session_key(session.code), None)
        for user_id in (session.host_id, *session.members):
            self.store.put(_member_key(user_id), None)
            self.store.publish(user_id, {"type": "session", "session": None})

    def _publish(self, session: GroupSession) -> None:
        message = {"type": "session", "session": self.view(session)}
        for user_id in (session.host_id, *session.members):
            self.store.publish(user_id, message)

    def _state_changed(self, user_id: str, _state: PlayerState) -> None:
        session = self.of(user_id)
        if session is not None and session.host_id == user_id:
            self._publish(session)


def _alive(value: Any | None, code: str) -> GroupSession:
    if value is None:
        raise SessionNotFound(f"Group Session '{code}' has ended")
    return GroupSession.from_json(value)


def _member_key(user_id: str) -> str:
    return f"member:{user_id}"


def _session_key(code: str) -> str:
    return f"session:{code}"
