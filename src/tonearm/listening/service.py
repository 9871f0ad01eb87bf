"""Plays in, history out: a user's recently played tracks, the anonymous daily tallies that
royalties are paid from, and the personal history the privacy service exports and erases.

A play is recorded when a signed-in user starts a track. A client retries, and a player may ask
for the same track's manifest again while it buffers, so a second start of the same track by the
same user within DEDUPE_SECONDS is the same play: it is neither stored nor counted twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

from sqlalchemy.orm import Session

from tonearm.catalog import TrackFull
from tonearm.catalog import catalog as catalog_service
from tonearm.errors import BadRequest
from tonearm.kit.caller import PRODUCTS
from tonearm.kit.ids import new_id, uri
from tonearm.kit.pagination import MAX_LIMIT
from tonearm.kit.rights import EVERYONE, Audience
from tonearm.kit.territories import parse_market
from tonearm.kit.time import EPOCH, as_utc, iso_ms, unix_ms, utcnow
from tonearm.listening import schemas
from tonearm.listening.models import Play
from tonearm.listening.repository import ListeningRepository

__all__ = [
    "DEDUPE_SECONDS",
    "MAX_CURSOR_MS",
    "RECENTLY_PLAYED_PATH",
    "ListeningService",
    "iso_ms",
    "listening",
    "unix_ms",
]

DEDUPE_SECONDS = 30
RECENTLY_PLAYED_PATH = "/v1/me/player/recently-played"
ONE_MS = timedelta(milliseconds=1)
# 9999-12-31T23:59:59.999Z: the last moment a datetime can hold.
MAX_CURSOR_MS = 253_402_300_799_999
RETENTION_BATCH = 5000
# The export names the tracks; the catalog is asked for this many at a time.
EXPORT_CHUNK = 200


def _whole_ms(moment: datetime) -> datetime:
    moment = as_utc(moment).astimezone(UTC)
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def _cursor(value: int | None, name: str) -> datetime | None:
    if value is None:
        return None
    if not 0 <= value <= MAX_CURSOR_MS:
        raise BadRequest(f"{name} must be a time in unix milliseconds between 0 and {MAX_CURSOR_MS}")
    return EPOCH + value * ONE_MS


class ListeningService:
    # ---- plays in ----
    def record_play(
        self,
        session: Session,
        *,
        user_id: str,
        client_id: str | None,
        track_id: str,
        country: str,
        product: str,
        now: datetime | None = None,
        ms_played: int | None = None,
    ) -> schemas.RecordedPlay:
        """Record that the user started the track, and count it in the day's tally; a repeat
        within DEDUPE_SECONDS of the user's last start of it answers that play, uncounted."""
        played_at = _whole_ms(now or utcnow())
        repo = ListeningRepository(session)
        window = timedelta(seconds=DEDUPE_SECONDS)
        same = repo.latest_play(user_id, track_id, after=played_at - window, until=played_at + window)
        if same is not None:
            return schemas.RecordedPlay(
                id=same.id, track_id=track_id, played_at=iso_ms(same.played_at), counted=False
            )
        if product not in PRODUCTS:
            raise BadRequest(f"product must be one of {', '.join(PRODUCTS)}, got '{product[:20]}'")
        country = parse_market(country)
        play = Play(
            id=new_id(),
            user_id=user_id,
            track_id=track_id,
            played_at=played_at,
            ms_played=ms_played,
            country=country,
            product=product,
            client_id=client_id,
        )
        repo.add(play)
        repo.bump_tally(track_id=track_id, day=played_at.date(), country=country, product=product)
        return schemas.RecordedPlay(id=play.id, track_id=track_id, played_at=iso_ms(played_at), counted=True)

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
            schemas.PlayHistory(track=tracks[play.track_id], played_at=iso_ms(play.played_at))
            for play in plays
            if play.track_id in tracks
        ]
        url = f"{base}{RECENTLY_PLAYED_PATH}"
        asked = {"limit": limit, "before": before, "after": after}
        href = f"{url}?{urlencode({key: value for key, value in asked.items() if value is not None})}"
        if not plays:
            return schemas.RecentlyPlayed(
                href=href, items=[], limit=limit, next=None, cursors=schemas.Cursors()
            )
        newest, oldest = unix_ms(plays[0].played_at), unix_ms(plays[-1].played_at)
        older = repo.has_played_before(user_id, plays[-1].played_at)
        return schemas.RecentlyPlayed(
            href=href,
            items=items,
            limit=limit,
            next=f"{url}?{urlencode({'limit': limit, 'before': oldest})}" if older else None,
            cursors=schemas.Cursors(after=str(newest), before=str(oldest)),
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
        """Delete the user's plays; the anonymous tallies they were counted in stay."""
        return ListeningRepository(session).delete_user_plays(user_id)

    def delete_played_before(
        self, session: Session, moment: datetime, *, limit: int = RETENTION_BATCH
    ) -> int:
        """Delete up to `limit` plays (anyone's) older than `moment`; how many went."""
        return ListeningRepository(session).delete_played_before(as_utc(moment), limit=limit)

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
