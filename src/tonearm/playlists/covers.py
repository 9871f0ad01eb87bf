"""A playlist's cover: the JPEG its owner uploaded, or else a 2×2 mosaic of the covers of its
first four albums (one album's cover when it has fewer, none when it is empty), as Spotify shows.

Cover URLs name their content (an upload's hash, the mosaic's albums), so they are cached for
good and a changed playlist simply names a new URL. <img> tags send no token, so the image
route is open; its URLs cannot be guessed without the playlist's id and its content key, and a
URL whose key is no longer current answers 404.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from tonearm.catalog import catalog
from tonearm.errors import BadRequest, Forbidden, NotFound, PayloadTooLarge
from tonearm.kit.images import COVER_SIZES, check_jpeg, content_key, mosaic
from tonearm.kit.lru import LruMap
from tonearm.kit.time import utcnow
from tonearm.playlists import schemas
from tonearm.playlists.models import Playlist, PlaylistCover
from tonearm.playlists.repository import PlaylistRepository

__all__ = ["MAX_COVER_BYTES", "MAX_COVER_PAYLOAD", "Cover", "PlaylistCovers", "covers"]

# Spotify's limit: a JPEG of at most 256 KB, sent as base64 (a third larger).
MAX_COVER_BYTES = 256 * 1024
# What a body may hold around that: base64 wrapped in lines, or a data: URL's prefix.
MAX_COVER_PAYLOAD = (MAX_COVER_BYTES + 2) // 3 * 4 * 80 // 76 + 1024
# A mosaic is made of the first albums among the first tracks: enough to find four in most
# playlists, few enough to read for a whole page of playlists at once.
_LOOK_AT = 40
_MOSAIC_SIZES = (640, 300, 60)
_mosaics: LruMap[tuple[str, int], bytes] = LruMap(500)


@dataclass(frozen=True)
class Cover:
    jpeg: bytes
    # True when the URL it was asked by names its content (it can be cached for good).
    immutable: bool


def decode_cover(payload: bytes) -> bytes:
    """The JPEG in a base64 upload body, or a 4xx saying what is wrong with it."""
    if len(payload) > MAX_COVER_PAYLOAD:
        raise PayloadTooLarge(f"a cover may be at most {MAX_COVER_BYTES // 1024} KB of JPEG")
    text = b"".join(payload.split())
    if text.startswith(b"data:"):
        text = text.partition(b",")[2]  # a data: URL, as a browser's FileReader gives it
    try:
        jpeg = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise BadRequest("the body must be the cover as base64-encoded JPEG data") from None
    if not jpeg:
        raise BadRequest("the body is empty: send the cover as base64-encoded JPEG data")
    if len(jpeg) > MAX_COVER_BYTES:
        raise PayloadTooLarge(
            f"a cover may be at most {MAX_COVER_BYTES // 1024} KB, got {len(jpeg) // 1024} KB"
        )
    check_jpeg(jpeg)
    return jpeg


class PlaylistCovers:
    def check_owner(self, playlist: Playlist, user_id: str) -> None:
        if playlist.owner_id != user_id:
            raise Forbidden("only the playlist's owner may change its cover")

    def upload(self, session: Session, playlist: Playlist, user_id: str, jpeg: bytes) -> None:
        """The owner's own cover for the playlist (a checked JPEG, see decode_cover)."""
        self.check_owner(playlist, user_id)
        key = content_key([playlist.id, hashlib.sha256(jpeg).hexdigest()])
        PlaylistRepository(session).set_cover(
            PlaylistCover(
                playlist_id=playlist.id, key=key, jpeg=jpeg, uploaded_by=user_id, uploaded_at=utcnow()
            )
        )
        playlist.cover_key = key

    def images(
        self, session: Session, base: str, shown: Sequence[Playlist]
    ) -> dict[str, list[schemas.Image]]:
        """The images of each playlist as Spotify lists them, for a page of playlists at once."""
        mosaic_needed = [p.id for p in shown if p.cover_key is None and p.item_count]
        albums = self._first_albums(session, mosaic_needed)
        found: dict[str, list[schemas.Image]] = {}
        for playlist in shown:
            root = f"{base}/images/playlists/{playlist.id}"
            if playlist.cover_key is not None:
                found[playlist.id] = [
                    schemas.Image(url=f"{root}/{playlist.cover_key}.jpg", height=None, width=None)
                ]
                continue
            first = albums.get(playlist.id, [])
            if len(first) >= 4:
                key = content_key(first[:4])
                found[playlist.id] = [
                    schemas.Image(url=f"{root}/mosaic-{key}-{size}.jpg", height=size, width=size)
                    for size in _MOSAIC_SIZES
                ]
            elif first:
                found[playlist.id] = [
                    schemas.Image(url=f"{base}/images/albums/{first[0]}/{size}.jpg", height=size, width=size)
                    for size in COVER_SIZES
                ]
            else:
                found[playlist.id] = []
        return found

    def image(self, session: Session, playlist_id: str, name: str) -> Cover:
        """The JPEG a cover URL names, while it is still the playlist's cover."""
        repo = PlaylistRepository(session)
        playlist = repo.get(playlist_id)
        if playlist is None:
            raise NotFound("no such image")
        if name.startswith("mosaic-"):
            return self._mosaic(session, playlist, name)
        cover = repo.cover(playlist_id)
        if cover is None or cover.key != name or playlist.cover_key != name:
            raise NotFound("no such image")
        return Cover(cover.jpeg, immutable=True)

    def _mosaic(self, session: Session, playlist: Playlist, name: str) -> Cover:
        key, _, size_text = name.removeprefix("mosaic-").rpartition("-")
        if not size_text.isdigit() or int(size_text) not in _MOSAIC_SIZES:
            raise NotFound("no such image")
        size = int(size_text)
        first = self._first_albums(session, [playlist.id]).get(playlist.id, [])
        if playlist.cover_key is not None or len(first) < 4 or content_key(first[:4]) != key:
            raise NotFound("no such image")
        made = _mosaics.get((key, size))
        if made is None:
            # Each tile is drawn from the 640-pixel cover: the smaller ones are too coarse to halve.
            made = mosaic([catalog.album_cover(session, album, 640) for album in first[:4]], size)
            _mosaics.put((key, size), made)
        return Cover(made, immutable=True)

    def _first_albums(self, session: Session, playlist_ids: Sequence[str]) -> dict[str, list[str]]:
        if not playlist_ids:
            return {}
        tracks = PlaylistRepository(session).first_tracks(playlist_ids, _LOOK_AT)
        album_of = catalog.albums_of(session, [t for ids in tracks.values() for t in ids])
        return {
            playlist_id: list(dict.fromkeys(album_of[t] for t in ids if t in album_of))
            for playlist_id, ids in tracks.items()
        }


covers = PlaylistCovers()
