"""All SQL of the catalog."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Row, delete, func, select
from sqlalchemy.orm import Session

from tonearm.catalog.models import (
    Album,
    AlbumArtist,
    Artist,
    AudioFile,
    HlsPackageRow,
    Right,
    Track,
    TrackArtist,
)

__all__ = ["CatalogRepository"]


class CatalogRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get_track(self, track_id: str) -> Track | None:
        return self.session.get(Track, track_id)

    def track_playback(self, track_id: str) -> Row[tuple[str, int, bool, float, float]] | None:
        """Just what playback needs, without the album and artists a full track loads."""
        query = select(
            Track.id, Track.duration_ms, Track.explicit, Track.integrated_lufs, Track.true_peak_dbtp
        ).where(Track.id == track_id)
        return self.session.execute(query).first()

    def get_tracks(self, track_ids: Sequence[str]) -> dict[str, Track]:
        rows = self.session.scalars(select(Track).where(Track.id.in_(track_ids)))
        return {row.id: row for row in rows}

    def track_by_master(self, master_sha256: str) -> Track | None:
        return self.session.scalar(select(Track).where(Track.master_sha256 == master_sha256))

    def get_album(self, album_id: str) -> Album | None:
        return self.session.get(Album, album_id)

    def get_artist(self, artist_id: str) -> Artist | None:
        return self.session.get(Artist, artist_id)

    def get_artists(self, artist_ids: Sequence[str]) -> dict[str, Artist]:
        rows = self.session.scalars(select(Artist).where(Artist.id.in_(artist_ids)))
        return {row.id: row for row in rows}

    def album_tracks(self, album_id: str, *, limit: int, offset: int) -> list[Track]:
        query = (
            select(Track)
            .where(Track.album_id == album_id)
            .order_by(Track.disc_number, Track.track_number)
            .limit(limit)
            .offset(offset)
        )
        return list(self.session.scalars(query))

    def count_album_tracks(self, album_ids: Sequence[str]) -> dict[str, int]:
        query = (
            select(Track.album_id, func.count()).where(Track.album_id.in_(album_ids)).group_by(Track.album_id)
        )
        return {album_id: count for album_id, count in self.session.execute(query)}

    def _artist_albums_query(self, artist_id: str, album_types: Sequence[str]):  # type: ignore[no-untyped-def]
        return (
            select(Album)
            .join(AlbumArtist, AlbumArtist.album_id == Album.id)
            .where(AlbumArtist.artist_id == artist_id, Album.album_type.in_(album_types))
        )

    def artist_albums(
        self, artist_id: str, *, album_types: Sequence[str], limit: int, offset: int
    ) -> list[Album]:
        query = self._artist_albums_query(artist_id, album_types)
        query = query.order_by(Album.release_date.desc(), Album.name).limit(limit).offset(offset)
        return list(self.session.scalars(query))

    def count_artist_albums(self, artist_id: str, *, album_types: Sequence[str]) -> int:
        query = self._artist_albums_query(artist_id, album_types).with_only_columns(func.count())
        return self.session.scalar(query) or 0

    def list_artists(self, *, limit: int, offset: int) -> list[Artist]:
        query = select(Artist).order_by(Artist.name, Artist.id).limit(limit).offset(offset)
        return list(self.session.scalars(query))

    def count_artists(self) -> int:
        return self.session.scalar(select(func.count()).select_from(Artist)) or 0

    def list_albums(self, *, limit: int, offset: int) -> list[Album]:
        query = (
            select(Album)
            .order_by(Album.release_date.desc(), Album.name, Album.id)
            .limit(limit)
            .offset(offset)
        )
        return list(self.session.scalars(query))

    def count_albums(self) -> int:
        return self.session.scalar(select(func.count()).select_from(Album)) or 0

    def audio_files(self, track_id: str) -> list[AudioFile]:
        query = (
            select(AudioFile)
            .where(AudioFile.track_id == track_id)
            # Lossless (bitrate 0) is the top of the ladder, not the bottom.
            .order_by(AudioFile.bitrate == 0, AudioFile.bitrate)
        )
        return list(self.session.scalars(query))

    def hls_package(self, track_id: str) -> HlsPackageRow | None:
        return self.session.get(HlsPackageRow, track_id)

    def rights(self, track_ids: Sequence[str]) -> dict[str, list[Right]]:
        found: dict[str, list[Right]] = {track_id: [] for track_id in track_ids}
        for right in self.session.scalars(select(Right).where(Right.track_id.in_(track_ids))):
            found[right.track_id].append(right)
        return found

    def add(self, row: object) -> None:
        self.session.add(row)

    def flush(self) -> None:
        self.session.flush()

    def merge_artist(self, artist: Artist) -> Artist:
        existing = self.session.get(Artist, artist.id)
        if existing is not None:
            return existing
        self.session.add(artist)
        # Links name artists by id only, so the row must exist before they flush.
        self.session.flush()
        return artist

    def merge_album(self, album: Album) -> Album:
        existing = self.session.get(Album, album.id)
        if existing is not None:
            return existing
        self.session.add(album)
        self.session.flush()
        return album

    def link_track_artists(self, track: Track, artist_ids: Sequence[str]) -> None:
        track.artist_links = [
            TrackArtist(artist_id=artist_id, position=index) for index, artist_id in enumerate(artist_ids)
        ]

    def link_album_artists(self, album: Album, artist_ids: Sequence[str]) -> None:
        if not album.artist_links:
            album.artist_links = [
                AlbumArtist(artist_id=artist_id, position=index) for index, artist_id in enumerate(artist_ids)
            ]

    def next_track_number(self, album_id: str, disc_number: int) -> int:
        query = select(func.max(Track.track_number)).where(
            Track.album_id == album_id, Track.disc_number == disc_number
        )
        return (self.session.scalar(query) or 0) + 1

    def track_number_taken(self, album_id: str, disc_number: int, track_number: int) -> bool:
        query = select(Track.id).where(
            Track.album_id == album_id,
            Track.disc_number == disc_number,
            Track.track_number == track_number,
        )
        return self.session.scalar(query) is not None

    def replace_rights(self, track_id: str, rights: Sequence[Right]) -> None:
        self.session.execute(delete(Right).where(Right.track_id == track_id))
        self.session.add_all(rights)
