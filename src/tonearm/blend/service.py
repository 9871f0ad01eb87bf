"""Blend: a playlist two users share, mixed from both of their listening and libraries.

One invites another; the invited one accepts (then the playlist is made and filled) or
declines. While active, the blend is refreshed (daily, by a job): its tracks are mixed again
and the playlist's items replaced, a new snapshot in its history, only when the mix changed.
Either member may leave: the blend ends and stops refreshing, and the playlist leaves the
leaver's library and stays with the other member.

Ownership: the inviter owns the playlist (private, collaborative) and the invitee edits it as
an invited collaborator, so both see and change it. The playlists face cannot hand a playlist
to someone else, so when the inviter leaves, the invitee keeps it as its collaborator.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from tonearm.accounts import account
from tonearm.blend.mix import Pick, Rule, mix
from tonearm.blend.models import Blend, BlendTrack
from tonearm.blend.repository import BlendRepository
from tonearm.blend.sources import artists_of, playable_by_all, taste
from tonearm.errors import BadRequest, Forbidden, NotFound
from tonearm.kit.ids import new_id
from tonearm.kit.time import iso_ms, utcnow
from tonearm.playlists import playlists

__all__ = ["AlreadyBlended", "BlendNotFound", "BlendService", "Refreshed", "blend"]

DESCRIPTION = "A Blend of both of your tastes, mixed again every day."


class BlendNotFound(NotFound):
    """No such blend, or not the viewer's: a stranger's blend is not there for them."""


class AlreadyBlended(BadRequest):
    """The two users already have a pending or active blend."""


@dataclass(frozen=True, slots=True)
class Refreshed:
    """One refresh: whether the playlist changed, its snapshot after it, how many tracks."""

    blend_id: str
    changed: bool
    snapshot_id: str | None
    tracks: int


class BlendService:
    def __init__(self, rule: Rule = mix) -> None:
        # The mixing rule alone decides the tracks; a personalised one can take its place.
        self.rule = rule

    # ---- reading ----

    def get(self, session: Session, blend_id: str, viewer: str, *, lock: bool = False) -> Blend | None:
        """The blend, if the viewer is one of its members and has not left it (its row locked
        for a change, when `lock`)."""
        repo = BlendRepository(session)
        found = repo.lock(blend_id) if lock else repo.get(blend_id)
        if found is None or viewer not in members(found) or found.left_by == viewer:
            return None
        return found

    def get_or_raise(self, session: Session, blend_id: str, viewer: str, *, lock: bool = False) -> Blend:
        found = self.get(session, blend_id, viewer, lock=lock)
        if found is None:
            raise BlendNotFound(f"blend '{blend_id}' not found")
        return found

    def of_user(self, session: Session, user_id: str, *, limit: int, offset: int) -> tuple[list[Blend], int]:
        """The user's pending and active blends, newest first."""
        return BlendRepository(session).open_of(user_id, limit=limit, offset=offset)

    def tracks(self, session: Session, found: Blend) -> list[BlendTrack]:
        return BlendRepository(session).tracks(found.id)

    def playlist_snapshot(self, session: Session, found: Blend, viewer: str) -> str | None:
        """The snapshot of the blend's playlist as the viewer sees it; None when they cannot."""
        if found.playlist_id is None:
            return None
        try:
            return playlists.get(session, found.playlist_id, viewer).snapshot_id
        except NotFound:
            return None

    # ---- the invitation ----

    def invite(self, session: Session, inviter_id: str, invitee_id: str) -> Blend:
        if invitee_id == inviter_id:
            raise BadRequest("a blend is of two people: invite another user, not yourself")
        if not account.display_names(session, [invitee_id]):
            raise NotFound(f"no user with id '{invitee_id[:40]}'")
        repo = BlendRepository(session)
        existing = repo.open_between(inviter_id, invitee_id)
        if existing is not None:
            raise AlreadyBlended(
                f"you already have a {existing.status} blend with this user: '{existing.id}'"
            )
        invited = Blend(
            id=new_id(), inviter_id=inviter_id, invitee_id=invitee_id, status="pending", created_at=utcnow()
        )
        repo.add(invited)
        return invited

    def accept(self, session: Session, blend_id: str, user_id: str, *, now: datetime | None = None) -> Blend:
        """The playlist is made (the inviter's, the invitee its collaborator) and filled at once."""
        found = self._invited(session, blend_id, user_id, "accept")
        names = account.display_names(session, members(found))
        made = playlists.create(
            session,
            found.inviter_id,
            name=" + ".join(names.get(member, "?")[:98] for member in members(found)),
            description=DESCRIPTION,
            public=False,
            collaborative=True,
        )
        playlists.invite(session, made.id, found.inviter_id, found.invitee_id)
        found.status, found.playlist_id, found.accepted_at = "active", made.id, now or utcnow()
        self.refresh(session, found, now=now)
        return found

    def decline(self, session: Session, blend_id: str, user_id: str) -> Blend:
        found = self._invited(session, blend_id, user_id, "decline")
        found.status = "declined"
        return found

    def leave(self, session: Session, blend_id: str, user_id: str) -> None:
        """An active blend ends: no more refreshes, the playlist leaves the leaver's library and
        stays with the other member. A pending or declined one is called off, and an ended one
        left by the member who stayed is gone for both."""
        found = self.get_or_raise(session, blend_id, user_id, lock=True)
        if found.playlist_id is not None and found.status in ("active", "ended"):
            with suppress(NotFound):  # already out of their library
                playlists.unfollow(session, found.playlist_id, user_id)
        if found.status == "active":
            found.status, found.left_by = "ended", user_id
        else:
            BlendRepository(session).delete(found)

    def _invited(self, session: Session, blend_id: str, user_id: str, action: str) -> Blend:
        found = self.get_or_raise(session, blend_id, user_id, lock=True)
        if found.invitee_id != user_id:
            raise Forbidden(f"only the invited user may {action} a blend")
        if found.status != "pending":
            raise BadRequest(f"this blend is {found.status}; only a pending one can be answered")
        return found

    # ---- refreshing ----

    def due(self, session: Session, *, refreshed_before: datetime | None) -> list[str]:
        """Active blends last refreshed before the moment (None: every active blend)."""
        return BlendRepository(session).active_ids(refreshed_before=refreshed_before)

    def refresh_by_id(
        self, session: Session, blend_id: str, *, now: datetime | None = None
    ) -> Refreshed | None:
        """Refresh the blend if it is still active (it may have ended since it was found due)."""
        found = BlendRepository(session).lock(blend_id)
        if found is None or found.status != "active":
            return None
        return self.refresh(session, found, now=now)

    def refresh(self, session: Session, found: Blend, *, now: datetime | None = None) -> Refreshed:
        picks = self.picks(session, found)
        track_ids = [pick.track_id for pick in picks]
        snapshot_id, changed = self._fill(session, found, track_ids)
        BlendRepository(session).replace_tracks(found.id, [(pick.track_id, pick.reason) for pick in picks])
        found.refreshed_at = now or utcnow()
        return Refreshed(found.id, changed, snapshot_id, len(picks))

    def picks(self, session: Session, found: Blend) -> list[Pick]:
        """The blend's tracks by the rule, from tracks every member may play."""
        inviter, invitee = (taste(session, member) for member in members(found))
        playable = playable_by_all(session, members(found), [*inviter, *invitee])
        return self.rule(
            [track_id for track_id in inviter if track_id in playable],
            [track_id for track_id in invitee if track_id in playable],
            artists_of(session, sorted(playable)),
        )

    def _fill(self, session: Session, found: Blend, track_ids: Sequence[str]) -> tuple[str | None, bool]:
        """Make the playlist hold the tracks, in its owner's name: a new snapshot only when it
        holds anything else."""
        if found.playlist_id is None:
            return None, False
        owner = found.inviter_id
        items, total = playlists.items(session, found.playlist_id, owner, offset=0, limit=len(track_ids) + 1)
        if total == len(track_ids) and [item.track_id for item in items] == list(track_ids):
            return playlists.get(session, found.playlist_id, owner).snapshot_id, False
        return playlists.replace(session, found.playlist_id, owner, track_ids), True

    # ---- personal data ----

    def export_user(self, session: Session, user_id: str) -> dict[str, Any]:
        repo = BlendRepository(session)
        return {"blends": [_exported(row, user_id, repo.tracks(row.id)) for row in repo.all_of(user_id)]}

    def erase_user(self, session: Session, user_id: str) -> int:
        """Every blend the user is in goes, for both members (its mix is half theirs); the
        playlist itself is the playlists domain's to erase or keep."""
        return BlendRepository(session).erase(user_id)


def members(found: Blend) -> tuple[str, str]:
    return found.inviter_id, found.invitee_id


def _exported(row: Blend, user_id: str, tracks: list[BlendTrack]) -> dict[str, Any]:
    return {
        "id": row.id,
        "role": "inviter" if row.inviter_id == user_id else "invitee",
        "with_user_id": row.invitee_id if row.inviter_id == user_id else row.inviter_id,
        "status": row.status,
        "left": row.left_by == user_id,
        "playlist_id": row.playlist_id,
        "created_at": iso_ms(row.created_at),
        "accepted_at": None if row.accepted_at is None else iso_ms(row.accepted_at),
        "refreshed_at": None if row.refreshed_at is None else iso_ms(row.refreshed_at),
        "tracks": [{"track_id": track.track_id, "reason": track.reason} for track in tracks],
    }


blend = BlendService()
