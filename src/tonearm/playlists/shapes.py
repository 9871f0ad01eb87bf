"""Playlists, their items and their history as the Web API returns them."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from tonearm.accounts import account
from tonearm.catalog import catalog
from tonearm.kit.ids import uri
from tonearm.kit.pagination import paging
from tonearm.kit.rights import Audience
from tonearm.kit.time import from_unix_ms, iso_ms
from tonearm.playlists import schemas
from tonearm.playlists.changes import Change, Item
from tonearm.playlists.covers import covers
from tonearm.playlists.models import Playlist, PlaylistEdit

__all__ = ["NOBODY", "NOBODY_NAME", "PlaylistShapes"]

# The owner shown for a playlist left to nobody when its owner was erased: the platform.
NOBODY = "tonearm"
NOBODY_NAME = "Tonearm"


class PlaylistShapes:
    def __init__(self, session: Session, base: str, market: str | None, audience: Audience) -> None:
        self.session, self.base, self.market, self.audience = session, base, market, audience
        # A page of items names the same few people again and again: each is shaped once.
        self._users: dict[str | None, schemas.UserRef] = {}

    def user(self, user_id: str | None, names: dict[str, str]) -> schemas.UserRef:
        shaped = self._users.get(user_id)
        if shaped is None:
            shaped = self._users[user_id] = self._user(user_id, names)
        return shaped

    def _user(self, user_id: str | None, names: dict[str, str]) -> schemas.UserRef:
        if user_id is None:
            user_id, names = NOBODY, {NOBODY: NOBODY_NAME}
        return schemas.UserRef(
            display_name=names.get(user_id),
            external_urls=schemas.ExternalUrls(spotify=f"{self.base}/#/user/{user_id}"),
            href=f"{self.base}/v1/users/{user_id}",
            id=user_id,
            uri=uri("user", user_id),
        )

    def _base_fields(
        self, playlist: Playlist, names: dict[str, str], images: list[schemas.Image]
    ) -> dict[str, object]:
        return {
            "collaborative": playlist.collaborative,
            "description": playlist.description,
            "external_urls": schemas.ExternalUrls(spotify=f"{self.base}/#/playlist/{playlist.id}"),
            "href": f"{self.base}/v1/playlists/{playlist.id}",
            "id": playlist.id,
            "images": images,
            "name": playlist.name,
            "owner": self.user(playlist.owner_id, names),
            "public": playlist.public,
            "snapshot_id": playlist.snapshot_id,
            "uri": uri("playlist", playlist.id),
        }

    def simple(self, playlists: Sequence[Playlist]) -> list[schemas.PlaylistSimple]:
        names = account.display_names(self.session, [p.owner_id for p in playlists if p.owner_id])
        images = covers.images(self.session, self.base, playlists)
        return [
            schemas.PlaylistSimple(
                **self._base_fields(playlist, names, images[playlist.id]),  # type: ignore[arg-type]
                tracks=schemas.TracksRef(
                    href=f"{self.base}/v1/playlists/{playlist.id}/tracks", total=playlist.item_count
                ),
            )
            for playlist in playlists
        ]

    def full(self, playlist: Playlist, items: list[Item], followers: int, *, limit: int) -> schemas.Playlist:
        names = account.display_names(self.session, [playlist.owner_id] if playlist.owner_id else [])
        images = covers.images(self.session, self.base, [playlist])[playlist.id]
        return schemas.Playlist(
            **self._base_fields(playlist, names, images),  # type: ignore[arg-type]
            followers=schemas.Followers(total=followers),
            tracks=self.items_page(playlist, items, offset=0, limit=limit, path="tracks"),
        )

    def items_page(
        self, playlist: Playlist, items: list[Item], *, offset: int, limit: int, path: str
    ) -> schemas.PlaylistTracksPage:
        tracks = catalog.get_tracks(
            self.session,
            [item.track_id for item in items],
            base=self.base,
            market=self.market,
            audience=self.audience,
        )
        names = account.display_names(self.session, [item.added_by for item in items if item.added_by])
        shaped = [
            schemas.PlaylistTrack(
                added_at=iso_ms(from_unix_ms(item.added_at)),
                added_by=self.user(item.added_by, names) if item.added_by else None,
                track=track,
            )
            for item, track in zip(items, tracks, strict=True)
        ]
        page = paging(
            f"{self.base}/v1/playlists/{playlist.id}/{path}",
            shaped,
            limit=limit,
            offset=offset,
            total=playlist.item_count,
            params={"market": self.market} if self.market else None,
        )
        return schemas.PlaylistTracksPage(**page)

    def snapshots(self, edits: Sequence[PlaylistEdit]) -> list[schemas.Snapshot]:
        names = account.display_names(self.session, [e.user_id for e in edits if e.user_id])
        shaped = []
        for edit in edits:
            change = Change.decode(edit.change)
            shaped.append(
                schemas.Snapshot(
                    snapshot_id=edit.snapshot_id,
                    version=edit.version,
                    kind=edit.kind,  # type: ignore[arg-type]
                    at=iso_ms(edit.at),
                    user=self.user(edit.user_id, names) if edit.user_id else None,
                    added=len(change.added),
                    removed=len(change.removed),
                    moved=len(change.moved),
                    details={name: [before, after] for name, before, after in change.details},
                )
            )
        return shaped

    def diff(
        self, from_id: str, to_id: str, old: list[Item], new: list[Item], change: Change
    ) -> schemas.Diff:
        old_at = {item.id: number for number, item in enumerate(old)}
        new_at = {item.id: number for number, item in enumerate(new)}
        by_id = {item.id: item for item in (*old, *new)}

        def entry(item_id: str) -> schemas.DiffEntry:
            item = by_id[item_id]
            return schemas.DiffEntry(
                uri=uri("track", item.track_id),
                track_id=item.track_id,
                from_position=old_at.get(item_id),
                to_position=new_at.get(item_id),
                added_by=item.added_by,
            )

        moved = [m.id for m in change.moved]
        return schemas.Diff(
            from_snapshot_id=from_id,
            to_snapshot_id=to_id,
            added=[entry(item.id) for item in sorted(change.added, key=lambda i: new_at[i.id])],
            removed=[entry(item.id) for item in sorted(change.removed, key=lambda i: old_at[i.id])],
            moved=[entry(item_id) for item_id in sorted(moved, key=lambda i: new_at[i])],
        )
