"""Rolling popularity: each track's counted streams over the last 4 weeks, on Spotify's 0-100
scale, written to the catalog (whose catalog events bring it to search ranking), and each artist's
as their most popular track's.

The scale is logarithmic and relative to the most streamed track: 100 is the top track, and a
track with a tenth of its streams sits well above a tenth of its popularity, as listeners expect.
A track that stopped being played falls to 0 once its streams leave the window.
"""

from __future__ import annotations

import math
from datetime import timedelta

from sqlalchemy.orm import Session, sessionmaker

from tonearm.catalog import catalog as catalog_service
from tonearm.catalog import catalog_feed
from tonearm.kit.db import unit_of_work
from tonearm.kit.time import utcnow
from tonearm.kit.worker import PeriodicJob
from tonearm.listening.repository import ListeningRepository

__all__ = ["WINDOW_DAYS", "PopularityJob", "popularity_scores"]

WINDOW_DAYS = 28
INTERVAL_SECONDS = 60.0


def popularity_scores(streams: dict[str, int]) -> dict[str, int]:
    """0-100 for each track from its streams: log-scaled against the most streamed."""
    top = max(streams.values(), default=0)
    if top <= 0:
        return dict.fromkeys(streams, 0)
    return {key: round(100 * math.log1p(max(count, 0)) / math.log1p(top)) for key, count in streams.items()}


class PopularityJob(PeriodicJob):
    """Recomputes popularity every INTERVAL_SECONDS in one process at a time (a lease); only
    values that changed since its last pass are written."""

    def __init__(
        self, session_factory: sessionmaker[Session], interval_seconds: float = INTERVAL_SECONDS
    ) -> None:
        self.session_factory = session_factory
        self._written: dict[tuple[str, str], int] = {}
        super().__init__("listening-popularity", session_factory, self.recompute, interval_seconds)

    def recompute(self) -> int:
        """One pass; how many tracks and artists changed."""
        today = utcnow().date()
        with unit_of_work(self.session_factory) as session:
            repo = ListeningRepository(session)
            recent = dict(repo.streams_since(today - timedelta(days=WINDOW_DAYS)))
            # Tracks streamed in the window before, so those no longer played fall to 0.
            earlier = dict(repo.streams_since(today - timedelta(days=2 * WINDOW_DAYS)))
            tracks = popularity_scores({track_id: recent.get(track_id, 0) for track_id in earlier})
            artists: dict[str, int] = {}
            for track_id, facts in catalog_service.track_facts(session, list(tracks)).items():
                for artist_id in facts.artist_ids:
                    artists[artist_id] = max(artists.get(artist_id, 0), tracks[track_id])
            changed = 0
            for kind, scores in (("track", tracks), ("artist", artists)):
                for entity_id, score in scores.items():
                    if self._written.get((kind, entity_id)) != score:
                        catalog_feed.set_popularity(session, kind, entity_id, score)  # type: ignore[arg-type]
                        self._written[(kind, entity_id)] = score
                        changed += 1
        return changed
