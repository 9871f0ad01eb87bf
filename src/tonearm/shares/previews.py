"""30-second previews for share pages: the start of a track's free Vorbis rendition, cut by a
stream copy the first time it is asked for and kept in the blob store after that."""

from __future__ import annotations

import tempfile
from pathlib import Path

from sqlalchemy.orm import Session

from tonearm.audio import clip
from tonearm.backends.blobs import BlobStore
from tonearm.catalog import catalog
from tonearm.errors import NotFound
from tonearm.kit.caller import FREE
from tonearm.kit.rights import Audience
from tonearm.shares.models import ShareLink
from tonearm.shares.view import shared_item

__all__ = ["PREVIEW_SECONDS", "preview_key"]

PREVIEW_SECONDS = 30
# Ogg Vorbis plays in an <audio> tag in every browser Tonearm's player supports.
_RUNG = "vorbis_96"


def preview_key(session: Session, link: ShareLink, track_id: str, *, base: str, blobs: BlobStore) -> str:
    """The blob of the preview of a track the link shows, while it may be played where the link
    was made (cut now if it was never asked for)."""
    shown = {track.id for track in shared_item(session, link, base).tracks if track.preview_url}
    if track_id not in shown:
        raise NotFound("this link shares no playable track by that id")
    # Rights are checked again here, as for a manifest: a takedown stops the next preview.
    media = catalog.media(session, track_id, market=link.market, audience=Audience(product=FREE))
    source = next((r for r in media.renditions if r.rung == _RUNG), None)
    if source is None:
        raise NotFound(f"track '{track_id}' has no {_RUNG} rendition to preview")
    key = f"previews/{track_id}/{_RUNG}-{PREVIEW_SECONDS}s.ogg"
    if not blobs.exists(key):
        _make(blobs, source.storage_key, key)
    return key


def _make(blobs: BlobStore, source_key: str, key: str) -> None:
    with tempfile.TemporaryDirectory(prefix="tonearm-preview-") as scratch:
        local = blobs.local_path(source_key)
        if local is None:
            local = Path(scratch) / "source.ogg"
            local.write_bytes(blobs.read_range(source_key, 0, blobs.size(source_key)))
        made = Path(scratch) / "preview.ogg"
        clip(local, made, seconds=PREVIEW_SECONDS)
        blobs.put_file(key, made)
