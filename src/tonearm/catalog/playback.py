"""What delivery needs to play a track: its renditions, package and loudness, and whether this
listener may play it in this market now."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from tonearm.catalog.media import HlsRef, RenditionRef, TrackMedia
from tonearm.catalog.models import AudioFile, HlsPackageRow
from tonearm.catalog.repository import CatalogRepository, PlaybackRow
from tonearm.errors import NotFound, NotPlayable
from tonearm.kit.lru import LruMap
from tonearm.kit.rights import EVERYONE, Audience, restriction
from tonearm.kit.time import utcnow

__all__ = ["CatalogPlayback"]


class CatalogPlayback:
    def __init__(self) -> None:
        # A published track's renditions, package and loudness never change (their blobs are
        # content-addressed), so manifests need not read them again; ids are never reused.
        self._published_media: LruMap[str, TrackMedia] = LruMap(capacity=50_000)

    def media(
        self, session: Session, track_id: str, *, market: str | None, audience: Audience = EVERYONE
    ) -> TrackMedia:
        """What delivery needs to play a track; NotFound or NotPlayable otherwise."""
        repo = CatalogRepository(session)
        media = self._published_media.get(track_id) or self._load_media(repo, track_id)
        # Rights are read every time: a takedown must stop the next manifest, not a later one.
        reason = restriction(repo.rights_of(track_id), market, utcnow(), audience) if market else None
        if reason == "market":
            raise NotPlayable(f"track '{track_id}' is not available in market {market}", "market")
        if reason == "product":
            raise NotPlayable(
                f"track '{track_id}' is for premium listeners only in {market}, for now", "product"
            )
        if media.explicit and not audience.explicit_content:
            raise NotPlayable(f"track '{track_id}' is explicit, and explicit content is off", "explicit")
        return media

    def restrictions(
        self, session: Session, track_ids: Sequence[str], *, market: str | None, audience: Audience = EVERYONE
    ) -> dict[str, str | None]:
        """Why each known track may not be played by this audience in the market now (market,
        product or explicit; None when it may), without shaping the tracks; unknown ids are left
        out. What a playlist checks the tracks added to it against."""
        repo = CatalogRepository(session)
        explicit = repo.explicit_flags(track_ids)
        rights = repo.rights_rows(list(explicit)) if market else {}
        now = utcnow()
        found: dict[str, str | None] = {}
        for track_id, is_explicit in explicit.items():
            reason: str | None = restriction(rights[track_id], market, now, audience) if market else None
            if reason is None and is_explicit and not audience.explicit_content:
                reason = "explicit"
            found[track_id] = reason
        return found

    def _load_media(self, repo: CatalogRepository, track_id: str) -> TrackMedia:
        track = repo.track_playback(track_id)
        if track is None:
            raise NotFound(f"track '{track_id}' not found")
        media = _track_media(track, repo.audio_files(track_id), repo.hls_package(track_id))
        self._published_media.put(track_id, media)
        return media


def _rendition(row: AudioFile) -> RenditionRef:
    fields = {name: getattr(row, name) for name in RenditionRef.__dataclass_fields__}
    return RenditionRef(**fields)


def _track_media(track: PlaybackRow, files: list[AudioFile], hls: HlsPackageRow | None) -> TrackMedia:
    hls_ref = None
    if hls is not None:
        hls_ref = HlsRef(prefix=hls.prefix, variants=tuple(hls.variants), files=tuple(hls.files))
    track_id, duration_ms, explicit, integrated_lufs, true_peak_dbtp = track
    return TrackMedia(
        track_id=track_id,
        duration_ms=duration_ms,
        explicit=explicit,
        integrated_lufs=integrated_lufs,
        true_peak_dbtp=true_peak_dbtp,
        renditions=tuple(_rendition(row) for row in files),
        hls=hls_ref,
    )
