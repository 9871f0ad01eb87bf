"""Recommendation shapes: Spotify's recommendations and related artists, and Tonearm's own —
made-for-you lists, radio stations and Home — where every recommended item carries its reasons."""

from __future__ import annotations

from typing import Literal

from tonearm.catalog import ArtistFull, TrackFull
from tonearm.schemas import Frozen, Image

__all__ = [
    "GenreSeeds",
    "HomeItem",
    "HomeView",
    "ListPlaylist",
    "MadeForYouList",
    "MadeForYouLists",
    "ReasonOut",
    "RecommendationSeed",
    "Recommendations",
    "RecommendedTrack",
    "RelatedArtists",
    "Shelf",
    "Station",
    "TasteArtists",
]


class ReasonOut(Frozen):
    """One signal that put an item there: its kind, in words, and what it points at."""

    kind: str
    text: str
    uri: str | None = None
    detail: list[str] = []


class RecommendedTrack(TrackFull):
    # Beyond Spotify's track object: why it is here, strongest first (clients that do not know
    # the field ignore it).
    reasons: list[ReasonOut]


class RecommendationSeed(Frozen):
    afterFilteringSize: int
    afterRelinkingSize: int
    href: str | None
    id: str
    initialPoolSize: int
    type: Literal["artist", "track", "genre"]


class Recommendations(Frozen):
    seeds: list[RecommendationSeed]
    tracks: list[RecommendedTrack]


class RelatedArtists(Frozen):
    artists: list[ArtistFull]


class GenreSeeds(Frozen):
    genres: list[str]


class ListPlaylist(Frozen):
    id: str
    uri: str
    href: str
    snapshot_id: str | None


class MadeForYouList(Frozen):
    key: str
    product: Literal["discover-weekly", "release-radar", "daily-mix"]
    title: str
    description: str
    built_at: str
    playlist: ListPlaylist | None
    tracks: list[RecommendedTrack]


class MadeForYouLists(Frozen):
    items: list[MadeForYouList]


class Station(Frozen):
    id: str
    href: str
    seed_uri: str
    title: str
    offset: int
    tracks: list[RecommendedTrack]
    next: str


class HomeItem(Frozen):
    type: Literal["track", "album", "artist", "playlist"]
    id: str
    uri: str
    href: str
    name: str
    subtitle: str
    images: list[Image]
    reasons: list[ReasonOut] = []


class Shelf(Frozen):
    id: str
    title: str
    items: list[HomeItem]


class HomeView(Frozen):
    greeting: str
    part_of_day: Literal["morning", "afternoon", "evening", "night"]
    generated_at: str
    shelves: list[Shelf]


class TasteArtists(Frozen):
    artists: list[ArtistFull]
    suggestions: list[ArtistFull]
