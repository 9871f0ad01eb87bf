"""All SQL of the catalog."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import TypeAlias, TypeVarTuple

from sqlalchemy import CursorResult, Row, Select, bindparam, delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import InstrumentedAttribute, Session

from tonearm.catalog.models import (
    Album,
    AlbumArtist,
    Artist,
    AudioFeaturesRow,
    AudioFile,
    HlsPackageRow,
    Right,
    Rightsholder,
    Track,
    TrackArtist,
    TrackSplit,
)

__all__ = [
    "AlbumRightRow",
    "AlbumRow",
    "ArtistRow",
    "CatalogRepository",
    "PlaybackRow",
    "RightRow",
    "RightsholderRepository",
    "ShareRow",
    "TrackRow",
]

_Ts = TypeVarTuple("_Ts")

# Plain rows for bulk reads, which build no ORM objects.
PlaybackRow: TypeAlias = Row[str, int, bool, float, float]
# id, name, isrc, popularity, album_id, album_name, release_date
TrackRow: TypeAlias = Row[str, str, str | None, int, str, str, str]
# id, name, album_type, release_date, popularity
AlbumRow: TypeAlias = Row[str, str, str, str, int]
# id, name, popularity
ArtistRow: TypeAlias = Row[str, str, int]
# track_id, territory, allowed, valid_from, valid_to, premium_only
RightRow: TypeAlias = Row[str, str, bool, datetime | None, datetime | None, bool]
# album_id, then a RightRow's columns
AlbumRightRow: TypeAlias = Row[str, str, str, bool, datetime | None, datetime | None, bool]
# track_id, rightsholder_id, rightsholder_name, then party, role, share_bp (None for a track
# without stored splits)
ShareRow: TypeAlias = Row[str, str, str, str | None, str | None, int | None]

_POPULAR: dict[str, type[Track] | type[Album] | type[Artist]] = {
    "track": Track,
    "album": Album,
    "artist": Artist,
}
_RIGHT_COLUMNS = (
    Right.track_id,
    Right.territory,
    Right.allowed,
    Right.valid_from,
    Right.valid_to,
    Right.premium_only,
)
# Built once: a manifest reads one track's rights on every request, and building the statement
# cost more than running it.
_RIGHTS_OF_TRACK = select(*_RIGHT_COLUMNS).where(Right.track_id == bindparam("track_id"))


class CatalogRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get_track(self, track_id: str) -> Track | None:
        return self.session.get(Track, track_id)

    def track_playback(self, track_id: str) -> PlaybackRow | None:
        """Just what playback needs, without the album and artists a full track loads."""
        query = select(
            Track.id, Track.duration_ms, Track.explicit, Track.integrated_lufs, Track.true_peak_dbtp
        ).where(Track.id == track_id)
        return self.session.execute(query).first()

    def get_tracks(self, track_ids: Sequence[str]) -> dict[str, Track]:
        rows = self.session.scalars(select(Track).where(Track.id.in_(track_ids)))
        return {row.id: row for row in rows}

    def explicit_flags(self, track_ids: Sequence[str]) -> dict[str, bool]:
        query = select(Track.id, Track.explicit).where(Track.id.in_(track_ids))
        return {track_id: explicit for track_id, explicit in self.session.execute(query)}

    def track_by_master(self, master_sha256: str) -> Track | None:
        return self.session.scalar(select(Track).where(Track.master_sha256 == master_sha256))

    def get_album(self, album_id: str) -> Album | None:
        return self.session.get(Album, album_id)

    def get_albums(self, album_ids: Sequence[str]) -> dict[str, Album]:
        rows = self.session.scalars(select(Album).where(Album.id.in_(album_ids)))
        return {row.id: row for row in rows}

    def album_ids(self, track_ids: Sequence[str]) -> dict[str, str]:
        rows = self.session.execute(select(Track.id, Track.album_id).where(Track.id.in_(track_ids)))
        return {track_id: album_id for track_id, album_id in rows}

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

    def album_track_ids(self, album_id: str) -> list[str]:
        query = (
            select(Track.id).where(Track.album_id == album_id).order_by(Track.disc_number, Track.track_number)
        )
        return list(self.session.scalars(query))

    def count_album_tracks(self, album_ids: Sequence[str]) -> dict[str, int]:
        query = (
            select(Track.album_id, func.count()).where(Track.album_id.in_(album_ids)).group_by(Track.album_id)
        )
        return {album_id: count for album_id, count in self.session.execute(query)}

    def _artist_albums_query(self, artist_id: str, album_types: Sequence[str]) -> Select[Album]:
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

    def count_tracks(self) -> int:
        return self.session.scalar(select(func.count()).select_from(Track)) or 0

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

    def popularity(self, kind: str, entity_id: str) -> int | None:
        """The popularity of a track, album or artist; None when there is no such entity."""
        table = _POPULAR[kind]
        return self.session.scalar(select(table.popularity).where(table.id == entity_id))

    def set_popularity(self, kind: str, entity_id: str, popularity: int) -> None:
        table = _POPULAR[kind]
        self.session.execute(update(table).where(table.id == entity_id).values(popularity=popularity))

    def delete_denials(self, track_id: str, territory: str | None) -> int:
        query = delete(Right).where(Right.track_id == track_id, Right.allowed.is_(False))
        if territory is not None:
            query = query.where(Right.territory == territory)
        result = self.session.execute(query)
        assert isinstance(result, CursorResult), "a DELETE answers with a cursor result"
        return result.rowcount

    def replace_rights(self, track_id: str, rights: Sequence[Right]) -> None:
        self.session.execute(delete(Right).where(Right.track_id == track_id))
        self.session.add_all(rights)

    # What the catalog's followers read: plain rows, fetched in batches by id.

    def rights_turning(self, after: datetime, until: datetime) -> list[str]:
        """Tracks with a territory window that opened or closed in (after, until]."""
        opened = (Right.valid_from > after) & (Right.valid_from <= until)
        closed = (Right.valid_to > after) & (Right.valid_to <= until)
        return list(self.session.scalars(select(Right.track_id).where(opened | closed).distinct()))

    def _page(
        self,
        query: Select[*_Ts],
        column: InstrumentedAttribute[str],
        ids: Sequence[str] | None,
        after: str | None,
        limit: int,
    ) -> Sequence[Row[*_Ts]]:
        if ids is not None:
            return self.session.execute(query.where(column.in_(ids))).all()
        if after is not None:
            query = query.where(column > after)
        return self.session.execute(query.order_by(column).limit(limit)).all()

    def track_rows(
        self, *, ids: Sequence[str] | None = None, after: str | None = None, limit: int = 0
    ) -> Sequence[TrackRow]:
        query = select(
            Track.id,
            Track.name,
            Track.isrc,
            Track.popularity,
            Album.id.label("album_id"),
            Album.name.label("album_name"),
            Album.release_date,
        ).join(Album, Album.id == Track.album_id)
        return self._page(query, Track.id, ids, after, limit)

    def album_rows(
        self, *, ids: Sequence[str] | None = None, after: str | None = None, limit: int = 0
    ) -> Sequence[AlbumRow]:
        query = select(Album.id, Album.name, Album.album_type, Album.release_date, Album.popularity)
        return self._page(query, Album.id, ids, after, limit)

    def artist_rows(
        self, *, ids: Sequence[str] | None = None, after: str | None = None, limit: int = 0
    ) -> Sequence[ArtistRow]:
        query = select(Artist.id, Artist.name, Artist.popularity)
        return self._page(query, Artist.id, ids, after, limit)

    def track_credits(self, track_ids: Sequence[str]) -> dict[str, list[tuple[str, str]]]:
        query = (
            select(TrackArtist.track_id, Artist.id, Artist.name)
            .join(Artist, Artist.id == TrackArtist.artist_id)
            .where(TrackArtist.track_id.in_(track_ids))
            .order_by(TrackArtist.track_id, TrackArtist.position)
        )
        found: dict[str, list[tuple[str, str]]] = {}
        for track_id, artist_id, name in self.session.execute(query):
            found.setdefault(track_id, []).append((artist_id, name))
        return found

    def album_credits(self, album_ids: Sequence[str]) -> dict[str, list[tuple[str, str]]]:
        query = (
            select(AlbumArtist.album_id, Artist.id, Artist.name)
            .join(Artist, Artist.id == AlbumArtist.artist_id)
            .where(AlbumArtist.album_id.in_(album_ids))
            .order_by(AlbumArtist.album_id, AlbumArtist.position)
        )
        found: dict[str, list[tuple[str, str]]] = {}
        for album_id, artist_id, name in self.session.execute(query):
            found.setdefault(album_id, []).append((artist_id, name))
        return found

    def rights_rows(self, track_ids: Sequence[str]) -> dict[str, list[RightRow]]:
        """Rights as plain rows: a bulk read builds no ORM objects."""
        found: dict[str, list[RightRow]] = {track_id: [] for track_id in track_ids}
        query = select(*_RIGHT_COLUMNS).where(Right.track_id.in_(track_ids))
        for row in self.session.execute(query):
            found[row.track_id].append(row)
        return found

    def rights_of(self, track_id: str) -> list[RightRow]:
        return list(self.session.execute(_RIGHTS_OF_TRACK, {"track_id": track_id}))

    def album_track_rights(self, album_ids: Sequence[str]) -> dict[str, dict[str, list[AlbumRightRow]]]:
        """album id -> track id -> rights rows, for every track of these albums."""
        query = (
            select(Track.album_id, *_RIGHT_COLUMNS)
            .join(Right, Right.track_id == Track.id)
            .where(Track.album_id.in_(album_ids))
        )
        found: dict[str, dict[str, list[AlbumRightRow]]] = {album_id: {} for album_id in album_ids}
        for row in self.session.execute(query):
            found[row.album_id].setdefault(row.track_id, []).append(row)
        return found

    def album_of(self, track_id: str) -> str | None:
        return self.session.scalar(select(Track.album_id).where(Track.id == track_id))

    # Audio features: what the analyser found, and which tracks it has still to hear.

    def audio_features(self, track_ids: Sequence[str]) -> dict[str, AudioFeaturesRow]:
        rows = self.session.scalars(select(AudioFeaturesRow).where(AudioFeaturesRow.track_id.in_(track_ids)))
        return {row.track_id: row for row in rows}

    def existing_tracks(self, track_ids: Sequence[str]) -> set[str]:
        return set(self.session.scalars(select(Track.id).where(Track.id.in_(track_ids))))

    def put_audio_features(self, row: AudioFeaturesRow) -> None:
        self.session.execute(delete(AudioFeaturesRow).where(AudioFeaturesRow.track_id == row.track_id))
        self.session.add(row)

    def _unanalysed(self, analyser: str) -> Select[str]:
        current = select(AudioFeaturesRow.track_id).where(AudioFeaturesRow.analyser == analyser)
        return select(Track.id).where(Track.id.not_in(current))

    def unanalysed_tracks(self, analyser: str, *, after: str | None, limit: int) -> list[str]:
        """Tracks with no features from `analyser` (none, or an older analyser's), by id."""
        query = self._unanalysed(analyser)
        if after is not None:
            query = query.where(Track.id > after)
        return list(self.session.scalars(query.order_by(Track.id).limit(limit)))

    def count_unanalysed(self, analyser: str) -> int:
        query = select(func.count()).select_from(self._unanalysed(analyser).subquery())
        return self.session.scalar(query) or 0

    def analysis_source(self, track_id: str) -> tuple[str, float] | None:
        """The kept file that sounds most like the master (lossless first, then the highest
        bitrate) and the track's integrated loudness."""
        query = (
            select(AudioFile.storage_key, Track.integrated_lufs)
            .join(Track, Track.id == AudioFile.track_id)
            .where(AudioFile.track_id == track_id)
            .order_by((AudioFile.bitrate == 0).desc(), AudioFile.bitrate.desc())
            .limit(1)
        )
        row = self.session.execute(query).first()
        return (row[0], row[1]) if row else None


class RightsholderRepository:
    """Rightsholders and the splits of their share: whom a track's streams pay."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def by_key(self, name_key: str) -> Rightsholder | None:
        return self.session.scalar(select(Rightsholder).where(Rightsholder.name_key == name_key))

    def ensure(self, *, id_: str, name: str, name_key: str, kind: str, created_at: datetime) -> Rightsholder:
        """The rightsholder of this name key, inserted with these values if there is none. Two
        transactions adding the same name meet at the unique key and both get the one row."""
        dialect = self.session.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        values = {"id": id_, "name": name, "name_key": name_key, "kind": kind, "created_at": created_at}
        self.session.execute(insert(Rightsholder).values(values).on_conflict_do_nothing())
        found = self.by_key(name_key)
        assert found is not None, "the row was there or has just been inserted"
        return found

    def existing_tracks(self, track_ids: Sequence[str]) -> set[str]:
        return set(self.session.scalars(select(Track.id).where(Track.id.in_(track_ids))))

    def album_track_ids(self, album_id: str) -> list[str]:
        query = select(Track.id).where(Track.album_id == album_id)
        return list(self.session.scalars(query.order_by(Track.disc_number, Track.track_number)))

    def assign(self, track_ids: Sequence[str], rightsholder_id: str) -> None:
        query = update(Track).where(Track.id.in_(track_ids)).values(rightsholder_id=rightsholder_id)
        self.session.execute(query)

    def of_tracks(self, track_ids: Sequence[str]) -> dict[str, Rightsholder]:
        query = (
            select(Track.id, Rightsholder)
            .join(Rightsholder, Rightsholder.id == Track.rightsholder_id)
            .where(Track.id.in_(track_ids))
        )
        return {track_id: holder for track_id, holder in self.session.execute(query)}

    def splits(self, track_ids: Sequence[str]) -> dict[str, list[TrackSplit]]:
        query = (
            select(TrackSplit)
            .where(TrackSplit.track_id.in_(track_ids))
            .order_by(TrackSplit.track_id, TrackSplit.share_bp.desc(), TrackSplit.party, TrackSplit.role)
        )
        found: dict[str, list[TrackSplit]] = {}
        for split in self.session.scalars(query):
            found.setdefault(split.track_id, []).append(split)
        return found

    def replace_splits(self, track_id: str, splits: Sequence[TrackSplit]) -> None:
        self.session.execute(delete(TrackSplit).where(TrackSplit.track_id == track_id))
        self.session.add_all(splits)
        self.session.flush()

    def shares(self, batch: int) -> Iterator[Sequence[ShareRow]]:
        """Every track with a rightsholder, one row per stored split (or one row with no split),
        by track id, streamed from the database `batch` rows at a time."""
        query = (
            select(
                Track.id,
                Rightsholder.id,
                Rightsholder.name,
                TrackSplit.party,
                TrackSplit.role,
                TrackSplit.share_bp,
            )
            .join(Rightsholder, Rightsholder.id == Track.rightsholder_id)
            .outerjoin(TrackSplit, TrackSplit.track_id == Track.id)
            .order_by(Track.id, TrackSplit.share_bp.desc(), TrackSplit.party, TrackSplit.role)
            .execution_options(yield_per=batch)
        )
        yield from self.session.execute(query).partitions()

    def artist_ids(self, track_ids: Sequence[str]) -> dict[str, list[str]]:
        query = (
            select(TrackArtist.track_id, TrackArtist.artist_id)
            .where(TrackArtist.track_id.in_(track_ids))
            .order_by(TrackArtist.track_id, TrackArtist.position)
        )
        found: dict[str, list[str]] = {}
        for track_id, artist_id in self.session.execute(query):
            found.setdefault(track_id, []).append(artist_id)
        return found

    def of_artists(self, artist_ids: Sequence[str]) -> set[str]:
        query = (
            select(Track.rightsholder_id)
            .join(TrackArtist, TrackArtist.track_id == Track.id)
            .where(TrackArtist.artist_id.in_(artist_ids), Track.rightsholder_id.is_not(None))
            .distinct()
        )
        return {holder_id for holder_id in self.session.scalars(query) if holder_id is not None}
