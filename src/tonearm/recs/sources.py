"""What recommendations are made from, read through other domains' faces: the catalogue (each
track's artists, album, release and popularity), its audio features as content vectors, every
user's streams and skips, whom they follow, and what a listener may play."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
from sqlalchemy.orm import Session

from tonearm.accounts import FREE, PREMIUM, account
from tonearm.audio import AudioFeatures
from tonearm.audio.features import PERCEPTUAL_FEATURES
from tonearm.catalog import TrackRecord, catalog, catalog_feed
from tonearm.kit.rights import Audience
from tonearm.library import library
from tonearm.listening import Feedback as Played
from tonearm.listening import listening
from tonearm.recs.engine import Feedback, SideInfo

__all__ = [
    "CONTENT_DIMS",
    "Catalogue",
    "Listener",
    "content_vector",
    "listener",
    "playable",
    "plays_total",
    "read_catalogue",
    "training_input",
]

# The content vector: what "sounds like" compares, each on 0..1 (tempo over 200 BPM).
CONTENT_DIMS = ("tempo", *PERCEPTUAL_FEATURES)
FOLLOWS_PAGE = 500


@dataclass(frozen=True)
class Catalogue:
    """Every track the catalog has, with what ranking and diversity need."""

    tracks: Mapping[str, TrackRecord]
    genres: Mapping[str, tuple[str, ...]]  # artist -> genres
    features: Mapping[str, AudioFeatures]
    artist_names: Mapping[str, str]

    def artist_of(self, track_id: str) -> str:
        record = self.tracks.get(track_id)
        return record.artists[0].id if record is not None and record.artists else ""

    def tracks_of_artists(self, artist_ids: Sequence[str]) -> list[str]:
        wanted = set(artist_ids)
        return [
            track_id
            for track_id, record in self.tracks.items()
            if any(credit.id in wanted for credit in record.artists)
        ]

    def released(self, track_id: str) -> date | None:
        record = self.tracks.get(track_id)
        return None if record is None else release_day(record.release_date)


def release_day(value: str) -> date | None:
    """The first day a Spotify-style release date (2024, 2024-03, 2024-03-15) can mean."""
    parts = [*value.split("-"), "01", "01"][:3]
    try:
        return date(int(parts[0]), int(parts[1] or 1), int(parts[2] or 1))
    except ValueError:
        return None


def read_catalogue(session: Session) -> Catalogue:
    tracks: dict[str, TrackRecord] = {}
    for batch in catalog_feed.all_records(session, "track"):
        tracks.update((record.id, record) for record in batch if isinstance(record, TrackRecord))
    artist_ids = sorted({credit.id for record in tracks.values() for credit in record.artists})
    genres = {
        artist.id: tuple(artist.genres)
        for artist in catalog.get_artists(session, artist_ids, base="")
        if artist is not None
    }
    names = {credit.id: credit.name for record in tracks.values() for credit in record.artists}
    return Catalogue(tracks, genres, catalog.audio_features(session, list(tracks)), names)


def content_vector(features: AudioFeatures) -> np.ndarray:
    tempo = min(max(features.tempo, 0.0), 200.0) / 200.0
    values = [tempo, *(float(getattr(features, name)) for name in CONTENT_DIMS[1:])]
    return np.asarray(values, dtype=np.float32)


def plays_total(session: Session) -> int:
    """Every stream and skip kept: what tells whether a model has something new to learn."""
    return sum(row.streams + row.skips for row in listening.feedback(session))


def training_input(session: Session, found: Catalogue) -> tuple[Feedback, SideInfo]:
    """The implicit feedback (counted streams as plays, skips as negatives) of tracks still in
    the catalogue, and the side information: artist, genres, content, friends, popularity."""
    played = [row for row in listening.feedback(session) if row.track_id in found.tracks]
    feedback = Feedback.from_counts(
        ((row.user_id, row.track_id, float(row.streams)) for row in played if row.streams),
        ((row.user_id, row.track_id, float(row.skips)) for row in played if row.skips),
    )
    side = SideInfo(
        item_groups={track_id: found.artist_of(track_id) for track_id in found.tracks},
        item_tags={track_id: _tags(found, track_id) for track_id in found.tracks},
        item_content={track_id: content_vector(features) for track_id, features in found.features.items()},
        friends={user: _follows(session, user) for user in feedback.users},
        popularity={track_id: float(record.popularity) for track_id, record in found.tracks.items()},
        content_dims=CONTENT_DIMS,
    )
    return feedback, side


def _tags(found: Catalogue, track_id: str) -> tuple[str, ...]:
    record = found.tracks[track_id]
    return tuple(
        dict.fromkeys(genre for credit in record.artists for genre in found.genres.get(credit.id, ()))
    )


def _follows(session: Session, user_id: str) -> tuple[str, ...]:
    followed, _total = library.following(session, user_id, "user", after=None, limit=FOLLOWS_PAGE)
    return tuple(row.item_id for row in followed)


@dataclass(frozen=True)
class Listener:
    user_id: str
    market: str
    audience: Audience
    played: Sequence[Played]  # their streams and skips, by track


def listener(session: Session, user_id: str, played: Sequence[Played] | None = None) -> Listener:
    user = account.get_user(session, user_id)
    audience = Audience(
        product=PREMIUM if user.product == PREMIUM else FREE, explicit_content=user.explicit_content
    )
    rows = played if played is not None else listening.feedback(session, user_id=user_id)
    return Listener(user_id, user.country, audience, rows)


def playable(session: Session, who: Listener, track_ids: Sequence[str]) -> set[str]:
    """The tracks the listener may play now, in their country, with their product and explicit
    setting: nothing else is ever recommended."""
    reasons = catalog.restrictions(session, list(track_ids), market=who.market, audience=who.audience)
    return {track_id for track_id, reason in reasons.items() if reason is None}
