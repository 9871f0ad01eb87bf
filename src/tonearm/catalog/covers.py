"""Album covers: the image each album shows, in Spotify's three sizes. Masters carry no art
Tonearm keeps yet, so every album gets a cover drawn from its id and name (colours from its
id, its initial in the middle), made once per size and kept in memory."""

from __future__ import annotations

from sqlalchemy.orm import Session

from tonearm.catalog import schemas
from tonearm.catalog.repository import CatalogRepository
from tonearm.errors import NotFound
from tonearm.kit.images import COVER_SIZES, drawn_cover
from tonearm.kit.lru import LruMap

__all__ = ["CatalogCovers", "album_images"]

# 2,000 small JPEGs (7 kB at 640 px, less below): a few MB for the covers a busy page shows.
_drawn: LruMap[tuple[str, int], bytes] = LruMap(2000)


def album_images(base: str, album_id: str) -> list[schemas.Image]:
    return [
        schemas.Image(url=f"{base}/images/albums/{album_id}/{size}.jpg", height=size, width=size)
        for size in COVER_SIZES
    ]


class CatalogCovers:
    def album_cover(self, session: Session, album_id: str, size: int) -> bytes:
        """The album's cover as a JPEG `size` pixels square; NotFound for an unknown album or a
        size Tonearm does not make."""
        if size not in COVER_SIZES:
            raise NotFound(f"covers come in {', '.join(map(str, COVER_SIZES))} pixels, not {size}")
        cover = _drawn.get((album_id, size))
        if cover is None:
            album = CatalogRepository(session).get_album(album_id)
            if album is None:
                raise NotFound(f"no album {album_id}")
            cover = drawn_cover(album.id, album.name, size)
            _drawn.put((album_id, size), cover)
        return cover
