"""Catalog reads: tracks, albums and artists as Spotify's objects and pages, and the facts about
tracks that other domains check plays against."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from tonearm.catalog import schemas
from tonearm.catalog.media import TrackFacts
from tonearm.catalog.models import Album, Track, TrackArtist
from tonearm.catalog.repository import CatalogRepository
from tonearm.catalog.shapes import Shapes
from tonearm.catalog.track_shapes import full_tracks
from tonearm.errors import NotFound
from tonearm.kit.pagination import paging
from tonearm.kit.rights import EVERYONE, Audience

__all__ = ["ALBUM_GROUPS", "CatalogReads"]

ALBUM_GROUPS = ("album", "single", "compilation", "appears_on")


class CatalogReads:
    def get_track(
        self,
        session: Session,
        track_id: str,
        *,
        base: str,
        market: str | None = None,
        audience: Audience = EVERYONE,
    ) -> schemas.TrackFull:
        repo = CatalogRepository(session)
        track = repo.get_track(track_id)
        if track is None:
            raise NotFound(f"track '{track_id}' not found")
        return _full_tracks(repo, [track], Shapes(base, market, audience))[0]

    def get_tracks(
        self,
        session: Session,
        track_ids: Sequence[str],
        *,
        base: str,
        market: str | None = None,
        audience: Audience = EVERYONE,
    ) -> list[schemas.TrackFull | None]:
        by_id = full_tracks(CatalogRepository(session), track_ids, Shapes(base, market, audience))
        return [by_id.get(track_id) for track_id in track_ids]

    def album_tracks(
        self,
        session: Session,
        album_id: str,
        *,
        base: str,
        market: str | None,
        limit: int,
        offset: int,
        audience: Audience = EVERYONE,
    ) -> schemas.AlbumTracksPage:
        repo = CatalogRepository(session)
        _album_or_raise(repo, album_id)
        shapes = Shapes(base, market, audience)
        tracks = repo.album_tracks(album_id, limit=limit, offset=offset)
        rights = repo.rights_rows([track.id for track in tracks])
        items = [shapes.track_simple(track, rights[track.id]) for track in tracks]
        total = repo.count_album_tracks([album_id]).get(album_id, 0)
        url = f"{base}/v1/albums/{album_id}/tracks"
        params = {"market": market} if market else {}
        return schemas.AlbumTracksPage(
            **paging(url, items, limit=limit, offset=offset, total=total, params=params)
        )

    def get_album(
        self,
        session: Session,
        album_id: str,
        *,
        base: str,
        market: str | None = None,
        audience: Audience = EVERYONE,
    ) -> schemas.AlbumFull:
        repo = CatalogRepository(session)
        album = _album_or_raise(repo, album_id)
        page = self.album_tracks(
            session, album_id, base=base, market=market, limit=50, offset=0, audience=audience
        )
        all_tracks = repo.album_tracks(album_id, limit=10_000, offset=0)
        rights = [right for rows in repo.rights_rows([t.id for t in all_tracks]).values() for right in rows]
        shapes = Shapes(base, market)
        return schemas.AlbumFull(
            tracks=page,
            copyrights=[],
            external_ids={},
            genres=[],
            label=album.label,
            popularity=album.popularity,
            **shapes.album_fields(album, page.total, shapes.markets(rights)),
        )

    def get_full_albums(
        self,
        session: Session,
        album_ids: Sequence[str],
        *,
        base: str,
        market: str | None = None,
        audience: Audience = EVERYONE,
    ) -> list[schemas.AlbumFull | None]:
        """Several albums as full objects, in the order asked; None for an unknown id."""
        found = CatalogRepository(session).get_albums(album_ids)
        return [
            self.get_album(session, album_id, base=base, market=market, audience=audience)
            if album_id in found
            else None
            for album_id in album_ids
        ]

    def get_albums(
        self, session: Session, album_ids: Sequence[str], *, base: str, market: str | None = None
    ) -> list[schemas.AlbumSimple | None]:
        repo = CatalogRepository(session)
        found = repo.get_albums(album_ids)
        totals = repo.count_album_tracks(list(found))
        rights = repo.album_track_rights(list(found))
        shapes = Shapes(base, market)
        shaped = {
            album.id: shapes.album_simple(
                album,
                totals.get(album.id, 0),
                shapes.markets([right for rows in rights[album.id].values() for right in rows]),
            )
            for album in found.values()
        }
        return [shaped.get(album_id) for album_id in album_ids]

    def get_artist(self, session: Session, artist_id: str, *, base: str) -> schemas.ArtistFull:
        artist = CatalogRepository(session).get_artist(artist_id)
        if artist is None:
            raise NotFound(f"artist '{artist_id}' not found")
        return Shapes(base, None).artist_full(artist)

    def get_artists(
        self, session: Session, artist_ids: Sequence[str], *, base: str
    ) -> list[schemas.ArtistFull | None]:
        found = CatalogRepository(session).get_artists(artist_ids)
        shapes = Shapes(base, None)
        return [shapes.artist_full(found[i]) if i in found else None for i in artist_ids]

    def artist_albums(
        self,
        session: Session,
        artist_id: str,
        *,
        base: str,
        include_groups: Sequence[str],
        limit: int,
        offset: int,
    ) -> schemas.AlbumsPage:
        repo = CatalogRepository(session)
        self.get_artist(session, artist_id, base=base)
        types = [group for group in include_groups if group != "appears_on"]
        albums = repo.artist_albums(artist_id, album_types=types, limit=limit, offset=offset)
        return _albums_page(
            repo,
            albums,
            Shapes(base, None),
            url=f"{base}/v1/artists/{artist_id}/albums",
            limit=limit,
            offset=offset,
            total=repo.count_artist_albums(artist_id, album_types=types),
            params={"include_groups": ",".join(include_groups)},
            grouped=True,
        )

    def list_albums(self, session: Session, *, base: str, limit: int, offset: int) -> schemas.AlbumsPage:
        repo = CatalogRepository(session)
        return _albums_page(
            repo,
            repo.list_albums(limit=limit, offset=offset),
            Shapes(base, None),
            url=f"{base}/v1/browse/new-releases",
            limit=limit,
            offset=offset,
            total=repo.count_albums(),
        )

    def list_artists(self, session: Session, *, base: str, limit: int, offset: int) -> schemas.ArtistsPage:
        repo = CatalogRepository(session)
        shapes = Shapes(base, None)
        items = [shapes.artist_full(a) for a in repo.list_artists(limit=limit, offset=offset)]
        url = f"{base}/v1/browse/artists"
        return schemas.ArtistsPage(
            **paging(url, items, limit=limit, offset=offset, total=repo.count_artists())
        )

    def track_facts(self, session: Session, track_ids: Sequence[str]) -> dict[str, TrackFacts]:
        """Length and credited artists of each known track (unknown ids are left out): what the
        listening domain checks playback events against and ranks top artists by."""
        ids = list(dict.fromkeys(track_ids))
        if not ids:
            return {}
        repo = CatalogRepository(session)
        credits = repo.track_credits(ids)
        return {
            track.id: TrackFacts(
                duration_ms=track.duration_ms,
                artist_ids=tuple(artist_id for artist_id, _ in credits.get(track.id, ())),
            )
            for track in repo.get_tracks(ids).values()
        }

    def track_ids_of_artists(self, session: Session, artist_ids: Sequence[str]) -> list[str]:
        """Every track crediting any of these artists, in id order (an artist account's own)."""
        if not artist_ids:
            return []
        query = (
            select(TrackArtist.track_id)
            .where(TrackArtist.artist_id.in_(list(dict.fromkeys(artist_ids))))
            .distinct()
            .order_by(TrackArtist.track_id)
        )
        return list(session.scalars(query))

    def track_ids_of_album(self, session: Session, album_id: str) -> list[str]:
        """The album's tracks in disc and track order (what an offline licence holds); NotFound
        for an unknown album."""
        repo = CatalogRepository(session)
        _album_or_raise(repo, album_id)
        return repo.album_track_ids(album_id)

    def albums_of(self, session: Session, track_ids: Sequence[str]) -> dict[str, str]:
        """The album of each known track (unknown ids are left out)."""
        return CatalogRepository(session).album_ids(list(dict.fromkeys(track_ids))) if track_ids else {}


def _album_or_raise(repo: CatalogRepository, album_id: str) -> Album:
    album = repo.get_album(album_id)
    if album is None:
        raise NotFound(f"album '{album_id}' not found")
    return album


def _full_tracks(repo: CatalogRepository, tracks: Sequence[Track], shapes: Shapes) -> list[schemas.TrackFull]:
    rights = repo.rights_rows([track.id for track in tracks])
    totals = repo.count_album_tracks(list({track.album_id for track in tracks}))
    return [shapes.track_full(track, rights[track.id], totals.get(track.album_id, 0)) for track in tracks]


def _albums_page(
    repo: CatalogRepository,
    albums: list[Album],
    shapes: Shapes,
    *,
    url: str,
    limit: int,
    offset: int,
    total: int,
    params: dict[str, str] | None = None,
    grouped: bool = False,
) -> schemas.AlbumsPage:
    """A page of simplified albums. `grouped` for an artist's albums: Spotify sends their
    album_group (the artist's relation to each) there alone, and as only albums the artist is
    an album artist of are read (appears_on is not kept yet), each one's group is its type."""
    totals = repo.count_album_tracks([album.id for album in albums])
    items = [
        shapes.album_simple(album, totals.get(album.id, 0), [], group=album.album_type if grouped else None)
        for album in albums
    ]
    return schemas.AlbumsPage(**paging(url, items, limit=limit, offset=offset, total=total, params=params))
