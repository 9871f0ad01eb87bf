"""Rows into Spotify's objects: links, playability by market and audience, each object's fields."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Literal, TypedDict

from tonearm.catalog import schemas
from tonearm.catalog.covers import album_images
from tonearm.catalog.models import Album, Artist, Track
from tonearm.kit.ids import uri
from tonearm.kit.rights import EVERYONE, Audience, RightWindow, available_markets, restriction
from tonearm.kit.time import utcnow

__all__ = ["Shapes"]


class _Links(TypedDict):
    href: str
    external_urls: schemas.ExternalUrls
    id: str
    uri: str


class _Playability(TypedDict):
    is_playable: bool | None
    restrictions: schemas.Restrictions | None


class _AlbumFields(_Links):
    album_type: str
    total_tracks: int
    available_markets: list[str]
    images: list[schemas.Image]
    name: str
    release_date: str
    release_date_precision: str
    artists: list[schemas.ArtistSimple]


class _TrackFields(_Links, _Playability):
    artists: list[schemas.ArtistSimple]
    available_markets: list[str]
    disc_number: int
    duration_ms: int
    explicit: bool
    name: str
    track_number: int


class Shapes:
    """Spotify's objects for one request: `base` is the absolute API root; a `market` turns
    markets lists into playability, as Spotify does; `audience` is whom they are shaped for."""

    def __init__(
        self, base: str, market: str | None, audience: Audience = EVERYONE, now: datetime | None = None
    ) -> None:
        self.base, self.market, self.audience = base, market, audience
        self.now = now or utcnow()
        # A page of tracks names the same artists again and again (every track of an album, and
        # the album's own credit): each is shaped once per request.
        self._artists: dict[str, schemas.ArtistSimple] = {}

    def _links(self, kind: str, id_: str) -> _Links:
        return {
            "href": f"{self.base}/v1/{kind}s/{id_}",
            # The web player's page for the object (its routes live in the URL fragment).
            "external_urls": schemas.ExternalUrls(spotify=f"{self.base}/#/{kind}/{id_}"),
            "id": id_,
            "uri": uri(kind, id_),
        }

    def artist_simple(self, artist: Artist) -> schemas.ArtistSimple:
        shaped = self._artists.get(artist.id)
        if shaped is None:
            shaped = schemas.ArtistSimple(name=artist.name, **self._links("artist", artist.id))
            self._artists[artist.id] = shaped
        return shaped

    def artist_full(self, artist: Artist) -> schemas.ArtistFull:
        return schemas.ArtistFull(
            name=artist.name,
            followers=schemas.Followers(),
            genres=list(artist.genres),
            images=[],
            popularity=artist.popularity,
            **self._links("artist", artist.id),
        )

    def markets(self, rights: Sequence[RightWindow]) -> list[str]:
        # As Spotify, a request for one market gets playability instead of the market list.
        return [] if self.market else available_markets(rights, self.now)

    def album_fields(self, album: Album, total_tracks: int, markets: list[str]) -> _AlbumFields:
        return {
            "album_type": album.album_type,
            "total_tracks": total_tracks,
            "available_markets": markets,
            "images": album_images(self.base, album.id),
            "name": album.name,
            "release_date": album.release_date,
            "release_date_precision": album.release_date_precision,
            "artists": [self.artist_simple(link.artist) for link in album.artist_links],
            **self._links("album", album.id),
        }

    def album_simple(
        self, album: Album, total_tracks: int, markets: list[str], *, group: str | None = None
    ) -> schemas.AlbumSimple:
        return schemas.AlbumSimple(**self.album_fields(album, total_tracks, markets), album_group=group)

    def playability(self, track: Track, rights: Sequence[RightWindow]) -> _Playability:
        return self.playability_of(track.explicit, rights)

    def playability_of(self, explicit: bool, rights: Sequence[RightWindow]) -> _Playability:
        reason: Literal["market", "product", "explicit"] | None = None
        if self.market:
            reason = restriction(rights, self.market, self.now, self.audience)
        if reason is None and explicit and not self.audience.explicit_content:
            # Shown, but restricted: the listener turned explicit content off.
            reason = "explicit"
        if reason is not None:
            return {"is_playable": False, "restrictions": schemas.Restrictions(reason=reason)}
        return {"is_playable": None if self.market is None else True, "restrictions": None}

    def track_fields(self, track: Track, rights: Sequence[RightWindow]) -> _TrackFields:
        return {
            "artists": [self.artist_simple(link.artist) for link in track.artist_links],
            "available_markets": self.markets(rights),
            "disc_number": track.disc_number,
            "duration_ms": track.duration_ms,
            "explicit": track.explicit,
            "name": track.name,
            "track_number": track.track_number,
            **self.playability(track, rights),
            **self._links("track", track.id),
        }

    def track_simple(self, track: Track, rights: Sequence[RightWindow]) -> schemas.TrackSimple:
        return schemas.TrackSimple(**self.track_fields(track, rights))

    def track_full(self, track: Track, rights: Sequence[RightWindow], album_tracks: int) -> schemas.TrackFull:
        """A track with its album; `album_tracks` is how many tracks that album has."""
        return schemas.TrackFull(
            album=self.album_simple(track.album, album_tracks, self.markets(rights)),
            external_ids=schemas.ExternalIds(isrc=track.isrc),
            popularity=track.popularity,
            **self.track_fields(track, rights),
        )
