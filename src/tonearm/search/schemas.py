"""Search responses: Spotify's (one paging object per type) and the type-ahead's."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from tonearm.catalog import AlbumsPage, ArtistsPage, Paging, TracksPage
from tonearm.playlists import PlaylistSimple

__all__ = ["EmptyPage", "SearchResponse", "Suggestion", "SuggestionCredit", "Suggestions"]


class PlaylistsPage(Paging):
    items: list[PlaylistSimple]


class EmptyPage(Paging):
    """A type that is searchable in Spotify's API but holds nothing here yet (playlists, shows…)."""

    items: list[dict[str, object]]


def _absent(value: object) -> bool:
    return value is None


class SearchResponse(BaseModel):
    """One paging object for each type asked for, and no key for the others. Only the keys are
    left out: inside a page, `next`, `previous` and every other empty field are sent as null,
    as Spotify sends them (spotipy's `next()` reads `next` off the last page too)."""

    model_config = ConfigDict(frozen=True)

    tracks: TracksPage | None = Field(default=None, exclude_if=_absent)
    artists: ArtistsPage | None = Field(default=None, exclude_if=_absent)
    albums: AlbumsPage | None = Field(default=None, exclude_if=_absent)
    playlists: PlaylistsPage | None = Field(default=None, exclude_if=_absent)
    shows: EmptyPage | None = Field(default=None, exclude_if=_absent)
    episodes: EmptyPage | None = Field(default=None, exclude_if=_absent)
    audiobooks: EmptyPage | None = Field(default=None, exclude_if=_absent)
    # Not in Spotify's API: a corrected query when this one found nothing.
    did_you_mean: str | None = Field(default=None, exclude_if=_absent)


class SuggestionOwner(BaseModel):
    id: str
    name: str


class SuggestionCredit(BaseModel):
    id: str
    name: str


class Suggestion(BaseModel):
    type: Literal["track", "artist", "album", "playlist"]
    id: str
    uri: str
    name: str
    artists: list[SuggestionCredit] | None = None
    album: SuggestionCredit | None = None
    album_type: str | None = None
    release_date: str | None = None
    owner: SuggestionOwner | None = None


class Suggestions(BaseModel):
    """Type-ahead: the best matches of every type for what has been typed so far, best first."""

    q: str
    items: list[Suggestion]
    did_you_mean: str | None = None
