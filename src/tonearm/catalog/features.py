"""Audio features: the catalog keeps what the analyser found in each track, hands it out as
`tonearm.audio.AudioFeatures`, and says which tracks the analyser has still to hear."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, fields

from sqlalchemy.orm import Session

from tonearm.audio import ANALYSER, AudioFeatures
from tonearm.catalog import schemas
from tonearm.catalog.media import AnalysisSource
from tonearm.catalog.models import AudioFeaturesRow
from tonearm.catalog.repository import CatalogRepository
from tonearm.errors import NotFound
from tonearm.kit.ids import uri

__all__ = ["CatalogFeatures", "features_row"]

_FIELDS = tuple(field.name for field in fields(AudioFeatures))


def features_row(track_id: str, features: AudioFeatures) -> AudioFeaturesRow:
    return AudioFeaturesRow(track_id=track_id, **asdict(features))


def _value(row: AudioFeaturesRow) -> AudioFeatures:
    return AudioFeatures(**{name: getattr(row, name) for name in _FIELDS})


def _shape(track_id: str, features: AudioFeatures, base: str) -> schemas.AudioFeaturesObject:
    values = {name: value for name, value in asdict(features).items() if name != "analyser"}
    return schemas.AudioFeaturesObject(
        **values,
        id=track_id,
        uri=uri("track", track_id),
        track_href=f"{base}/v1/tracks/{track_id}",
        analysis_url=f"{base}/v1/audio-analysis/{track_id}",
    )


class CatalogFeatures:
    def audio_features(self, session: Session, track_ids: Sequence[str]) -> dict[str, AudioFeatures]:
        """The features of those of `track_ids` that have been analysed, by track id."""
        rows = CatalogRepository(session).audio_features(track_ids)
        return {track_id: _value(row) for track_id, row in rows.items()}

    def store_audio_features(self, session: Session, track_id: str, features: AudioFeatures) -> None:
        """Keep `features` as the track's, replacing any earlier analysis."""
        CatalogRepository(session).put_audio_features(features_row(track_id, features))

    def unanalysed_tracks(
        self, session: Session, *, after: str | None = None, limit: int = 100, analyser: str = ANALYSER
    ) -> list[AnalysisSource]:
        """The next tracks (by id, after `after`) with no features from `analyser`, each with
        the kept file to analyse; a track with no kept file is left out."""
        repo = CatalogRepository(session)
        sources = []
        for track_id in repo.unanalysed_tracks(analyser, after=after, limit=limit):
            found = repo.analysis_source(track_id)
            if found is not None:
                sources.append(AnalysisSource(track_id, *found))
        return sources

    def count_unanalysed(self, session: Session, *, analyser: str = ANALYSER) -> int:
        return CatalogRepository(session).count_unanalysed(analyser)

    def get_audio_features(
        self, session: Session, track_id: str, *, base: str
    ) -> schemas.AudioFeaturesObject:
        """Spotify's audio-features object; NotFound for an unknown track or one not analysed."""
        found = self.audio_features(session, [track_id]).get(track_id)
        if found is not None:
            return _shape(track_id, found, base)
        if not CatalogRepository(session).existing_tracks([track_id]):
            raise NotFound(f"track '{track_id}' not found")
        raise NotFound(f"track '{track_id}' has no audio features yet: it has not been analysed")

    def get_several_audio_features(
        self, session: Session, track_ids: Sequence[str], *, base: str
    ) -> list[schemas.AudioFeaturesObject | None]:
        """In the order asked; None for an unknown track or one not analysed yet."""
        found = self.audio_features(session, track_ids)
        return [_shape(t, found[t], base) if t in found else None for t in track_ids]
