"""Catalog logic: Spotify-shaped reads, playability by market, publishing ingested tracks."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Row
from sqlalchemy.orm import Session

from tonearm.catalog import schemas
from tonearm.catalog.media import HlsRef, NewTrack, RenditionRef, TrackFacts, TrackMedia
from tonearm.catalog.models import Album, Artist, AudioFile, HlsPackageRow, Right, Track
from tonearm.catalog.repository import CatalogRepository
from tonearm.errors import BadRequest, NotFound, NotPlayable
from tonearm.kit.ids import derive_id, new_id, uri
from tonearm.kit.lru import LruMap
from tonearm.kit.pagination import paging
from tonearm.kit.rights import EVERYONE, Audience, RightWindow, available_markets, restriction
from tonearm.kit.territories import parse_territory
from tonearm.kit.time import utcnow

__all__ = ["ALBUM_GROUPS", "CatalogService", "catalog", "validate_isrc"]

ALBUM_GROUPS = ("album", "single", "compilation", "appears_on")
_ISRC = re.compile(r"^[A-Z]{2}[A-Z0-9]{3}[0-9]{7}$")


def validate_isrc(value: str) -> str:
    code = value.replace("-", "").strip().upper()
    if not _ISRC.match(code):
        raise BadRequest(f"ISRC '{value[:20]}' is not 2 letters, 3 alphanumerics and 7 digits")
    return code


class _Shapes:
    """Turns rows into Spotify's objects; `base` is the absolute API root."""

    def __init__(self, base: str, market: str | None, now: datetime, audience: Audience = EVERYONE) -> None:
        self.base, self.market, self.now, self.audience = base, market, now, audience

    def _links(self, kind: str, id_: str) -> dict[str, object]:
        return {
            "href": f"{self.base}/v1/{kind}s/{id_}",
            # The web player's page for the object (its routes live in the URL fragment).
            "external_urls": schemas.ExternalUrls(spotify=f"{self.base}/#/{kind}/{id_}"),
            "id": id_,
            "uri": uri(kind, id_),
        }

    def artist_simple(self, artist: Artist) -> schemas.ArtistSimple:
        return schemas.ArtistSimple(name=artist.name, **self._links("artist", artist.id))

    def artist_full(self, artist: Artist) -> schemas.ArtistFull:
        return schemas.ArtistFull(
            name=artist.name,
            followers=schemas.Followers(),
            genres=list(artist.genres),
            images=[],
            popularity=artist.popularity,
            **self._links("artist", artist.id),
        )

    def album_fields(self, album: Album, total_tracks: int, markets: list[str]) -> dict[str, object]:
        return {
            "album_type": album.album_type,
            "total_tracks": total_tracks,
            "available_markets": markets,
            "images": [],
            "name": album.name,
            "release_date": album.release_date,
            "release_date_precision": album.release_date_precision,
            "artists": [self.artist_simple(link.artist) for link in album.artist_links],
            **self._links("album", album.id),
        }

    def markets(self, rights: Sequence[RightWindow]) -> list[str]:
        # As Spotify, a request for one market gets playability instead of the market list.
        return [] if self.market else available_markets(rights, self.now)

    def playability(self, track: Track, rights: Sequence[Right]) -> dict[str, object]:
        reason = restriction(rights, self.market, self.now, self.audience) if self.market else None
        if reason is None and track.explicit and not self.audience.explicit_content:
            # Shown, but restricted: the listener turned explicit content off.
            reason = "explicit"
        if reason is not None:
            return {"is_playable": False, "restrictions": schemas.Restrictions(reason=reason)}
        return {} if self.market is None else {"is_playable": True}

    def track_fields(self, track: Track, rights: Sequence[Right]) -> dict[str, object]:
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


class CatalogService:
    def __init__(self) -> None:
        # A published track's renditions, package and loudness never change (their blobs are
        # content-addressed), so manifests need not read them again; ids are never reused.
        self._published_media: LruMap[str, TrackMedia] = LruMap(capacity=50_000)

    def _shapes(self, base: str, market: str | None, audience: Audience = EVERYONE) -> _Shapes:
        return _Shapes(base, market, utcnow(), audience)

    def _full_tracks(
        self, repo: CatalogRepository, tracks: Sequence[Track], shapes: _Shapes
    ) -> list[schemas.TrackFull]:
        rights = repo.rights([track.id for track in tracks])
        totals = repo.count_album_tracks(list({track.album_id for track in tracks}))
        return [
            schemas.TrackFull(
                album=schemas.AlbumSimple(
                    **shapes.album_fields(
                        track.album, totals.get(track.album_id, 0), shapes.markets(rights[track.id])
                    )
                ),
                external_ids=schemas.ExternalIds(isrc=track.isrc),
                popularity=track.popularity,
                **shapes.track_fields(track, rights[track.id]),
            )
            for track in tracks
        ]

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
        return self._full_tracks(repo, [track], self._shapes(base, market, audience))[0]

    def get_tracks(
        self,
        session: Session,
        track_ids: Sequence[str],
        *,
        base: str,
        market: str | None = None,
        audience: Audience = EVERYONE,
    ) -> list[schemas.TrackFull | None]:
        repo = CatalogRepository(session)
        found = repo.get_tracks(track_ids)
        shaped = self._full_tracks(repo, list(found.values()), self._shapes(base, market, audience))
        by_id = {track.id: track for track in shaped}
        return [by_id.get(track_id) for track_id in track_ids]

    def _album_or_raise(self, repo: CatalogRepository, album_id: str) -> Album:
        album = repo.get_album(album_id)
        if album is None:
            raise NotFound(f"album '{album_id}' not found")
        return album

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
        self._album_or_raise(repo, album_id)
        shapes = self._shapes(base, market, audience)
        tracks = repo.album_tracks(album_id, limit=limit, offset=offset)
        rights = repo.rights([track.id for track in tracks])
        items = [schemas.TrackSimple(**shapes.track_fields(t, rights[t.id])) for t in tracks]
        total = repo.count_album_tracks([album_id]).get(album_id, 0)
        url = f"{base}/v1/albums/{album_id}/tracks"
        return schemas.AlbumTracksPage(
            **paging(url, items, limit=limit, offset=offset, total=total, params=_market(market))
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
        album = self._album_or_raise(repo, album_id)
        page = self.album_tracks(
            session, album_id, base=base, market=market, limit=50, offset=0, audience=audience
        )
        all_tracks = repo.album_tracks(album_id, limit=10_000, offset=0)
        rights = [right for rows in repo.rights([t.id for t in all_tracks]).values() for right in rows]
        shapes = self._shapes(base, market)
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

    def _albums_page(
        self,
        repo: CatalogRepository,
        albums: list[Album],
        shapes: _Shapes,
        *,
        grouped: bool = False,
        **page: object,
    ) -> schemas.AlbumsPage:
        """A page of simplified albums. `grouped` for an artist's albums: Spotify sends their
        album_group (the artist's relation to each) there alone, and as only albums the artist is
        an album artist of are read (appears_on is not kept yet), each one's group is its type."""
        totals = repo.count_album_tracks([album.id for album in albums])
        items = [
            schemas.AlbumSimple(
                **shapes.album_fields(album, totals.get(album.id, 0), []),
                album_group=album.album_type if grouped else None,
            )
            for album in albums
        ]
        return schemas.AlbumsPage(**paging(items=items, **page))  # type: ignore[arg-type]

    def get_albums(
        self, session: Session, album_ids: Sequence[str], *, base: str, market: str | None = None
    ) -> list[schemas.AlbumSimple | None]:
        repo = CatalogRepository(session)
        found = repo.get_albums(album_ids)
        totals = repo.count_album_tracks(list(found))
        rights = repo.album_track_rights(list(found))
        shapes = self._shapes(base, market)
        shaped = {
            album.id: schemas.AlbumSimple(
                **shapes.album_fields(
                    album,
                    totals.get(album.id, 0),
                    shapes.markets([right for rows in rights[album.id].values() for right in rows]),
                )
            )
            for album in found.values()
        }
        return [shaped.get(album_id) for album_id in album_ids]

    def get_artist(self, session: Session, artist_id: str, *, base: str) -> schemas.ArtistFull:
        artist = CatalogRepository(session).get_artist(artist_id)
        if artist is None:
            raise NotFound(f"artist '{artist_id}' not found")
        return self._shapes(base, None).artist_full(artist)

    def get_artists(
        self, session: Session, artist_ids: Sequence[str], *, base: str
    ) -> list[schemas.ArtistFull | None]:
        found = CatalogRepository(session).get_artists(artist_ids)
        shapes = self._shapes(base, None)
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
        total = repo.count_artist_albums(artist_id, album_types=types)
        url = f"{base}/v1/artists/{artist_id}/albums"
        params = {"include_groups": ",".join(include_groups)}
        return self._albums_page(
            repo,
            albums,
            self._shapes(base, None),
            grouped=True,
            url=url,
            limit=limit,
            offset=offset,
            total=total,
            params=params,
        )

    def list_albums(self, session: Session, *, base: str, limit: int, offset: int) -> schemas.AlbumsPage:
        repo = CatalogRepository(session)
        albums = repo.list_albums(limit=limit, offset=offset)
        url = f"{base}/v1/browse/new-releases"
        return self._albums_page(
            repo,
            albums,
            self._shapes(base, None),
            url=url,
            limit=limit,
            offset=offset,
            total=repo.count_albums(),
        )

    def list_artists(self, session: Session, *, base: str, limit: int, offset: int) -> schemas.ArtistsPage:
        repo = CatalogRepository(session)
        shapes = self._shapes(base, None)
        items = [shapes.artist_full(a) for a in repo.list_artists(limit=limit, offset=offset)]
        url = f"{base}/v1/browse/artists"
        return schemas.ArtistsPage(
            **paging(url, items, limit=limit, offset=offset, total=repo.count_artists())
        )

    def media(
        self, session: Session, track_id: str, *, market: str | None, audience: Audience = EVERYONE
    ) -> TrackMedia:
        """What delivery needs to play a track; NotFound or NotPlayable otherwise."""
        repo = CatalogRepository(session)
        media = self._published_media.get(track_id) or self._load_media(repo, track_id)
        # Rights are read every time: a takedown must stop the next manifest, not a later one.
        reason = (
            restriction(repo.rights([track_id])[track_id], market, utcnow(), audience) if market else None
        )
        if reason == "market":
            raise NotPlayable(f"track '{track_id}' is not available in market {market}", "market")
        if reason == "product":
            raise NotPlayable(
                f"track '{track_id}' is for premium listeners only in {market}, for now", "product"
            )
        if media.explicit and not audience.explicit_content:
            raise NotPlayable(f"track '{track_id}' is explicit, and explicit content is off", "explicit")
        return media

    def _load_media(self, repo: CatalogRepository, track_id: str) -> TrackMedia:
        track = repo.track_playback(track_id)
        if track is None:
            raise NotFound(f"track '{track_id}' not found")
        media = _track_media(track, repo.audio_files(track_id), repo.hls_package(track_id))
        self._published_media.put(track_id, media)
        return media

    @staticmethod
    def artist_id_for(name: str) -> str:
        """The id an artist of this name has (or will have, once something of theirs is published)."""
        return derive_id("artist", name.casefold())

    def ensure_artist(self, session: Session, name: str) -> str:
        """The artist of this name, created if the catalog has none yet (an artist account made
        before its first upload); returns the id."""
        if not name.strip():
            raise BadRequest("an artist needs a name")
        repo = CatalogRepository(session)
        (artist_id,) = _merge_artists(repo, [name.strip()], [])
        repo.add_changes("artist", [artist_id])
        return artist_id

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

    def find_by_master(self, session: Session, master_sha256: str) -> str | None:
        track = CatalogRepository(session).track_by_master(master_sha256)
        return track.id if track else None

    def publish(self, session: Session, new: NewTrack) -> str:
        """Write the rows of one ingested track; the caller's unit of work commits."""
        repo = CatalogRepository(session)
        existing = repo.track_by_master(new.master_sha256)
        if existing is not None:
            return existing.id
        album = _merge_album(repo, new)
        track = _new_track_row(repo, new, album)
        repo.add(track)
        # Files and rights name the track by id, so its row goes first.
        repo.flush()
        artist_ids = _merge_artists(repo, new.artist_names, new.genres)
        repo.link_track_artists(track, artist_ids)
        _add_media(repo, track.id, new)
        repo.replace_rights(track.id, [_right(track.id, t) for t in new.territories])
        repo.flush()
        # In the same transaction as the rows, so followers never miss or precede them.
        repo.add_changes("track", [track.id])
        repo.add_changes("album", [album.id])
        repo.add_changes("artist", [*artist_ids, *(link.artist_id for link in album.artist_links)])
        return track.id


def _market(market: str | None) -> dict[str, str]:
    return {"market": market} if market else {}


def _merge_artists(repo: CatalogRepository, names: Sequence[str], genres: Sequence[str]) -> list[str]:
    ids = []
    for name in names:
        artist_id = CatalogService.artist_id_for(name)
        artist = repo.merge_artist(Artist(id=artist_id, name=name, genres=list(genres)))
        ids.append(artist.id)
    return ids


def _merge_album(repo: CatalogRepository, new: NewTrack) -> Album:
    album_id = derive_id("album", new.album_name.casefold(), *[n.casefold() for n in new.album_artist_names])
    album = repo.merge_album(
        Album(
            id=album_id,
            name=new.album_name,
            album_type=new.album_type,
            release_date=new.release_date,
            release_date_precision=new.release_date_precision,
        )
    )
    repo.link_album_artists(album, _merge_artists(repo, new.album_artist_names, new.genres))
    return album


def _new_track_row(repo: CatalogRepository, new: NewTrack, album: Album) -> Track:
    number = new.track_number
    if number is None or repo.track_number_taken(album.id, new.disc_number, number):
        number = repo.next_track_number(album.id, new.disc_number)
    return Track(
        id=new_id(),
        name=new.name,
        album_id=album.id,
        disc_number=new.disc_number,
        track_number=number,
        duration_ms=new.duration_ms,
        explicit=new.explicit,
        isrc=new.isrc,
        master_sha256=new.master_sha256,
        sample_rate=new.sample_rate,
        samples=new.samples,
        integrated_lufs=new.integrated_lufs,
        true_peak_dbtp=new.true_peak_dbtp,
        tempo_bpm=new.tempo_bpm,
        key=new.key,
        mode=new.mode,
    )


def _add_media(repo: CatalogRepository, track_id: str, new: NewTrack) -> None:
    for ref in new.renditions:
        repo.add(AudioFile(track_id=track_id, **ref.__dict__))
    if new.hls is not None:
        repo.add(
            HlsPackageRow(
                track_id=track_id,
                prefix=new.hls.prefix,
                variants=list(new.hls.variants),
                files=list(new.hls.files),
            )
        )


def _right(track_id: str, territory: str) -> Right:
    return Right(track_id=track_id, territory=parse_territory(territory), allowed=True)


def _rendition(row: AudioFile) -> RenditionRef:
    fields = {name: getattr(row, name) for name in RenditionRef.__dataclass_fields__}
    return RenditionRef(**fields)


def _track_media(
    track: Row[tuple[str, int, bool, float, float]], files: list[AudioFile], hls: HlsPackageRow | None
) -> TrackMedia:
    hls_ref = None
    if hls is not None:
        hls_ref = HlsRef(prefix=hls.prefix, variants=tuple(hls.variants), files=tuple(hls.files))
    return TrackMedia(
        track_id=track.id,
        duration_ms=track.duration_ms,
        explicit=track.explicit,
        integrated_lufs=track.integrated_lufs,
        true_peak_dbtp=track.true_peak_dbtp,
        renditions=tuple(_rendition(row) for row in files),
        hls=hls_ref,
    )


catalog = CatalogService()
