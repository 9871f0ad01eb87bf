"""Recommendation routes: Spotify's `GET /v1/recommendations`, its genre seeds and
`GET /v1/artists/{id}/related-artists`; Tonearm's Home (`GET /v1/views/home`), made-for-you
lists, radio stations and onboarding picks (`/v1/me/taste/artists`)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query, Request
from pydantic import BaseModel, Field

from tonearm.errors import BadRequest
from tonearm.kit.access import require
from tonearm.kit.caller import Caller
from tonearm.kit.ids import parse_id
from tonearm.kit.time import utcnow
from tonearm.kit.web import BaseUrl, DbSession
from tonearm.recs import schemas
from tonearm.recs.picking import Moment
from tonearm.recs.radio import MAX_PAGE
from tonearm.recs.seeded import MAX_SEEDS, Tuning
from tonearm.recs.service import RecsService

__all__ = ["router"]

router = APIRouter(prefix="/v1", tags=["recommendations"])

Taste = Annotated[Caller, Depends(require("user-top-read", user=True))]
TasteEditor = Annotated[Caller, Depends(require("user-library-modify", user=True))]
Listener = Annotated[Caller, Depends(require(user=True))]
MAX_OFFSET_MINUTES = 14 * 60


def _recs(request: Request) -> RecsService:
    service: RecsService = request.app.state.recs
    return service


Recs = Annotated[RecsService, Depends(_recs)]


def _user(caller: Caller) -> str:
    assert caller.user_id is not None  # require(user=True)
    return caller.user_id


def _moment(
    timestamp: Annotated[str | None, Query(description="the listener's local time, ISO 8601")] = None,
    utc_offset_minutes: Annotated[int | None, Query(ge=-MAX_OFFSET_MINUTES, le=MAX_OFFSET_MINUTES)] = None,
    user_agent: Annotated[str | None, Header()] = None,
) -> Moment:
    now = utcnow()
    offset = utc_offset_minutes
    if offset is None and timestamp is not None:
        try:
            local = datetime.fromisoformat(timestamp).replace(tzinfo=None)
        except ValueError:
            raise BadRequest(f"timestamp must be an ISO 8601 local time, got '{timestamp[:40]}'") from None
        offset = round((local - now.replace(tzinfo=None)) / timedelta(minutes=15)) * 15
        if abs(offset) > MAX_OFFSET_MINUTES:
            raise BadRequest("timestamp is more than 14 hours from now: it must be the listener's local time")
    device = "smartphone" if user_agent and "Mobile" in user_agent else "computer"
    return Moment(now, offset or 0, device)


When = Annotated[Moment, Depends(_moment)]


def _ids(value: str | None, kind: str) -> list[str]:
    return [parse_id(part.strip(), kind) for part in (value or "").split(",") if part.strip()]


@router.get("/recommendations", response_model=schemas.Recommendations, summary="Recommendations from seeds")
def recommendations(
    request: Request,
    session: DbSession,
    base: BaseUrl,
    caller: Listener,
    recs: Recs,
    moment: When,
    seed_artists: str | None = None,
    seed_tracks: str | None = None,
    seed_genres: str | None = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> schemas.Recommendations:
    """Tracks like up to five seeds (artists, tracks, genres), tuned by `min_`, `max_` and
    `target_` audio features and popularity; each with its reasons. Only what the listener may
    play."""
    genres = [part.strip() for part in (seed_genres or "").split(",") if part.strip()]
    artists, tracks = _ids(seed_artists, "artist"), _ids(seed_tracks, "track")
    if len(artists) + len(tracks) + len(genres) > MAX_SEEDS:
        raise BadRequest(f"at most {MAX_SEEDS} seeds in all (seed_artists, seed_tracks, seed_genres)")
    tuning = Tuning.parse(dict(request.query_params))
    return recs.recommendations(
        session, _user(caller), moment, base=base, artists=artists, tracks=tracks, genres=genres,
        tuning=tuning, limit=limit,
    )  # fmt: skip


@router.get(
    "/recommendations/available-genre-seeds", response_model=schemas.GenreSeeds, summary="Genres to seed with"
)
def genre_seeds(session: DbSession, caller: Listener, recs: Recs) -> schemas.GenreSeeds:
    return schemas.GenreSeeds(genres=recs.genre_seeds(session))


@router.get(
    "/artists/{artist_id}/related-artists", response_model=schemas.RelatedArtists, summary="Related artists"
)
def related_artists(
    artist_id: str, session: DbSession, base: BaseUrl, caller: Listener, recs: Recs, moment: When
) -> schemas.RelatedArtists:
    """Up to 20 artists whose listeners overlap with this one's, or who share its genres."""
    found = recs.related_artists(session, _user(caller), parse_id(artist_id, "artist"), moment, base=base)
    return schemas.RelatedArtists(artists=found)


@router.get("/views/home", response_model=schemas.HomeView, summary="Home")
def home(session: DbSession, base: BaseUrl, caller: Taste, recs: Recs, moment: When) -> schemas.HomeView:
    """The listener's shelves for this time of day, each recommended item with its reasons."""
    return recs.home(session, _user(caller), moment, base=base)


@router.get("/me/made-for-you", response_model=schemas.MadeForYouLists, summary="My made-for-you lists")
def made_for_you(
    session: DbSession, base: BaseUrl, caller: Taste, recs: Recs, moment: When
) -> schemas.MadeForYouLists:
    """Discover Weekly, Release Radar and the Daily Mixes, each a playlist, every track with its
    reasons; built on the first ask and then on their schedule."""
    return schemas.MadeForYouLists(items=recs.made_for_you(session, _user(caller), moment, base=base))


@router.get(
    "/me/made-for-you/by-playlist/{playlist_id}",
    response_model=schemas.MadeForYouList,
    summary="The made-for-you list of a playlist",
)
def made_for_you_by_playlist(
    playlist_id: str, session: DbSession, base: BaseUrl, caller: Taste, recs: Recs, moment: When
) -> schemas.MadeForYouList:
    found = parse_id(playlist_id, "playlist")
    return recs.made_for_you_by_playlist(session, _user(caller), found, moment, base=base)


class NewStation(BaseModel):
    seed_uri: str = Field(max_length=200)


@router.post("/me/radio", status_code=201, response_model=schemas.Station, summary="Start a radio station")
def start_radio(
    body: NewStation,
    session: DbSession,
    base: BaseUrl,
    caller: Taste,
    recs: Recs,
    moment: When,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 25,
) -> schemas.Station:
    """An endless station from a track, artist, album or playlist URI: its first page."""
    return recs.start_radio(session, _user(caller), body.seed_uri, moment, base=base, limit=limit)


@router.get("/me/radio/{station_id}", response_model=schemas.Station, summary="A radio station's tracks")
def radio_page(
    station_id: str,
    session: DbSession,
    base: BaseUrl,
    caller: Taste,
    recs: Recs,
    moment: When,
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 25,
) -> schemas.Station:
    """The station's tracks from `offset`; asking past its end extends it."""
    found = parse_id(station_id, "station")
    return recs.radio_page(session, _user(caller), found, moment, base=base, offset=offset, limit=limit)


class TastePicks(BaseModel):
    ids: list[str] = Field(max_length=50)


@router.get("/me/taste/artists", response_model=schemas.TasteArtists, summary="My onboarding picks")
def taste(session: DbSession, base: BaseUrl, caller: Taste, recs: Recs, moment: When) -> schemas.TasteArtists:
    picked, suggested = recs.taste(session, _user(caller), moment, base=base)
    return schemas.TasteArtists(artists=picked, suggestions=suggested)


@router.put("/me/taste/artists", status_code=204, summary="Pick the artists I like")
def set_taste(body: TastePicks, session: DbSession, caller: TasteEditor, recs: Recs) -> None:
    """What a listener with no plays yet is recommended from (1 to 20 artists)."""
    recs.set_taste(session, _user(caller), [parse_id(artist_id, "artist") for artist_id in body.ids])
