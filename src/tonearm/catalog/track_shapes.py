"""Full tracks for pages of many (a playlist's 100, a library page): what never depends on who
asks or when (names, album, artists, links) is shaped once and kept a short while; what does
(markets, playability) is worked out on every request from fresh rights rows, so a takedown or
a new right shows at once.

A kept shape lives `TTL_SECONDS` at most: a track's popularity and its album's track count can
change under it (a tally, another track published on the album), and another server process
cannot tell this one. A publish in this process forgets every shape at once.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from tonearm.catalog import schemas
from tonearm.catalog.repository import CatalogRepository
from tonearm.catalog.shapes import Shapes
from tonearm.kit.lru import LruMap
from tonearm.kit.rights import RightWindow

__all__ = ["TTL_SECONDS", "forget_shapes", "full_tracks"]

TTL_SECONDS = 30.0
# About 3 kB a shape: 50,000 tracks hold 150 MB at most, the rows of many busy playlists.
_kept: LruMap[tuple[str, str], tuple[float, schemas.TrackFull]] = LruMap(50_000)


def forget_shapes() -> None:
    _kept.clear()


def full_tracks(
    repo: CatalogRepository, track_ids: Sequence[str], shapes: Shapes
) -> dict[str, schemas.TrackFull]:
    """The known ones of these tracks, shaped for `shapes`' market and audience."""
    now = time.monotonic()
    found: dict[str, schemas.TrackFull] = {}
    missing = []
    for track_id in dict.fromkeys(track_ids):
        kept = _kept.get((shapes.base, track_id))
        if kept is not None and now - kept[0] < TTL_SECONDS:
            found[track_id] = kept[1]
        else:
            missing.append(track_id)
    if missing:
        timeless = Shapes(shapes.base, None)
        tracks = list(repo.get_tracks(missing).values())
        totals = repo.count_album_tracks(list({track.album_id for track in tracks}))
        for track in tracks:
            # Shaped with no rights: markets and playability are filled in below, every time.
            shaped = timeless.track_full(track, [], totals.get(track.album_id, 0))
            _kept.put((shapes.base, track.id), (now, shaped))
            found[track.id] = shaped
    rights = repo.rights_rows(list(found))
    return {track_id: _for_request(shape, rights[track_id], shapes) for track_id, shape in found.items()}


def _for_request(
    shape: schemas.TrackFull, rights: Sequence[RightWindow], shapes: Shapes
) -> schemas.TrackFull:
    markets = shapes.markets(rights)
    playability = shapes.playability_of(shape.explicit, rights)
    album = shape.album.model_copy(update={"available_markets": markets})
    return shape.model_copy(update={"album": album, "available_markets": markets, **playability})
