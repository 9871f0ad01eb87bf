"""Spotify's seeded recommendations: up to five seed artists, tracks and genres, and tunable
audio features (`min_`, `max_`, `target_`); related artists; the genres there are to seed with."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from tonearm.errors import BadRequest, NotFound
from tonearm.recs import engine
from tonearm.recs.picking import Picker
from tonearm.recs.sources import Catalogue

__all__ = ["MAX_SEEDS", "TUNABLE", "Seeded", "Tuning", "genres", "recommend", "related_artists"]

MAX_SEEDS = 5
POOL = 500
# Spotify's tunable track attributes and the range each may take.
TUNABLE: dict[str, tuple[float, float]] = {
    "acousticness": (0, 1),
    "danceability": (0, 1),
    "energy": (0, 1),
    "instrumentalness": (0, 1),
    "liveness": (0, 1),
    "speechiness": (0, 1),
    "valence": (0, 1),
    "loudness": (-60, 10),
    "tempo": (0, 300),
    "key": (-1, 11),
    "mode": (0, 1),
    "time_signature": (0, 11),
    "duration_ms": (0, 24 * 3_600_000),
    "popularity": (0, 100),
}


@dataclass(frozen=True)
class Tuning:
    """min_, max_ and target_ values, each checked against its attribute's range."""

    minimum: Mapping[str, float] = field(default_factory=dict)
    maximum: Mapping[str, float] = field(default_factory=dict)
    target: Mapping[str, float] = field(default_factory=dict)

    @classmethod
    def parse(cls, query: Mapping[str, str]) -> Tuning:
        parts: dict[str, dict[str, float]] = {"min": {}, "max": {}, "target": {}}
        for name, raw in query.items():
            prefix, _, attribute = name.partition("_")
            if prefix not in parts or not attribute:
                continue
            if attribute not in TUNABLE:
                raise BadRequest(f"'{name[:60]}' names no tunable attribute; they are {', '.join(TUNABLE)}")
            parts[prefix][attribute] = _in_range(name, raw, TUNABLE[attribute])
        for attribute, low in parts["min"].items():
            if attribute in parts["max"] and parts["max"][attribute] < low:
                raise BadRequest(f"min_{attribute} is above max_{attribute}")
        return cls(parts["min"], parts["max"], parts["target"])

    def attributes(self) -> set[str]:
        return {*self.minimum, *self.maximum, *self.target}


def _in_range(name: str, raw: str, bounds: tuple[float, float]) -> float:
    try:
        value = float(raw)
    except ValueError:
        raise BadRequest(f"{name} must be a number, got '{raw[:40]}'") from None
    low, high = bounds
    if not low <= value <= high:
        raise BadRequest(f"{name} must be between {low:g} and {high:g}, got {value:g}")
    return value


@dataclass(frozen=True)
class Seeded:
    picks: list[engine.Pick]
    seeds: list[tuple[str, str, int, int]]  # (type, id, initial pool, after filtering)


def recommend(
    picker: Picker,
    *,
    artists: Sequence[str],
    tracks: Sequence[str],
    genre_names: Sequence[str],
    tuning: Tuning,
    limit: int,
) -> Seeded:
    found = picker.found
    total = len(artists) + len(tracks) + len(genre_names)
    if not 1 <= total <= MAX_SEEDS:
        raise BadRequest(
            f"give 1 to {MAX_SEEDS} seeds in all (seed_artists, seed_tracks, seed_genres); got {total}"
        )
    _known(tracks, found.tracks, "track")
    _known(artists, found.artist_names, "artist")
    _known(genre_names, set(genres(found)), "genre")
    of_seeds = _of_seeds(found, artists, genre_names)
    like = picker.like([*tracks, *of_seeds], POOL, exclude=tracks, max_per_artist=POOL)
    # The seed artists' and genres' own tracks are candidates too (only seed tracks are not).
    floor = min((pick.score for pick in like), default=1.0)
    own = [pick for pick in of_seeds.values() if pick.item not in {p.item for p in like} | set(tracks)]
    pool = [*like, *picker.finish([replace(p, score=floor) for p in own], POOL, POOL, timely=False)]
    kept = [pick for pick in pool if _fits(found, pick.item, tuning)]
    ranked = sorted(kept, key=lambda pick: -_closeness(found, pick, tuning))[:limit]
    seeds = [
        *(("track", track_id) for track_id in tracks),
        *(("artist", artist_id) for artist_id in artists),
        *(("genre", name) for name in genre_names),
    ]
    return Seeded(ranked, [(kind, id_, len(pool), len(kept)) for kind, id_ in seeds])


def _known(ids: Sequence[str], known: Mapping[str, object] | set[str], kind: str) -> None:
    unknown = [id_ for id_ in ids if id_ not in known]
    if unknown:
        raise BadRequest(f"unknown seed {kind} '{unknown[0][:40]}'")


def _of_seeds(found: Catalogue, artists: Sequence[str], genre_names: Sequence[str]) -> dict[str, engine.Pick]:
    """The seed artists' best tracks and the best of the seed genres' artists, each saying why."""
    picks: dict[str, engine.Pick] = {}
    for genre in genre_names:
        for track_id in _genre_tracks(found, [genre]):
            picks.setdefault(track_id, engine.Pick(track_id, 0.0, (engine.Reason("tag", detail=(genre,)),)))
    for artist_id in artists:
        for track_id in _artist_tracks(found, [artist_id]):
            picks[track_id] = engine.Pick(track_id, 0.0, (engine.Reason("seed_artist", item=artist_id),))
    return picks


def _artist_tracks(found: Catalogue, artists: Sequence[str]) -> list[str]:
    chosen = []
    for artist_id in artists:
        theirs = sorted(found.tracks_of_artists([artist_id]), key=lambda t: -found.tracks[t].popularity)
        chosen.extend(theirs[:10])
    return chosen


def _genre_tracks(found: Catalogue, names: Sequence[str]) -> list[str]:
    wanted = set(names)
    artists = [artist for artist, theirs in found.genres.items() if wanted & set(theirs)]
    return _artist_tracks(found, artists)[: 10 * max(1, len(names))]


def _value(found: Catalogue, track_id: str, attribute: str) -> float | None:
    record = found.tracks[track_id]
    if attribute == "popularity":
        return float(record.popularity)
    features = found.features.get(track_id)
    return None if features is None else float(getattr(features, attribute))


def _fits(found: Catalogue, track_id: str, tuning: Tuning) -> bool:
    for attribute, low in tuning.minimum.items():
        value = _value(found, track_id, attribute)
        if value is None or value < low:
            return False
    for attribute, high in tuning.maximum.items():
        value = _value(found, track_id, attribute)
        if value is None or value > high:
            return False
    return True


def _closeness(found: Catalogue, pick: engine.Pick, tuning: Tuning) -> float:
    """The pick's score, less its distance from each target (on the attribute's scale)."""
    distance = 0.0
    for attribute, target in tuning.target.items():
        value = _value(found, pick.item, attribute)
        low, high = TUNABLE[attribute]
        distance += 1.0 if value is None else abs(value - target) / (high - low)
    return pick.score - 2.0 * distance


def related_artists(picker: Picker, artist_id: str, n: int = 20) -> list[str]:
    found = picker.found
    if artist_id not in found.artist_names:
        raise NotFound(f"artist '{artist_id[:40]}' not found")
    if picker.model is not None:
        related = [name for name, _score in picker.model.similar_groups(artist_id, n)]
        if related:
            return related
    mine = set(found.genres.get(artist_id, ()))
    sharing = [a for a, theirs in found.genres.items() if a != artist_id and mine & set(theirs)]
    return sorted(sharing, key=lambda a: -len(mine & set(found.genres[a])))[:n]


def genres(found: Catalogue) -> list[str]:
    return sorted({genre for theirs in found.genres.values() for genre in theirs})
