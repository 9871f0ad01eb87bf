"""Publishing: an ingested track's rows (its album and artists merged by name, its files, its
rights, its audio features, its rightsholder) written with its `track.published` event, in the
caller's unit of work."""

from __future__ import annotations

import re
from collections.abc import Sequence

from sqlalchemy.orm import Session

from tonearm.catalog.features import features_row
from tonearm.catalog.media import NewTrack
from tonearm.catalog.models import Album, Artist, AudioFile, HlsPackageRow, Right, Track
from tonearm.catalog.repository import CatalogRepository, RightsholderRepository
from tonearm.catalog.rightsholders import rightsholder_named
from tonearm.catalog.track_shapes import forget_shapes
from tonearm.errors import BadRequest
from tonearm.events import ARTIST_CHANGED, TRACK_PUBLISHED, TrackPublished, make
from tonearm.kit.ids import derive_id, new_id
from tonearm.kit.outbox import emit
from tonearm.kit.territories import parse_territory

__all__ = ["CatalogPublishing", "artist_id_for", "validate_isrc"]

_ISRC = re.compile(r"^[A-Z]{2}[A-Z0-9]{3}[0-9]{7}$")


def validate_isrc(value: str) -> str:
    code = value.replace("-", "").strip().upper()
    if not _ISRC.match(code):
        raise BadRequest(f"ISRC '{value[:20]}' is not 2 letters, 3 alphanumerics and 7 digits")
    return code


def artist_id_for(name: str) -> str:
    """The id an artist of this name has (or will have, once something of theirs is published)."""
    return derive_id("artist", name.casefold())


class CatalogPublishing:
    @staticmethod
    def artist_id_for(name: str) -> str:
        """The id an artist of this name has (or will have, once something of theirs is published)."""
        return artist_id_for(name)

    def ensure_artist(self, session: Session, name: str) -> str:
        """The artist of this name, created if the catalog has none yet (an artist account made
        before its first upload); returns the id."""
        if not name.strip():
            raise BadRequest("an artist needs a name")
        repo = CatalogRepository(session)
        artist_id = artist_id_for(name.strip())
        if repo.get_artist(artist_id) is None:
            _merge_artists(repo, [name.strip()], [])
            emit(session, make(ARTIST_CHANGED, {"id": artist_id, "fields": ["created"]}))
        return artist_id

    def find_by_master(self, session: Session, master_sha256: str) -> str | None:
        track = CatalogRepository(session).track_by_master(master_sha256)
        return track.id if track else None

    def publish(self, session: Session, new: NewTrack) -> str:
        """Write the rows of one ingested track and its event; the caller's unit of work commits
        both or neither. The same master published again is the track it already made."""
        repo = CatalogRepository(session)
        existing = repo.track_by_master(new.master_sha256)
        if existing is not None:
            return existing.id
        album = _merge_album(repo, new)
        track = _new_track_row(repo, new, album)
        if new.label:
            # A label the tags name is the rightsholder, whatever kind an operator made it.
            holder = rightsholder_named(RightsholderRepository(session), new.label, "label", any_kind=True)
            track.rightsholder_id = holder.id
        repo.add(track)
        # Files and rights name the track by id, so its row goes first.
        repo.flush()
        artist_ids = _merge_artists(repo, new.artist_names, new.genres)
        repo.link_track_artists(track, artist_ids)
        _add_media(repo, track.id, new)
        if new.features is not None:
            repo.put_audio_features(features_row(track.id, new.features))
        repo.replace_rights(track.id, [_right(track.id, t) for t in new.territories])
        repo.flush()
        credited = [*artist_ids, *(link.artist_id for link in album.artist_links)]
        published: TrackPublished = {
            "track_id": track.id,
            "album_id": album.id,
            "artist_ids": list(dict.fromkeys(credited)),
        }
        emit(session, make(TRACK_PUBLISHED, published))
        forget_shapes()  # the album's track count changed for every track on it
        return track.id


def _merge_artists(repo: CatalogRepository, names: Sequence[str], genres: Sequence[str]) -> list[str]:
    ids = []
    for name in names:
        artist = repo.merge_artist(Artist(id=artist_id_for(name), name=name, genres=list(genres)))
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
            label=new.label,
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
