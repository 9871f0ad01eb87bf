"""Search responses: Spotify's (one paging object per type) and the type-ahead's."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

from tonearm.catalog import AlbumsPage, ArtistsPage, Paging, TracksPage

__all__ = ["EmptyPage", "SearchResponse", "Suggestion", "SuggestionCredit", "Suggestions"]


class EmptyPage(Paging):
    """A type that is searchable in Spotify's API but holds nothing here yet (playlists, shows…)."""

    items: list[dict[str, object]]


class SearchResponse(BaseModel):
    model_config = ConfigDict(frozen=True)

    tracks: TracksPage | None = None
    artists: ArtistsPage | None = None
    albums: AlbumsPage | None = None
    playlists: EmptyPage | None = None
    shows: EmptyPage | None = None
    episodes: EmptyPage | None = None
    audiobooks: EmptyPage | None = None
    # Not in Spotify's API: a corrected query when this one found nothing.
    did_you_mean: str | None = None


class SuggestionCredit(BaseModel):
    id: str
    name: str


class Suggestion(BaseModel):
    type: Literal["track", "artist", "album"]
    id: str
    uri: str
    name: str
    artists: list[SuggestionCredit] | None = None
    album: SuggestionCredit | None = None
    album_type: str | None = None
    release_date: str | None = None


class Suggestions(BaseModel):
    """Type-ahead: the best matches of every type for what has been typed so far, best first."""

    q: str
    items: list[Suggestion]
    did_you_mean: str | None = None
