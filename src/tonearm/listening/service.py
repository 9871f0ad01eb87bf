"""History out: a user's recently played tracks and top tracks and artists, the anonymous daily
tallies that royalties are paid from, and the personal history the privacy service exports and
erases. What goes in comes from clients' playback events, through the event log
(`intake` appends them, `consumer` applies them).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlencode

from sqlalchemy.orm import Session

from tonearm.catalog import ArtistsPage, TrackFull, TracksPage
from tonearm.catalog import catalog as catalog_service
from tonearm.errors import BadRequest
from tonearm.kit.ids import uri
from tonearm.kit.pagination import MAX_LIMIT, paging
from tonearm.kit.rights import EVERYONE, Audience
from tonearm.kit.time import EPOCH, as_utc, iso_ms, unix_day, unix_ms, utcnow
from tonearm.listening import schemas
from tonearm.listening.models import Play
from tonearm.listening.repository import ListeningRepository

__all__ = [
    "MAX_CURSOR_MS",
    "RECENTLY_PLAYED_PATH",
    "SKIP_MS",
    "TIME_RANGES",
    "CountedStream",
    "ListeningService",
    "iso_ms",
    "listening",
    "unix_ms",
]

RECENTLY_PLAYED_PATH = "/v1/me/player/recently-played"
ONE_MS = timedelta(milliseconds=1)
# 9999-12-31T23:59:59.999Z: the last moment a datetime can hold.
MAX_CURSOR_MS = 253_402_300_799_999
RETENTION_BATCH = 5000
# The export names the tracks; the catalog is asked for this many at a time.
EXPORT_CHUNK = 200
# Counted streams are read off the database this many rows at a time.
STREAM_CHUNK = 5000


# Spotify's time ranges for top items: about 4 weeks, about 6 months, and all we keep.
TIME_RANGES: dict[str, int | None] = {"short_term": 28, "medium_term": 182, "long_term": None}
TOP_PATH = "/v1/me/top"
# A play that ends before this without counting is a skip (the 30-second rule's other side).
SKIP_MS = 30_000


@dataclass(frozen=True)
class CountedStream:
    """One counted play (a stream: 30 s or more of it played), as the warehouse exports it."""

    id: str
    user_id: str | None  # None once the user row went some other way than erasure
    track_id: str
    played_at: datetime  # UTC
    ms_played: int
    country: str
    product: str
    device_id: str | None
    offline: bool


def _cursor(value: int | None, name: str) -> datetime | None:
    if value is None:
        return None
    if not 0 <= value <= MAX_CURSOR_MS:
        raise BadRequest(f"{name} must be a time in unix milliseconds between 0 and {MAX_CURSOR_MS}")
    return EPOCH + value * ONE_MS


def _context(play: Play, base: str) -> dict[str, object] | None:
    """Spotify's context object for what the play was started from (an album, a playlist)."""
    if not play.context_uri:
        return None
    _, kind, id_ = play.context_uri.split(":", 2)
    return {
        "type": kind,
        "uri": play.context_uri,
        "href": f"{base}/v1/{kind}s/{id_}",
        "external_urls": {"tonearm": f"{base}/{kind}/{id_}"},
    }


class ListeningService:
    # ---- history out ----
    def recently_played(
        self,
        session: Session,
        user_id: str,
        *,
        base: str,
        limit: int = 20,
        before: int | None = None,
        after: int | None = None,
        market: str | None = None,
        audience: Audience = EVERYONE,
    ) -> schemas.RecentlyPlayed:
        """Spotify's recently played: newest first, paged by unix-millisecond cursors."""
        if before is not None and after is not None:
            raise BadRequest("send either before or after, not both")
        if not 1 <= limit <= MAX_LIMIT:
            raise BadRequest(f"limit must be between 1 and {MAX_LIMIT}")
        repo = ListeningRepository(session)
        plays = repo.history(
            user_id, limit=limit, before=_cursor(before, "before"), after=_cursor(after, "after")
        )
        tracks = self._tracks(session, plays, base=base, market=market, audience=audience)
        items = [
            schemas.PlayHistory(
                track=tracks[play.track_id], played_at=iso_ms(play.played_at), context=_context(play, base)
            )
            for play in plays
            if play.track_id in tracks
        ]
        url = f"{base}{RECENTLY_PLAYED_PATH}"
        asked = {"limit": limit, "before": before, "after": after}
        href = f"{url}?{urlencode({key: value for key, value in asked.items() if value is not None})}"
        total = repo.count_plays(user_id)
        if not plays:
            return schemas.RecentlyPlayed(
                href=href, items=[], limit=limit, next=None, cursors=schemas.Cursors(), total=total
            )
        newest, oldest = unix_ms(plays[0].played_at), unix_ms(plays[-1].played_at)
        older = repo.has_played_before(user_id, plays[-1].played_at)
        return schemas.RecentlyPlayed(
            href=href,
            items=items,
            limit=limit,
            next=f"{url}?{urlencode({'limit': limit, 'before': oldest})}" if older else None,
            cursors=schemas.Cursors(after=str(newest), before=str(oldest)),
            total=total,
        )

    @staticmethod
    def _tracks(
        session: Session, plays: Sequence[Play], *, base: str, market: str | None, audience: Audience
    ) -> dict[str, TrackFull]:
        ids = list(dict.fromkeys(play.track_id for play in plays))
        if not ids:
            return {}
        found = catalog_service.get_tracks(session, ids, base=base, market=market, audience=audience)
        return {track.id: track for track in found if track is not None}

    # ---- personal data ----
    def history(self, session: Session, user_id: str) -> list[schemas.PlayRecord]:
        """Every play the user has on record, oldest first, with the tracks' names."""
        plays = ListeningRepository(session).all_plays(user_id)
        tracks: dict[str, TrackFull] = {}
        ids = list(dict.fromkeys(play.track_id for play in plays))
        for start in range(0, len(ids), EXPORT_CHUNK):
            found = catalog_service.get_tracks(session, ids[start : start + EXPORT_CHUNK], base="")
            tracks.update((track.id, track) for track in found if track is not None)
        return [self._record(play, tracks.get(play.track_id)) for play in plays]

    @staticmethod
    def _record(play: Play, track: TrackFull | None) -> schemas.PlayRecord:
        return schemas.PlayRecord(
            track_id=play.track_id,
            track_uri=uri("track", play.track_id),
            track_name=track.name if track else None,
            artist_names=[artist.name for artist in track.artists] if track else [],
            played_at=iso_ms(play.played_at),
            ms_played=play.ms_played,
            country=play.country,
            product=play.product,
            client_id=play.client_id,
        )

    def erase_user(self, session: Session, user_id: str) -> int:
        """Delete the user's plays, stream counts, devices and receipts; the anonymous tallies
        they were counted in stay."""
        repo = ListeningRepository(session)
        return repo.delete_user_plays(user_id) + repo.delete_user_data(user_id)

    def stream_days(self, session: Session, user_id: str) -> list[dict[str, object]]:
        """The user's counted streams per track and day, for the data export."""
        return [
            {"track_id": row.track_id, "day": row.day.isoformat(), "streams": row.streams}
            for row in ListeningRepository(session).stream_days(user_id)
        ]

    # ---- what recommendations learn from ----
    def feedback(
        self,
        session: Session,
        *,
        since: datetime | None = None,
        user_id: str | None = None,
        skip_ms: int = SKIP_MS,
    ) -> list[schemas.Feedback]:
        """Every user's (or one user's) streams and skips of each track they played since the
        moment (all that is kept when None)."""
        rows = ListeningRepository(session).feedback(as_utc(since) if since else None, skip_ms, user_id)
        return [
            schemas.Feedback(
                user_id=user, track_id=track, streams=streams, skips=skips, last_played=as_utc(last)
            )
            for user, track, streams, skips, last in rows
        ]

    def hours_played(
        self, session: Session, track_ids: Sequence[str], *, since: datetime, utc_offset_minutes: int = 0
    ) -> dict[str, list[int]]:
        """Each track's counted streams (everyone's) since the moment by hour of day (24 counts),
        in the time zone `utc_offset_minutes` away from UTC; tracks nobody streamed are left out."""
        hours: dict[str, list[int]] = {}
        shift = timedelta(minutes=utc_offset_minutes)
        ids = list(dict.fromkeys(track_ids))
        repo = ListeningRepository(session)
        for start in range(0, len(ids), 500):
            for track_id, at in repo.play_times(ids[start : start + 500], as_utc(since)):
                hours.setdefault(track_id, [0] * 24)[(as_utc(at) + shift).hour] += 1
        return hours

    def popular_in(
        self, session: Session, country: str, *, days: int = 28, limit: int = 500
    ) -> list[tuple[str, int]]:
        """(track, streams) most streamed in the country over the last `days`, most first."""
        since = (utcnow() - timedelta(days=days)).date()
        return ListeningRepository(session).streams_in(country.upper(), since, limit)

    def heard_since(self, session: Session, user_id: str, moment: datetime) -> set[str]:
        """The tracks the user played (counted or not) since the moment."""
        return ListeningRepository(session).heard_since(user_id, as_utc(moment))

    def contexts(self, session: Session, user_id: str, *, limit: int = 50) -> list[schemas.PlayedContext]:
        """The albums and playlists the user played from, latest first."""
        return [
            schemas.PlayedContext(uri=context, last_played=as_utc(at), plays=plays)
            for context, at, plays in ListeningRepository(session).contexts(user_id, limit)
        ]

    # ---- top items ----
    def _ranked_tracks(self, session: Session, user_id: str, time_range: str) -> list[tuple[str, int]]:
        if time_range not in TIME_RANGES:
            raise BadRequest(f"time_range must be one of {', '.join(TIME_RANGES)}")
        days = TIME_RANGES[time_range]
        since = (utcnow() - timedelta(days=days)).date() if days is not None else None
        return ListeningRepository(session).top_tracks(user_id, since)

    def top_tracks(
        self,
        session: Session,
        user_id: str,
        *,
        base: str,
        time_range: str = "medium_term",
        limit: int = 20,
        offset: int = 0,
        market: str | None = None,
        audience: Audience = EVERYONE,
    ) -> TracksPage:
        """The tracks the user streamed most in the time range, most first."""
        ranked = self._ranked_tracks(session, user_id, time_range)
        ids = [track_id for track_id, _ in ranked[offset : offset + limit]]
        found = catalog_service.get_tracks(session, ids, base=base, market=market, audience=audience)
        items = [track for track in found if track is not None]
        url = f"{base}{TOP_PATH}/tracks"
        page = paging(
            url, items, limit=limit, offset=offset, total=len(ranked), params={"time_range": time_range}
        )
        return TracksPage.model_validate(page)

    def top_artists(
        self,
        session: Session,
        user_id: str,
        *,
        base: str,
        time_range: str = "medium_term",
        limit: int = 20,
        offset: int = 0,
    ) -> ArtistsPage:
        """The artists whose tracks the user streamed most in the time range (every credited
        artist of a track shares its streams), most first."""
        ranked = self._ranked_tracks(session, user_id, time_range)
        facts = catalog_service.track_facts(session, [track_id for track_id, _ in ranked])
        streams: dict[str, int] = {}
        for track_id, count in ranked:
            for artist_id in facts[track_id].artist_ids if track_id in facts else ():
                streams[artist_id] = streams.get(artist_id, 0) + count
        # Ties keep the order of first appearance: the artist of the more streamed, more recent track.
        order = sorted(streams, key=lambda artist_id: -streams[artist_id])
        ids = order[offset : offset + limit]
        items = [
            artist for artist in catalog_service.get_artists(session, ids, base=base) if artist is not None
        ]
        url = f"{base}{TOP_PATH}/artists"
        page = paging(
            url, items, limit=limit, offset=offset, total=len(order), params={"time_range": time_range}
        )
        return ArtistsPage.model_validate(page)

    def delete_played_before(
        self, session: Session, moment: datetime, *, limit: int = RETENTION_BATCH
    ) -> int:
        """Delete up to `limit` plays (anyone's) older than `moment`; how many went."""
        return ListeningRepository(session).delete_played_before(as_utc(moment), limit=limit)

    def delete_receipts_before(
        self, session: Session, moment: datetime, *, limit: int = RETENTION_BATCH
    ) -> int:
        """Delete up to `limit` playback receipts (anyone's) of events from UTC days wholly
        before `moment`."""
        return ListeningRepository(session).delete_receipts_before(unix_day(moment), limit=limit)

    # ---- what the warehouse exports ----
    def counted_streams(self, session: Session, start: datetime, end: datetime) -> Iterator[CountedStream]:
        """Everyone's counted plays with start <= played_at < end, by played_at then id, read a
        chunk at a time (a day of a busy service does not fit in memory as ORM rows)."""
        rows = ListeningRepository(session).counted_plays(as_utc(start), as_utc(end), chunk=STREAM_CHUNK)
        for id_, user_id, track_id, played_at, ms_played, country, product, device_id, offline in rows:
            yield CountedStream(
                id=id_,
                user_id=user_id,
                track_id=track_id,
                played_at=as_utc(played_at),
                ms_played=ms_played or 0,
                country=country,
                product=product,
                device_id=device_id,
                offline=bool(offline),
            )

    # ---- tallies ----
    def tallies(self, session: Session, *, track_id: str | None = None) -> list[schemas.Tally]:
        rows = ListeningRepository(session).tallies(track_id)
        return [
            schemas.Tally(
                track_id=row.track_id, day=row.day, country=row.country, product=row.product, plays=row.plays
            )
            for row in rows
        ]


listening = ListeningService()
