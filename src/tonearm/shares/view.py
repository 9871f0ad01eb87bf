"""What a share link shows a signed-out visitor: the thing it names (cover, names, its first
tracks) shaped for a free listener in the market the link was made in, with a preview URL for
each track that may be played there."""

from __future__ import annotations

from sqlalchemy.orm import Session

from tonearm.accounts import account
from tonearm.catalog import TrackFull, TrackSimple, catalog
from tonearm.kit.caller import FREE
from tonearm.kit.ids import uri
from tonearm.kit.rights import Audience
from tonearm.kit.time import iso_ms
from tonearm.playlists import playlist_covers, playlists
from tonearm.shares.models import ShareLink
from tonearm.shares.schemas import SharedItem, SharedTrack

__all__ = ["SHOWN_TRACKS", "shared_item"]

# The page lists this many; a visitor who wants the rest signs in.
SHOWN_TRACKS = 50
_VISITOR = Audience(product=FREE)


def shared_item(session: Session, link: ShareLink, base: str) -> SharedItem:
    if link.kind == "playlist":
        return _playlist(session, link, base)
    if link.kind == "album":
        return _album(session, link, base)
    return _track(session, link, base)


def _preview(link: ShareLink, base: str, track: TrackSimple) -> str | None:
    # With no market to judge by, a track plays if it plays somewhere now.
    playable = track.is_playable if track.is_playable is not None else bool(track.available_markets)
    return f"{base}/v1/shares/{link.id}/previews/{track.id}.ogg" if playable else None


def _tracks(link: ShareLink, base: str, tracks: list[TrackFull] | list[TrackSimple]) -> list[SharedTrack]:
    return [
        SharedTrack(
            id=track.id,
            name=track.name,
            artists=[artist.name for artist in track.artists],
            duration_ms=track.duration_ms,
            preview_url=_preview(link, base, track),
        )
        for track in tracks
    ]


def _playlist(session: Session, link: ShareLink, base: str) -> SharedItem:
    # Seen as its maker sees it: a link stops showing a playlist its maker may no longer see.
    playlist = playlists.get(session, link.item_id, link.user_id)
    items, total = playlists.items(session, playlist.id, link.user_id, offset=0, limit=SHOWN_TRACKS)
    tracks = catalog.get_tracks(
        session, [item.track_id for item in items], base=base, market=link.market, audience=_VISITOR
    )
    owner_id = playlist.owner_id
    owner = account.display_names(session, [owner_id]).get(owner_id, "someone") if owner_id else "nobody"
    return SharedItem(
        id=playlist.id,
        type="playlist",
        uri=uri("playlist", playlist.id),
        name=playlist.name,
        byline=f"A playlist by {owner}",
        description=playlist.description,
        images=playlist_covers.images(session, base, [playlist])[playlist.id],
        tracks=_tracks(link, base, [t for t in tracks if t is not None]),
        total_tracks=total,
        expires_at=iso_ms(link.expires_at) if link.expires_at else None,
    )


def _album(session: Session, link: ShareLink, base: str) -> SharedItem:
    album = catalog.get_album(session, link.item_id, base=base, market=link.market, audience=_VISITOR)
    return SharedItem(
        id=album.id,
        type="album",
        uri=album.uri,
        name=album.name,
        byline=", ".join(artist.name for artist in album.artists),
        description=f"{album.album_type.capitalize()} · {album.release_date[:4]}",
        images=album.images,
        tracks=_tracks(link, base, album.tracks.items[:SHOWN_TRACKS]),
        total_tracks=album.total_tracks,
        expires_at=iso_ms(link.expires_at) if link.expires_at else None,
    )


def _track(session: Session, link: ShareLink, base: str) -> SharedItem:
    track = catalog.get_track(session, link.item_id, base=base, market=link.market, audience=_VISITOR)
    return SharedItem(
        id=track.id,
        type="track",
        uri=track.uri,
        name=track.name,
        byline=", ".join(artist.name for artist in track.artists),
        description=f"From {track.album.name}",
        images=track.album.images,
        tracks=_tracks(link, base, [track]),
        total_tracks=1,
        expires_at=iso_ms(link.expires_at) if link.expires_at else None,
    )
