"""API shapes of the catalog, field for field as Spotify's Web API objects."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from tonearm.catalog.media import RightsholderKind, SplitRole
from tonearm.schemas import Frozen, Image

__all__ = [
    "AlbumFull",
    "AlbumSimple",
    "AlbumTracksPage",
    "AlbumsPage",
    "ArtistFull",
    "ArtistSimple",
    "ArtistsPage",
    "AudioFeaturesList",
    "AudioFeaturesObject",
    "ExternalIds",
    "ExternalUrls",
    "Followers",
    "Image",
    "NewReleases",
    "Restrictions",
    "RightsChange",
    "RightsholderIn",
    "RightsholderObject",
    "SplitIn",
    "SplitObject",
    "TrackFull",
    "TrackList",
    "TrackRights",
    "TrackSimple",
    "TracksPage",
]


class ExternalUrls(Frozen):
    spotify: str


class ExternalIds(Frozen):
    isrc: str | None = None


class Followers(Frozen):
    href: str | None = None
    total: int = 0


class Restrictions(Frozen):
    reason: Literal["market", "product", "explicit"]


class ArtistSimple(Frozen):
    external_urls: ExternalUrls
    href: str
    id: str
    name: str
    type: Literal["artist"] = "artist"
    uri: str


class ArtistFull(ArtistSimple):
    followers: Followers
    genres: list[str]
    images: list[Image]
    popularity: int


class AlbumSimple(Frozen):
    album_type: str
    total_tracks: int
    available_markets: list[str]
    external_urls: ExternalUrls
    href: str
    id: str
    images: list[Image]
    name: str
    release_date: str
    release_date_precision: str
    type: Literal["album"] = "album"
    uri: str
    artists: list[ArtistSimple]
    album_group: str | None = None


class TrackSimple(Frozen):
    artists: list[ArtistSimple]
    available_markets: list[str]
    disc_number: int
    duration_ms: int
    explicit: bool
    external_urls: ExternalUrls
    href: str
    id: str
    is_playable: bool | None = None
    restrictions: Restrictions | None = None
    name: str
    preview_url: str | None = None
    track_number: int
    type: Literal["track"] = "track"
    uri: str
    is_local: bool = False


class TrackFull(TrackSimple):
    album: AlbumSimple
    external_ids: ExternalIds
    popularity: int


class Paging(Frozen):
    href: str
    limit: int
    next: str | None
    offset: int
    previous: str | None
    total: int


class AlbumTracksPage(Paging):
    items: list[TrackSimple]


class TracksPage(Paging):
    items: list[TrackFull]


class AlbumsPage(Paging):
    items: list[AlbumSimple]


class ArtistsPage(Paging):
    items: list[ArtistFull]


class AlbumFull(AlbumSimple):
    tracks: AlbumTracksPage
    copyrights: list[dict[str, str]]
    external_ids: dict[str, str]
    genres: list[str]
    label: str | None
    popularity: int


class TrackList(Frozen):
    tracks: list[TrackFull | None]


class NewReleases(Frozen):
    albums: AlbumsPage


class AudioFeaturesObject(Frozen):
    """Spotify's audio-features object; what each value means is in `tonearm.audio.features`.
    `analysis_url` names Spotify's audio-analysis route, which Tonearm does not serve yet."""

    acousticness: float
    analysis_url: str
    danceability: float
    duration_ms: int
    energy: float
    id: str
    instrumentalness: float
    key: int
    liveness: float
    loudness: float
    mode: int
    speechiness: float
    tempo: float
    time_signature: int
    track_href: str
    type: Literal["audio_features"] = "audio_features"
    uri: str
    valence: float


class AudioFeaturesList(Frozen):
    audio_features: list[AudioFeaturesObject | None]


# Whom a track's streams pay (admin routes; Spotify has no such object).


class RightsholderObject(Frozen):
    id: str
    name: str
    kind: RightsholderKind


class SplitObject(Frozen):
    party: str
    role: SplitRole
    share_bp: int = Field(description="basis points: 10000 is 100 %")
    share_percent: float


class TrackRights(Frozen):
    """A track's rightsholder (null: its streams pay no one yet) and the splits of its share;
    with no splits stored, one implied split gives the rightsholder 100 %."""

    id: str
    uri: str
    rightsholder: RightsholderObject | None
    splits: list[SplitObject]


class RightsholderIn(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    kind: RightsholderKind = "label"


class SplitIn(BaseModel):
    party: str = Field(min_length=1, max_length=200)
    role: SplitRole
    share_percent: float = Field(gt=0, le=100, description="at most two decimals")


class RightsChange(BaseModel):
    """The rightsholder (matched by name however it is written, created if new) and the splits
    of its share, which add up to 100 %; no splits gives the rightsholder everything."""

    rightsholder: RightsholderIn
    splits: list[SplitIn] = Field(default=[], max_length=100)
