"""The one way every product picks tracks: the newest model's candidates for the listener (or
items like the seeds), only what they may play, reranked for the moment with at most two tracks
of one artist in thirty. Before any model is trained, what is popular stands in, said as such."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import numpy as np
from sqlalchemy.orm import Session

from tonearm.listening import listening
from tonearm.recs import engine
from tonearm.recs.repository import RecsRepository
from tonearm.recs.sources import Catalogue, Listener, playable

__all__ = ["Moment", "Picker", "freshness"]

# Ask the model for this many times the tracks wanted: some are filtered out by rights.
OVERFETCH = 4
MIN_CANDIDATES = 100
HOURS_WINDOW = timedelta(days=90)
SKIPS_WINDOW = timedelta(days=1)
FRESH_DAYS = 365
PICKS_PER_ONBOARDING_ARTIST = 5


@dataclass(frozen=True)
class Moment:
    """When (and on what) the listener is: the hour in their time zone and the device type."""

    at: datetime
    utc_offset_minutes: int = 0
    device: str | None = None

    @property
    def local(self) -> datetime:
        return self.at + timedelta(minutes=self.utc_offset_minutes)


def freshness(found: Catalogue, track_ids: Sequence[str], today: date) -> dict[str, float]:
    """1 for a track released today, falling to 0 over a year."""
    fresh = {}
    for track_id in track_ids:
        released = found.released(track_id)
        if released is not None and released <= today:
            fresh[track_id] = max(0.0, 1 - (today - released).days / FRESH_DAYS)
    return fresh


@dataclass(frozen=True)
class Picker:
    """What picking for one listener at one moment needs."""

    session: Session
    who: Listener
    found: Catalogue
    model: engine.Model | None
    moment: Moment

    def for_listener(
        self, n: int, *, exclude: Collection[str] = (), max_per_artist: int = 2, timely: bool = False
    ) -> list[engine.Pick]:
        """The listener's picks: their taste (or their onboarding picks, or what is popular)."""
        if self.model is None:
            return self.popular(n, exclude=exclude, max_per_artist=max_per_artist)
        streamed = [row.track_id for row in self.who.played if row.streams]
        seeds = () if streamed else self.onboarding_tracks()
        if not streamed and not seeds:  # cold start: what their market plays
            return self.popular(n, exclude=exclude, max_per_artist=max_per_artist)
        wanted = max(n * OVERFETCH, MIN_CANDIDATES)
        raw = self.model.recommend(self.who.user_id, wanted, seed_items=seeds, exclude=exclude)
        return self.finish(raw, n, max_per_artist, timely)

    def like(
        self, seeds: Sequence[str], n: int, *, exclude: Collection[str] = (), max_per_artist: int = 2
    ) -> list[engine.Pick]:
        """Tracks like the seeds (radio, seeded recommendations): never the seeds themselves."""
        if self.model is None:
            return self._by_artists_and_genres(seeds, n, {*exclude, *seeds}, max_per_artist)
        wanted = max(n * OVERFETCH, MIN_CANDIDATES)
        raw = self.model.similar(seeds, wanted, exclude=exclude)
        if not raw:  # seeds the model has not seen (new since it was trained)
            return self._by_artists_and_genres(seeds, n, {*exclude, *seeds}, max_per_artist)
        return self.finish(raw, n, max_per_artist, timely=False)

    def popular(self, n: int, *, exclude: Collection[str] = (), max_per_artist: int = 2) -> list[engine.Pick]:
        """What is streamed most in the listener's market these four weeks, then the catalogue's
        most popular (its popularity is everyone's, everywhere)."""
        skip = set(exclude)
        here = [
            (t, float(s))
            for t, s in listening.popular_in(self.session, self.who.market)
            if t in self.found.tracks
        ]
        ranked = [(t, 100.0 + streams) for t, streams in here if t not in skip]
        seen = {t for t, _ in ranked} | skip
        ranked += [
            (record.id, float(record.popularity))
            for record in sorted(
                self.found.tracks.values(), key=lambda record: (-record.popularity, record.id)
            )
            if record.id not in seen
        ]
        in_market = engine.Reason("popular", detail=(self.who.market,) if self.who.market else ())
        anywhere = engine.Reason("popular")
        picks = [
            engine.Pick(track_id, score + 1.0, (in_market if score >= 100.0 else anywhere,))
            for track_id, score in ranked[: max(n * OVERFETCH, MIN_CANDIDATES)]
        ]
        return self.finish(picks, n, max_per_artist, timely=False)

    def onboarding_tracks(self) -> list[str]:
        artists = RecsRepository(self.session).onboarding(self.who.user_id)
        tracks = []
        for artist_id in artists:
            theirs = sorted(
                self.found.tracks_of_artists([artist_id]),
                key=lambda track_id: -self.found.tracks[track_id].popularity,
            )
            tracks.extend(theirs[:PICKS_PER_ONBOARDING_ARTIST])
        return tracks

    def _by_artists_and_genres(
        self, seeds: Sequence[str], n: int, exclude: Collection[str], max_per_artist: int
    ) -> list[engine.Pick]:
        """Without a model: the seeds' artists' other tracks, then tracks sharing their genres."""
        artists = {self.found.artist_of(seed) for seed in seeds if seed in self.found.tracks}
        genres = {genre for artist in artists for genre in self.found.genres.get(artist, ())}
        skip = set(exclude)
        picks = []
        for record in self.found.tracks.values():
            if record.id in skip:
                continue
            artist = self.found.artist_of(record.id)
            shared = sorted(genres & set(self.found.genres.get(artist, ())))
            if artist in artists or shared:
                score = (2.0 if artist in artists else 1.0) + record.popularity / 100
                reason = (
                    engine.Reason("tag", detail=tuple(shared[:2])) if shared else engine.Reason("popular")
                )
                picks.append(engine.Pick(record.id, score, (reason,)))
        picks.sort(key=lambda pick: -pick.score)
        return self.finish(picks, n, max_per_artist, timely=False)

    def finish(
        self, raw: Sequence[engine.Pick], n: int, max_per_artist: int, timely: bool
    ) -> list[engine.Pick]:
        allowed = playable(self.session, self.who, [pick.item for pick in raw])
        kept = [pick for pick in raw if pick.item in allowed and pick.item in self.found.tracks]
        ids = [pick.item for pick in kept]
        return engine.rerank(
            kept,
            n=n,
            group_of={track_id: self.found.artist_of(track_id) for track_id in ids},
            max_per_group=max_per_artist,
            context=self._context(ids) if timely else self._skips_only(),
            freshness=freshness(self.found, ids, self.moment.local.date()),
        )

    def playable(self, track_ids: Sequence[str]) -> set[str]:
        return playable(self.session, self.who, track_ids)

    def _skips_only(self) -> engine.Context:
        since = self.moment.at - SKIPS_WINDOW
        skipped = [
            row.track_id
            for row in self.who.played
            if row.skips and not row.streams and row.last_played >= since
        ]
        return engine.Context(
            skipped_items=frozenset(skipped),
            skipped_groups=frozenset(self.found.artist_of(track_id) for track_id in skipped),
        )

    def _context(self, track_ids: Sequence[str]) -> engine.Context:
        """The hour and device, and each candidate's plays by hour, so what people play at this
        time of day rises; and the artists skipped just now, which sink."""
        hours = listening.hours_played(
            self.session,
            track_ids,
            since=self.moment.at - HOURS_WINDOW,
            utc_offset_minutes=self.moment.utc_offset_minutes,
        )
        skips = self._skips_only()
        return engine.Context(
            hour=self.moment.local.hour,
            device=self.moment.device,
            skipped_items=skips.skipped_items,
            skipped_groups=skips.skipped_groups,
            item_hours={track_id: np.asarray(counts, np.float64) for track_id, counts in hours.items()},
        )
