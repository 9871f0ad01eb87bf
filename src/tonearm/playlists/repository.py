"""Playlist queries. Items are read in rank order; a page or a neighbour is an indexed range
read, so a 10,000-item playlist is never loaded whole to add to its end."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.orm import Session

from tonearm.playlists.changes import Change, Item, State
from tonearm.playlists.models import (
    OwnerSettings,
    Playlist,
    PlaylistCover,
    PlaylistEdit,
    PlaylistFollower,
    PlaylistItem,
)

__all__ = ["PlaylistRepository"]

_ITEM_COLUMNS = (
    PlaylistItem.id,
    PlaylistItem.rank,
    PlaylistItem.track_id,
    PlaylistItem.added_by,
    PlaylistItem.added_at,
)


def _item(row: Sequence[Any]) -> Item:
    return Item(*row)


class PlaylistRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    # ---- playlists ----

    def get(self, playlist_id: str) -> Playlist | None:
        return self.session.get(Playlist, playlist_id)

    def lock(self, playlist_id: str) -> Playlist | None:
        """The playlist, with its row locked for an edit until the transaction ends. A write comes
        first so that SQLite takes its write lock before anything is read, and two edits at once
        are applied one after the other, each to the state the other left."""
        self.session.execute(
            update(Playlist).where(Playlist.id == playlist_id).values(version=Playlist.version)
        )
        return self.session.get(Playlist, playlist_id, populate_existing=True, with_for_update=True)

    def add(self, row: object) -> None:
        self.session.add(row)

    def of_user(
        self, user_id: str, *, include_private: bool, limit: int, offset: int
    ) -> tuple[list[Playlist], int]:
        """Playlists the user owns or follows, newest follow first."""
        query = (
            select(Playlist)
            .join(PlaylistFollower, PlaylistFollower.playlist_id == Playlist.id)
            .where(PlaylistFollower.user_id == user_id)
        )
        if not include_private:
            query = query.where(Playlist.public.is_(True), PlaylistFollower.public.is_(True))
        total = self.session.scalar(select(func.count()).select_from(query.subquery())) or 0
        rows = self.session.scalars(
            query.order_by(PlaylistFollower.followed_at.desc(), Playlist.id).limit(limit).offset(offset)
        )
        return list(rows), total

    def public(self, ids: Sequence[str]) -> list[Playlist]:
        query = select(Playlist).where(Playlist.id.in_(ids), Playlist.public.is_(True))
        return list(self.session.scalars(query))

    def public_batches(self, size: int) -> Iterator[list[Playlist]]:
        after = ""
        while True:
            query = (
                select(Playlist)
                .where(Playlist.public.is_(True), Playlist.id > after)
                .order_by(Playlist.id)
                .limit(size)
            )
            batch = list(self.session.scalars(query))
            if not batch:
                return
            yield batch
            after = batch[-1].id

    def count_public(self) -> int:
        return self.session.scalar(select(func.count()).where(Playlist.public.is_(True))) or 0

    def follower_counts(self, ids: Sequence[str]) -> dict[str, int]:
        query = (
            select(PlaylistFollower.playlist_id, func.count())
            .where(PlaylistFollower.playlist_id.in_(ids))
            .group_by(PlaylistFollower.playlist_id)
        )
        return {playlist_id: int(count) for playlist_id, count in self.session.execute(query)}

    def owned_by(self, user_id: str) -> list[Playlist]:
        return list(self.session.scalars(select(Playlist).where(Playlist.owner_id == user_id)))

    def delete(self, playlist_id: str) -> None:
        self.session.execute(delete(Playlist).where(Playlist.id == playlist_id))

    def owner_settings(self, user_id: str) -> OwnerSettings | None:
        return self.session.get(OwnerSettings, user_id)

    def followers_of(self, playlist_id: str) -> list[str]:
        query = select(PlaylistFollower.user_id).where(PlaylistFollower.playlist_id == playlist_id)
        return list(self.session.scalars(query))

    def cover(self, playlist_id: str) -> PlaylistCover | None:
        return self.session.get(PlaylistCover, playlist_id)

    def set_cover(self, cover: PlaylistCover) -> None:
        self.session.execute(delete(PlaylistCover).where(PlaylistCover.playlist_id == cover.playlist_id))
        self.session.add(cover)

    # ---- items ----

    def page(self, playlist_id: str, *, offset: int, limit: int) -> list[Item]:
        query = (
            select(*_ITEM_COLUMNS)
            .where(PlaylistItem.playlist_id == playlist_id)
            .order_by(PlaylistItem.rank, PlaylistItem.id)
            .limit(limit)
            .offset(offset)
        )
        return [_item(row) for row in self.session.execute(query)]

    def first_tracks(self, playlist_ids: Sequence[str], count: int) -> dict[str, list[str]]:
        """The first `count` tracks of each playlist, in order, in one query."""
        place = (
            func.row_number()
            .over(partition_by=PlaylistItem.playlist_id, order_by=(PlaylistItem.rank, PlaylistItem.id))
            .label("place")
        )
        numbered = (
            select(PlaylistItem.playlist_id, PlaylistItem.track_id, place)
            .where(PlaylistItem.playlist_id.in_(playlist_ids))
            .subquery()
        )
        query = (
            select(numbered.c.playlist_id, numbered.c.track_id)
            .where(numbered.c.place <= count)
            .order_by(numbered.c.playlist_id, numbered.c.place)
        )
        found: dict[str, list[str]] = {}
        for playlist_id, track_id in self.session.execute(query):
            found.setdefault(playlist_id, []).append(track_id)
        return found

    def state(self, playlist_id: str) -> State:
        query = select(*_ITEM_COLUMNS).where(PlaylistItem.playlist_id == playlist_id)
        return {item.id: item for item in map(_item, self.session.execute(query))}

    def with_ids(self, playlist_id: str, item_ids: Sequence[str]) -> list[Item]:
        query = select(*_ITEM_COLUMNS).where(
            PlaylistItem.playlist_id == playlist_id, PlaylistItem.id.in_(item_ids)
        )
        return [_item(row) for row in self.session.execute(query)]

    def of_tracks(self, playlist_id: str, track_ids: Sequence[str]) -> list[Item]:
        query = select(*_ITEM_COLUMNS).where(
            PlaylistItem.playlist_id == playlist_id, PlaylistItem.track_id.in_(track_ids)
        )
        return [_item(row) for row in self.session.execute(query)]

    def last_rank(self, playlist_id: str) -> str | None:
        return self.session.scalar(
            select(func.max(PlaylistItem.rank)).where(PlaylistItem.playlist_id == playlist_id)
        )

    def ranks_at(self, playlist_id: str, position: int) -> tuple[str | None, str | None]:
        """The ranks of the items at position - 1 and position (None past either end)."""
        if position == 0:
            first = self.page(playlist_id, offset=0, limit=1)
            return None, first[0].rank if first else None
        pair = self.page(playlist_id, offset=position - 1, limit=2)
        return (pair[0].rank if pair else None), (pair[1].rank if len(pair) > 1 else None)

    def apply(self, playlist_id: str, change: Change) -> None:
        if change.removed:
            ids = [item.id for item in change.removed]
            for start in range(0, len(ids), 500):
                self.session.execute(
                    delete(PlaylistItem).where(
                        PlaylistItem.playlist_id == playlist_id, PlaylistItem.id.in_(ids[start : start + 500])
                    )
                )
        if change.added:
            self.session.execute(
                insert(PlaylistItem),
                [
                    {
                        "playlist_id": playlist_id,
                        "id": item.id,
                        "rank": item.rank,
                        "track_id": item.track_id,
                        "added_by": item.added_by,
                        "added_at": item.added_at,
                    }
                    for item in change.added
                ],
            )
        for move in change.moved:
            self.session.execute(
                update(PlaylistItem)
                .where(PlaylistItem.playlist_id == playlist_id, PlaylistItem.id == move.id)
                .values(rank=move.to_rank)
            )

    # ---- history ----

    def add_edit(self, edit: PlaylistEdit) -> None:
        self.session.add(edit)

    def edit_by_snapshot(self, playlist_id: str, snapshot_id: str) -> PlaylistEdit | None:
        query = select(PlaylistEdit).where(
            PlaylistEdit.playlist_id == playlist_id, PlaylistEdit.snapshot_id == snapshot_id
        )
        return self.session.scalar(query)

    def edits_after(self, playlist_id: str, version: int) -> list[PlaylistEdit]:
        """Edits newer than `version`, newest first (the order to undo them in)."""
        query = (
            select(PlaylistEdit)
            .where(PlaylistEdit.playlist_id == playlist_id, PlaylistEdit.version > version)
            .order_by(PlaylistEdit.version.desc())
        )
        return list(self.session.scalars(query))

    def edits_page(self, playlist_id: str, *, limit: int, offset: int) -> list[PlaylistEdit]:
        query = (
            select(PlaylistEdit)
            .where(PlaylistEdit.playlist_id == playlist_id)
            .order_by(PlaylistEdit.version.desc())
            .limit(limit)
            .offset(offset)
        )
        return list(self.session.scalars(query))

    def history_size(self, playlist_id: str) -> tuple[int, int]:
        """Rows and bytes of change data the playlist's history holds."""
        query = select(func.count(), func.coalesce(func.sum(func.length(PlaylistEdit.change)), 0)).where(
            PlaylistEdit.playlist_id == playlist_id
        )
        rows, size = self.session.execute(query).one()
        return int(rows), int(size)

    # ---- followers ----

    def follower(self, playlist_id: str, user_id: str) -> PlaylistFollower | None:
        return self.session.get(PlaylistFollower, (playlist_id, user_id))

    def followers_among(self, playlist_id: str, user_ids: Sequence[str]) -> set[str]:
        query = select(PlaylistFollower.user_id).where(
            PlaylistFollower.playlist_id == playlist_id, PlaylistFollower.user_id.in_(user_ids)
        )
        return set(self.session.scalars(query))

    def follower_count(self, playlist_id: str) -> int:
        query = select(func.count()).where(PlaylistFollower.playlist_id == playlist_id)
        return self.session.scalar(query) or 0

    def unfollow(self, playlist_id: str, user_id: str) -> None:
        self.session.execute(
            delete(PlaylistFollower).where(
                PlaylistFollower.playlist_id == playlist_id, PlaylistFollower.user_id == user_id
            )
        )

    def follows_of(self, user_id: str) -> list[PlaylistFollower]:
        return list(self.session.scalars(select(PlaylistFollower).where(PlaylistFollower.user_id == user_id)))

    def erase_follows(self, user_id: str) -> int:
        result = self.session.execute(delete(PlaylistFollower).where(PlaylistFollower.user_id == user_id))
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    def forget_author(self, user_id: str) -> None:
        """Others' playlists keep the items and edits an erased user made, without their name."""
        self.session.execute(
            update(PlaylistItem).where(PlaylistItem.added_by == user_id).values(added_by=None)
        )
        self.session.execute(update(PlaylistEdit).where(PlaylistEdit.user_id == user_id).values(user_id=None))
        # The changes name who added each item too; an id is 22 random characters, so its quoted
        # form appears in the JSON only as that id.
        self.session.execute(
            update(PlaylistEdit)
            .where(PlaylistEdit.change.contains(f'"{user_id}"'))
            .values(change=func.replace(PlaylistEdit.change, f'"{user_id}"', "null"))
        )
