"""Playlists: create, read, edit with history, follow.

Every edit makes a new version with its own `snapshot_id`. An edit may name the snapshot its
positions refer to; when others have edited since, its positions are carried over to the current
version (an insert lands next to the item it was next to then, a removed position names the
item that was there then), so a concurrent edit is neither refused nor lost. Edits are applied
one at a time per playlist (its row is locked for the edit).
"""

from __future__ import annotations

import base64
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from tonearm.errors import BadRequest, Forbidden, NotFound
from tonearm.events import PLAYLIST_CHANGED, make
from tonearm.kit.ids import new_id
from tonearm.kit.outbox import emit
from tonearm.kit.time import iso_ms, unix_ms, utcnow
from tonearm.playlists.changes import Change, Item, Move, State, apply, diff, ordered
from tonearm.playlists.models import OwnerSettings, Playlist, PlaylistEdit, PlaylistFollower
from tonearm.playlists.ranks import ranks_between
from tonearm.playlists.repository import PlaylistRepository

__all__ = ["MAX_ITEMS", "MAX_URIS", "PlaylistService", "Removal", "playlists"]

MAX_ITEMS = 10_000
MAX_URIS = 100
ERASURE_CHOICES = ("erase", "keep")


@dataclass(frozen=True, slots=True)
class Removal:
    """Remove this track: at these positions of the named snapshot, or everywhere (None)."""

    track_id: str
    positions: tuple[int, ...] | None = None


def _snapshot_id(version: int) -> str:
    raw = version.to_bytes(4, "big") + secrets.token_bytes(8)
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


class PlaylistService:
    # ---- reading ----

    def get(self, session: Session, playlist_id: str, viewer: str | None) -> Playlist:
        """The playlist, if the viewer may see it: 404 for a private one of someone else's (it
        is not there for them), as Spotify does."""
        repo = PlaylistRepository(session)
        playlist = repo.get(playlist_id)
        if playlist is None or not self._visible(repo, playlist, viewer):
            raise NotFound(f"playlist '{playlist_id}' not found")
        return playlist

    def _visible(self, repo: PlaylistRepository, playlist: Playlist, viewer: str | None) -> bool:
        if playlist.public or playlist.owner_id == viewer:
            return True
        return viewer is not None and repo.follower(playlist.id, viewer) is not None

    def items(
        self, session: Session, playlist_id: str, viewer: str | None, *, offset: int, limit: int
    ) -> tuple[list[Item], int]:
        playlist = self.get(session, playlist_id, viewer)
        return PlaylistRepository(session).page(playlist.id, offset=offset, limit=limit), playlist.item_count

    def of_user(
        self, session: Session, user_id: str, viewer: str | None, *, limit: int, offset: int
    ) -> tuple[list[Playlist], int]:
        """A user's playlists (owned and followed); their private ones only to themselves."""
        return PlaylistRepository(session).of_user(
            user_id, include_private=user_id == viewer, limit=limit, offset=offset
        )

    def follower_count(self, session: Session, playlist_id: str) -> int:
        return PlaylistRepository(session).follower_count(playlist_id)

    def can_edit(self, session: Session, playlist: Playlist, user_id: str) -> bool:
        if playlist.owner_id == user_id:
            return True
        return (
            playlist.collaborative and PlaylistRepository(session).follower(playlist.id, user_id) is not None
        )

    # ---- creating and details ----

    def create(
        self,
        session: Session,
        owner_id: str,
        *,
        name: str,
        description: str = "",
        public: bool = True,
        collaborative: bool = False,
    ) -> Playlist:
        _check_flags(public, collaborative)
        now = utcnow()
        playlist = Playlist(
            id=new_id(),
            owner_id=owner_id,
            name=_name(name),
            description=_description(description),
            public=public,
            collaborative=collaborative,
            version=0,
            snapshot_id=_snapshot_id(0),
            item_count=0,
            created_at=now,
            updated_at=now,
        )
        repo = PlaylistRepository(session)
        repo.add(playlist)
        repo.add(PlaylistFollower(playlist_id=playlist.id, user_id=owner_id, followed_at=now, public=public))
        session.flush()
        repo.add_edit(
            PlaylistEdit(
                playlist_id=playlist.id,
                version=0,
                snapshot_id=playlist.snapshot_id,
                user_id=owner_id,
                at=now,
                kind="create",
                change=Change().encode(),
            )
        )
        self._announce(session, playlist, ["created"])
        return playlist

    def change_details(self, session: Session, playlist_id: str, user_id: str, **fields: Any) -> Playlist:
        repo = PlaylistRepository(session)
        playlist = self._locked(repo, playlist_id, user_id)
        if playlist.owner_id != user_id:
            raise Forbidden("only the playlist's owner may change its details")
        given = {name: value for name, value in fields.items() if value is not None}
        if "name" in given:
            given["name"] = _name(given["name"])
        if "description" in given:
            given["description"] = _description(given["description"])
        _check_flags(given.get("public", playlist.public), given.get("collaborative", playlist.collaborative))
        details = tuple(
            (name, getattr(playlist, name), value)
            for name, value in given.items()
            if getattr(playlist, name) != value
        )
        if details:
            self._commit(repo, playlist, user_id, "details", Change(details=details))
        return playlist

    # ---- made by the platform (Discover Weekly, the mixes) ----

    def create_made_for(self, session: Session, user_id: str, *, name: str, description: str) -> Playlist:
        """A private playlist the platform owns (shown as owned by Tonearm) and made for the
        user, who follows it: it is in their library, and closed to their edits."""
        now = utcnow()
        playlist = Playlist(
            id=new_id(),
            owner_id=None,
            name=_name(name),
            description=_description(description),
            public=False,
            collaborative=False,
            version=0,
            snapshot_id=_snapshot_id(0),
            item_count=0,
            created_at=now,
            updated_at=now,
        )
        repo = PlaylistRepository(session)
        repo.add(playlist)
        repo.add(PlaylistFollower(playlist_id=playlist.id, user_id=user_id, followed_at=now, public=False))
        session.flush()
        repo.add_edit(
            PlaylistEdit(
                playlist_id=playlist.id,
                version=0,
                snapshot_id=playlist.snapshot_id,
                user_id=None,
                at=now,
                kind="create",
                change=Change().encode(),
            )
        )
        self._announce(session, playlist, ["created"])
        return playlist

    def refill_made_for(
        self, session: Session, playlist_id: str, track_ids: Sequence[str], *, name: str | None = None
    ) -> tuple[str, bool]:
        """Make a platform-owned playlist hold the tracks (and take the name, when given): a new
        version only when that changes it. The snapshot after, and whether it changed."""
        if len(track_ids) > MAX_ITEMS or len(set(track_ids)) != len(track_ids):
            raise BadRequest(f"a made-for playlist holds at most {MAX_ITEMS} distinct tracks")
        repo = PlaylistRepository(session)
        playlist = repo.lock(playlist_id)
        if playlist is None or playlist.owner_id is not None:
            raise NotFound(f"playlist '{playlist_id}' is not one the platform made")
        state = repo.state(playlist.id)
        renamed = name is not None and _name(name) != playlist.name
        if [item.track_id for item in ordered(state)] == list(track_ids) and not renamed:
            return playlist.snapshot_id, False
        at = unix_ms(utcnow())
        added = tuple(
            Item(new_id(), rank, track_id, None, at)
            for rank, track_id in zip(ranks_between(None, None, len(track_ids)), track_ids, strict=True)
        )
        details = ((("name", playlist.name, _name(name)),) if renamed and name is not None else ())
        change = Change(added=added, removed=tuple(state.values()), details=details)
        return self._commit(repo, playlist, None, "replace", change), True

    # ---- items ----

    def add(
        self,
        session: Session,
        playlist_id: str,
        user_id: str,
        track_ids: Sequence[str],
        *,
        position: int | None = None,
        snapshot_id: str | None = None,
    ) -> str:
        _check_uris(track_ids)
        repo = PlaylistRepository(session)
        playlist = self._editable(repo, playlist_id, user_id)
        if playlist.item_count + len(track_ids) > MAX_ITEMS:
            raise BadRequest(
                f"a playlist holds at most {MAX_ITEMS} items; this one has {playlist.item_count}, "
                f"and {len(track_ids)} more would pass that"
            )
        past = self._past(repo, playlist, snapshot_id)
        if position is not None and not 0 <= position <= (playlist.item_count if past is None else len(past)):
            raise BadRequest(
                f"position {position} is out of range for a playlist of {playlist.item_count} items"
            )
        if past is None:
            # The edit is against the current version: read just the two neighbours.
            if position is None or position >= playlist.item_count:
                before, after = repo.last_rank(playlist.id), None
            else:
                before, after = repo.ranks_at(playlist.id, position)
        else:
            current = ordered(repo.state(playlist.id))
            before, after = _carried_over(past, current, len(past) if position is None else position, set())
        at = unix_ms(utcnow())
        added = tuple(
            Item(new_id(), rank, track_id, user_id, at)
            for rank, track_id in zip(ranks_between(before, after, len(track_ids)), track_ids, strict=True)
        )
        return self._commit(repo, playlist, user_id, "add", Change(added=added))

    def remove(
        self,
        session: Session,
        playlist_id: str,
        user_id: str,
        removals: Sequence[Removal],
        *,
        snapshot_id: str | None = None,
    ) -> str:
        _check_uris([removal.track_id for removal in removals])
        repo = PlaylistRepository(session)
        playlist = self._editable(repo, playlist_id, user_id)
        everywhere = [removal.track_id for removal in removals if removal.positions is None]
        # The items as they are now (their ranks may have moved since the snapshot): what the
        # change records, so that undoing it puts them back where they were.
        gone = {item.id: item for item in repo.of_tracks(playlist.id, everywhere)} if everywhere else {}
        positioned = [removal for removal in removals if removal.positions is not None]
        if positioned:
            past = self._past(repo, playlist, snapshot_id)
            size = playlist.item_count if past is None else len(past)
            named: list[str] = []
            for removal in positioned:
                for position in removal.positions or ():
                    item = None
                    if 0 <= position < size:
                        item = (
                            past[position]
                            if past is not None
                            else repo.page(playlist.id, offset=position, limit=1)[0]
                        )
                    if item is None or item.track_id != removal.track_id:
                        raise BadRequest(
                            f"position {position} does not hold track '{removal.track_id}' in that snapshot"
                        )
                    named.append(item.id)
            # One removed by someone else since is already gone, which is what was asked.
            gone.update((item.id, item) for item in repo.with_ids(playlist.id, named))
        return self._commit(repo, playlist, user_id, "remove", Change(removed=tuple(gone.values())))

    def reorder(
        self,
        session: Session,
        playlist_id: str,
        user_id: str,
        *,
        range_start: int,
        insert_before: int,
        range_length: int = 1,
        snapshot_id: str | None = None,
    ) -> str:
        repo = PlaylistRepository(session)
        playlist = self._editable(repo, playlist_id, user_id)
        state = repo.state(playlist.id)
        current = ordered(state)
        past = self._past(repo, playlist, snapshot_id)
        past = current if past is None else past
        size = len(past)
        if range_length < 1 or not 0 <= range_start < size or range_start + range_length > size:
            raise BadRequest(
                f"range_start {range_start} with range_length {range_length} is out of range for {size} items"
            )
        if not 0 <= insert_before <= size:
            raise BadRequest(f"insert_before {insert_before} is out of range for {size} items")
        block = [item.id for item in past[range_start : range_start + range_length] if item.id in state]
        moving = set(block)
        before, after = _carried_over(past, current, insert_before, moving)
        ranks = ranks_between(before, after, len(block))
        moved = tuple(
            Move(item_id, state[item_id].rank, rank)
            for item_id, rank in zip(block, ranks, strict=True)
            if state[item_id].rank != rank
        )
        return self._commit(repo, playlist, user_id, "reorder", Change(moved=moved))

    def replace(self, session: Session, playlist_id: str, user_id: str, track_ids: Sequence[str]) -> str:
        _check_uris(track_ids, empty_ok=True)
        repo = PlaylistRepository(session)
        playlist = self._editable(repo, playlist_id, user_id)
        at = unix_ms(utcnow())
        added = tuple(
            Item(new_id(), rank, track_id, user_id, at)
            for rank, track_id in zip(ranks_between(None, None, len(track_ids)), track_ids, strict=True)
        )
        removed = tuple(repo.state(playlist.id).values())
        return self._commit(repo, playlist, user_id, "replace", Change(added=added, removed=removed))

    # ---- history ----

    def snapshots(
        self, session: Session, playlist_id: str, viewer: str | None, *, limit: int, offset: int
    ) -> tuple[list[PlaylistEdit], int]:
        playlist = self.get(session, playlist_id, viewer)
        return PlaylistRepository(session).edits_page(
            playlist.id, limit=limit, offset=offset
        ), playlist.version + 1

    def state_at(
        self, session: Session, playlist_id: str, viewer: str | None, snapshot_id: str
    ) -> list[Item]:
        playlist = self.get(session, playlist_id, viewer)
        repo = PlaylistRepository(session)
        return _or_current(self._past(repo, playlist, snapshot_id), repo.state(playlist.id))

    def compare(
        self, session: Session, playlist_id: str, viewer: str | None, from_snapshot: str, to_snapshot: str
    ) -> tuple[list[Item], list[Item], Change]:
        """Both versions in order, and the change from the first to the second."""
        old = self.state_at(session, playlist_id, viewer, from_snapshot)
        new = self.state_at(session, playlist_id, viewer, to_snapshot)
        return old, new, diff({item.id: item for item in old}, {item.id: item for item in new})

    def revert(self, session: Session, playlist_id: str, user_id: str, snapshot_id: str) -> str:
        """Make the playlist's items what they were at the snapshot: a new version, which can
        itself be reverted."""
        repo = PlaylistRepository(session)
        playlist = self._editable(repo, playlist_id, user_id)
        target = self._past(repo, playlist, snapshot_id)
        state = repo.state(playlist.id)
        if target is None:
            return playlist.snapshot_id
        if len(target) > MAX_ITEMS:  # pragma: no cover - every version was held to the limit
            raise BadRequest(f"a playlist holds at most {MAX_ITEMS} items")
        return self._commit(
            repo, playlist, user_id, "revert", diff(state, {item.id: item for item in target})
        )

    # ---- following ----

    def follow(self, session: Session, playlist_id: str, user_id: str, *, public: bool = True) -> None:
        repo = PlaylistRepository(session)
        playlist = self.get(session, playlist_id, user_id)
        existing = repo.follower(playlist.id, user_id)
        if existing is None:
            repo.add(
                PlaylistFollower(
                    playlist_id=playlist.id, user_id=user_id, followed_at=utcnow(), public=public
                )
            )
        else:
            existing.public = public

    def unfollow(self, session: Session, playlist_id: str, user_id: str) -> None:
        playlist = self.get(session, playlist_id, user_id)
        PlaylistRepository(session).unfollow(playlist.id, user_id)

    def follows(self, session: Session, playlist_id: str, user_ids: Sequence[str], viewer: str) -> list[bool]:
        playlist = self.get(session, playlist_id, viewer)
        found = PlaylistRepository(session).followers_among(playlist.id, user_ids)
        return [user_id in found for user_id in user_ids]

    def invite(self, session: Session, playlist_id: str, owner_id: str, user_id: str) -> None:
        """The owner lets a user edit a collaborative playlist (and see it, when private)."""
        repo = PlaylistRepository(session)
        playlist = self.get(session, playlist_id, owner_id)
        if playlist.owner_id != owner_id:
            raise Forbidden("only the playlist's owner may invite collaborators")
        if not playlist.collaborative:
            raise BadRequest("make the playlist collaborative before inviting collaborators")
        if repo.follower(playlist.id, user_id) is None:
            repo.add(
                PlaylistFollower(playlist_id=playlist.id, user_id=user_id, followed_at=utcnow(), public=False)
            )

    # ---- personal data ----

    def export_user(self, session: Session, user_id: str) -> dict[str, Any]:
        repo = PlaylistRepository(session)
        owned = [
            {
                "id": playlist.id,
                "name": playlist.name,
                "description": playlist.description,
                "public": playlist.public,
                "collaborative": playlist.collaborative,
                "track_ids": [item.track_id for item in ordered(repo.state(playlist.id))],
            }
            for playlist in repo.owned_by(user_id)
        ]
        follows = [
            {"playlist_id": f.playlist_id, "followed_at": iso_ms(f.followed_at)}
            for f in repo.follows_of(user_id)
        ]
        return {
            "playlists": owned,
            "followed_playlists": follows,
            "public_playlists_on_erasure": self.erasure_choice(session, user_id),
        }

    def erasure_choice(self, session: Session, user_id: str) -> str:
        """What happens to the user's public playlists when they are erased: "erase" (they go
        with them, the default) or "keep" (they stay, owned by nobody)."""
        settings = PlaylistRepository(session).owner_settings(user_id)
        return settings.public_on_erasure if settings else "erase"

    def choose_on_erasure(self, session: Session, user_id: str, choice: str) -> None:
        if choice not in ERASURE_CHOICES:
            raise BadRequest(f"public_playlists must be one of {', '.join(ERASURE_CHOICES)}, not '{choice}'")
        repo = PlaylistRepository(session)
        settings = repo.owner_settings(user_id)
        if settings is None:
            repo.add(OwnerSettings(user_id=user_id, public_on_erasure=choice))
        else:
            settings.public_on_erasure = choice

    def erase_user(self, session: Session, user_id: str) -> int:
        """Their playlists go with them, or their public ones stay, owned by nobody and closed to
        edits, as they chose; each collaborator of theirs keeps a copy of the playlist as it
        was, of their own. What they added to others' playlists stays there, no longer in their
        name."""
        repo = PlaylistRepository(session)
        keep_public = self.erasure_choice(session, user_id) == "keep"
        owned = repo.owned_by(user_id)
        for playlist in owned:
            if playlist.collaborative:
                for collaborator in repo.followers_of(playlist.id):
                    if collaborator != user_id:
                        self._copy_for(repo, playlist, collaborator, erased=user_id)
            if keep_public and playlist.public:
                playlist.owner_id = None
                playlist.collaborative = False
                self._announce(session, playlist, ["owner"])
            else:
                self._announce(session, playlist, ["deleted"])
                repo.delete(playlist.id)
        repo.forget_author(user_id)
        return len(owned) + repo.erase_follows(user_id)

    def _copy_for(self, repo: PlaylistRepository, playlist: Playlist, user_id: str, *, erased: str) -> None:
        copy = self.create(
            repo.session,
            user_id,
            name=playlist.name,
            description=playlist.description,
            public=False,
            collaborative=False,
        )
        items = tuple(
            Item(
                new_id(),
                item.rank,
                item.track_id,
                None if item.added_by == erased else item.added_by,
                item.added_at,
            )
            for item in repo.state(playlist.id).values()
        )
        if items:
            self._commit(repo, copy, user_id, "add", Change(added=items))

    # ---- the edit itself ----

    def _locked(self, repo: PlaylistRepository, playlist_id: str, user_id: str) -> Playlist:
        playlist = repo.lock(playlist_id)
        if playlist is None or not self._visible(repo, playlist, user_id):
            raise NotFound(f"playlist '{playlist_id}' not found")
        return playlist

    def _editable(self, repo: PlaylistRepository, playlist_id: str, user_id: str) -> Playlist:
        playlist = self._locked(repo, playlist_id, user_id)
        if not self.can_edit(repo.session, playlist, user_id):
            raise Forbidden(
                "only the playlist's owner may change it"
                if not playlist.collaborative
                else "only the playlist's owner and its collaborators may change it"
            )
        return playlist

    def _past(
        self, repo: PlaylistRepository, playlist: Playlist, snapshot_id: str | None
    ) -> list[Item] | None:
        """The items at `snapshot_id` in order; None when that is the current version (or none
        was named)."""
        if snapshot_id is None or snapshot_id == playlist.snapshot_id:
            return None
        edit = repo.edit_by_snapshot(playlist.id, snapshot_id)
        if edit is None:
            raise BadRequest(f"snapshot_id '{snapshot_id[:64]}' is not a version of this playlist")
        state: State = repo.state(playlist.id)
        for later in repo.edits_after(playlist.id, edit.version):
            apply(state, Change.decode(later.change).inverse())
        return ordered(state)

    def _commit(
        self, repo: PlaylistRepository, playlist: Playlist, user_id: str | None, kind: str, change: Change
    ) -> str:
        repo.apply(playlist.id, change)
        for name, _before, after in change.details:
            setattr(playlist, name, after)
        now = utcnow()
        playlist.version += 1
        playlist.snapshot_id = _snapshot_id(playlist.version)
        playlist.item_count += len(change.added) - len(change.removed)
        playlist.updated_at = now
        repo.add_edit(
            PlaylistEdit(
                playlist_id=playlist.id,
                version=playlist.version,
                snapshot_id=playlist.snapshot_id,
                user_id=user_id,
                at=now,
                kind=kind,
                change=change.encode(),
            )
        )
        fields = [name for name, _, _ in change.details] or ["items"]
        self._announce(repo.session, playlist, fields)
        return playlist.snapshot_id

    def _announce(self, session: Session, playlist: Playlist, fields: list[str]) -> None:
        emit(
            session,
            make(
                PLAYLIST_CHANGED,
                {
                    "playlist_id": playlist.id,
                    "owner_id": playlist.owner_id,
                    "snapshot_id": playlist.snapshot_id,
                    "public": playlist.public,
                    "fields": fields,
                },
            ),
        )


def _or_current(past: list[Item] | None, state: State) -> list[Item]:
    # An empty past is a version too: None alone means "the current one".
    return ordered(state) if past is None else past


def _carried_over(
    past: Sequence[Item], current: Sequence[Item], position: int, moving: set[str]
) -> tuple[str | None, str | None]:
    """The ranks in `current` (leaving out the items being moved) between which to put what was
    meant for `position` of `past`: right after the nearest item before it that is still there,
    else right before the nearest one after it, else at the end."""
    rest = [item for item in current if item.id not in moving]
    index = {item.id: number for number, item in enumerate(rest)}
    slot = None
    for item in reversed(past[:position]):
        if item.id in index:
            slot = index[item.id] + 1
            break
    if slot is None:
        slot = next((index[item.id] for item in past[position:] if item.id in index), len(rest))
    return (rest[slot - 1].rank if slot > 0 else None), (rest[slot].rank if slot < len(rest) else None)


def _check_uris(track_ids: Sequence[str], *, empty_ok: bool = False) -> None:
    if not track_ids and not empty_ok:
        raise BadRequest("name at least one track")
    if len(track_ids) > MAX_URIS:
        raise BadRequest(f"at most {MAX_URIS} tracks in one request, got {len(track_ids)}")
    if len(set(track_ids)) != len(track_ids):
        repeated = next(t for t in track_ids if track_ids.count(t) > 1)
        raise BadRequest(f"track '{repeated}' is named twice in one request")


def _check_flags(public: bool, collaborative: bool) -> None:
    if public and collaborative:
        raise BadRequest("a collaborative playlist cannot be public (as on Spotify): set public to false")


def _name(value: str) -> str:
    name = value.strip()
    if not name or len(name) > 200:
        raise BadRequest("a playlist's name is 1 to 200 characters")
    return name


def _description(value: str) -> str:
    if len(value) > 300:
        raise BadRequest("a playlist's description is at most 300 characters")
    return value


playlists = PlaylistService()
