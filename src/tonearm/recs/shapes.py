"""Recommended items as the API shows them: Spotify's track objects with their reasons in words,
and Home's cards."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from tonearm.catalog import TrackFull, catalog
from tonearm.kit.ids import uri
from tonearm.kit.rights import Audience
from tonearm.recs import schemas
from tonearm.recs.reasons import describe
from tonearm.recs.sources import Catalogue

__all__ = ["Shaper"]


@dataclass(frozen=True)
class Shaper:
    session: Session
    found: Catalogue
    base: str
    market: str | None
    audience: Audience

    def tracks(
        self, chosen: Sequence[tuple[str, Sequence[Mapping[str, Any]]]]
    ) -> list[schemas.RecommendedTrack]:
        """Each (track, stored reasons) as a track object with its reasons; gone tracks left out."""
        full = self.full([track_id for track_id, _ in chosen])
        words = describe(self.session, [reasons for _, reasons in chosen], self.found)
        return [
            schemas.RecommendedTrack.model_validate({**full[track_id].model_dump(), "reasons": said})
            for (track_id, _), said in zip(chosen, words, strict=True)
            if track_id in full
        ]

    def full(self, track_ids: Sequence[str]) -> dict[str, TrackFull]:
        found = catalog.get_tracks(
            self.session, list(track_ids), base=self.base, market=self.market, audience=self.audience
        )
        return {track.id: track for track in found if track is not None}

    def track_cards(
        self, chosen: Sequence[tuple[str, Sequence[Mapping[str, Any]]]]
    ) -> list[schemas.HomeItem]:
        return [
            schemas.HomeItem(
                type="track",
                id=track.id,
                uri=track.uri,
                href=track.href,
                name=track.name,
                subtitle=", ".join(artist.name for artist in track.artists),
                images=track.album.images,
                reasons=track.reasons,
            )
            for track in self.tracks(chosen)
        ]

    def list_card(self, made: schemas.MadeForYouList) -> schemas.HomeItem | None:
        if made.playlist is None:
            return None
        return schemas.HomeItem(
            type="playlist",
            id=made.playlist.id,
            uri=made.playlist.uri,
            href=made.playlist.href,
            name=made.title,
            subtitle=made.description,
            images=made.tracks[0].album.images if made.tracks else [],
            reasons=[],
        )

    def album_cards(
        self, album_ids: Sequence[str], subtitle: Mapping[str, str] | None = None
    ) -> list[schemas.HomeItem]:
        albums = catalog.get_albums(self.session, list(album_ids), base=self.base, market=self.market)
        return [
            schemas.HomeItem(
                type="album",
                id=album.id,
                uri=album.uri,
                href=album.href,
                name=album.name,
                subtitle=(subtitle or {}).get(album.id) or ", ".join(a.name for a in album.artists),
                images=album.images,
            )
            for album in albums
            if album is not None
        ]

    def artist_cards(self, artist_ids: Sequence[str]) -> list[schemas.HomeItem]:
        artists = catalog.get_artists(self.session, list(artist_ids), base=self.base)
        return [
            schemas.HomeItem(
                type="artist",
                id=artist.id,
                uri=uri("artist", artist.id),
                href=artist.href,
                name=artist.name,
                subtitle=", ".join(artist.genres) or "Artist",
                images=artist.images,
            )
            for artist in artists
            if artist is not None
        ]
