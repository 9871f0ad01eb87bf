"""Catalog routes, shaped as Spotify's Web API."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request, Response

from tonearm.catalog import schemas
from tonearm.catalog.feed import feed
from tonearm.catalog.media import Split
from tonearm.catalog.rightsholders import bp_of_percent
from tonearm.catalog.service import ALBUM_GROUPS
from tonearm.catalog.service import catalog as catalog_service
from tonearm.errors import BadRequest
from tonearm.kit.access import UserAudience, UserMarket, require
from tonearm.kit.ids import parse_id
from tonearm.kit.pagination import MAX_LIMIT, MAX_OFFSET
from tonearm.kit.web import BaseUrl, DbSession, image_response, parse_ids

__all__ = ["admin_router", "images_router", "router"]

# Catalog reads need a valid token (any app, any user, no scope), as Spotify's do.
router = APIRouter(prefix="/v1", tags=["catalog"], dependencies=[Depends(require())])
admin_router = APIRouter(prefix="/v1", tags=["catalog"], dependencies=[Depends(require(admin=True))])
# Images are fetched by <img> tags, which send no token: what they show is public anyway.
images_router = APIRouter(prefix="/images", tags=["catalog"])

Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT)]
# Bounded so no offset can overflow a database integer.
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET)]
Territory = Annotated[
    str | None, Query(pattern="^[A-Za-z]{2}$", description="ISO country; default everywhere")
]


@router.get("/tracks/{track_id}", response_model=schemas.TrackFull)
def get_track(
    track_id: str, session: DbSession, base: BaseUrl, market: UserMarket, audience: UserAudience
) -> schemas.TrackFull:
    return catalog_service.get_track(
        session,
        parse_id(track_id, "track"),
        base=base,
        market=market,
        audience=audience,
    )


@router.get("/tracks", response_model=schemas.TrackList)
def get_tracks(
    ids: str, session: DbSession, base: BaseUrl, market: UserMarket, audience: UserAudience
) -> schemas.TrackList:
    track_ids = parse_ids(ids, "track", most=50)
    tracks = catalog_service.get_tracks(session, track_ids, base=base, market=market, audience=audience)
    return schemas.TrackList(tracks=tracks)


@router.get("/audio-features/{track_id}", response_model=schemas.AudioFeaturesObject)
def get_audio_features(track_id: str, session: DbSession, base: BaseUrl) -> schemas.AudioFeaturesObject:
    """A track's audio features (404 for an unknown track or one not analysed yet)."""
    return catalog_service.get_audio_features(session, parse_id(track_id, "track"), base=base)


@router.get("/audio-features", response_model=schemas.AudioFeaturesList)
def get_several_audio_features(ids: str, session: DbSession, base: BaseUrl) -> schemas.AudioFeaturesList:
    """Up to 100 tracks' features, in the order asked; null for an unknown or unanalysed one."""
    track_ids = parse_ids(ids, "track", most=100)
    found = catalog_service.get_several_audio_features(session, track_ids, base=base)
    return schemas.AudioFeaturesList(audio_features=found)


@router.get("/albums/{album_id}", response_model=schemas.AlbumFull)
def get_album(
    album_id: str, session: DbSession, base: BaseUrl, market: UserMarket, audience: UserAudience
) -> schemas.AlbumFull:
    return catalog_service.get_album(
        session,
        parse_id(album_id, "album"),
        base=base,
        market=market,
        audience=audience,
    )


@router.get("/albums", response_model=dict[str, list[schemas.AlbumFull | None]])
def get_albums(
    ids: str, session: DbSession, base: BaseUrl, market: UserMarket, audience: UserAudience
) -> dict[str, list[schemas.AlbumFull | None]]:
    album_ids = parse_ids(ids, "album", most=20)
    albums = catalog_service.get_full_albums(session, album_ids, base=base, market=market, audience=audience)
    return {"albums": albums}


@router.get("/albums/{album_id}/tracks", response_model=schemas.AlbumTracksPage)
def get_album_tracks(
    album_id: str,
    session: DbSession,
    base: BaseUrl,
    market: UserMarket,
    audience: UserAudience,
    limit: Limit = 20,
    offset: Offset = 0,
) -> schemas.AlbumTracksPage:
    return catalog_service.album_tracks(
        session,
        parse_id(album_id, "album"),
        base=base,
        market=market,
        limit=limit,
        offset=offset,
        audience=audience,
    )


@router.get("/artists/{artist_id}", response_model=schemas.ArtistFull)
def get_artist(artist_id: str, session: DbSession, base: BaseUrl) -> schemas.ArtistFull:
    return catalog_service.get_artist(session, parse_id(artist_id, "artist"), base=base)


@router.get("/artists", response_model=dict[str, list[schemas.ArtistFull | None]])
def get_artists(ids: str, session: DbSession, base: BaseUrl) -> dict[str, list[schemas.ArtistFull | None]]:
    artist_ids = parse_ids(ids, "artist", most=50)
    return {"artists": catalog_service.get_artists(session, artist_ids, base=base)}


def _groups(include_groups: str | None) -> list[str]:
    groups = [g.strip() for g in (include_groups or ",".join(ALBUM_GROUPS)).split(",") if g.strip()]
    unknown = sorted(set(groups) - set(ALBUM_GROUPS))
    if unknown or not groups:
        raise BadRequest(
            f"include_groups takes {', '.join(ALBUM_GROUPS)}; got {', '.join(unknown) or 'none'}"
        )
    return groups


@router.get("/artists/{artist_id}/albums", response_model=schemas.AlbumsPage)
def get_artist_albums(
    artist_id: str,
    session: DbSession,
    base: BaseUrl,
    include_groups: str | None = None,
    limit: Limit = 20,
    offset: Offset = 0,
) -> schemas.AlbumsPage:
    return catalog_service.artist_albums(
        session,
        parse_id(artist_id, "artist"),
        base=base,
        include_groups=_groups(include_groups),
        limit=limit,
        offset=offset,
    )


@router.get("/browse/new-releases", response_model=schemas.NewReleases)
def get_new_releases(
    session: DbSession, base: BaseUrl, limit: Limit = 20, offset: Offset = 0
) -> schemas.NewReleases:
    return schemas.NewReleases(
        albums=catalog_service.list_albums(session, base=base, limit=limit, offset=offset)
    )


@router.get("/browse/artists", response_model=schemas.ArtistsPage)
def get_all_artists(
    session: DbSession, base: BaseUrl, limit: Limit = 20, offset: Offset = 0
) -> schemas.ArtistsPage:
    """Every artist by name: a Tonearm extension for browsing a whole catalog."""
    return catalog_service.list_artists(session, base=base, limit=limit, offset=offset)


@admin_router.put("/tracks/{track_id}/takedown", status_code=204, summary="Take a track down (admin)")
def take_down(track_id: str, session: DbSession, territory: Territory = None) -> None:
    """Manifests refuse the track at once and search drops it within a second; media URLs
    already issued run out with their TTL. Everywhere, or in one `territory`."""
    feed.take_down(session, parse_id(track_id, "track"), territory)


@admin_router.delete("/tracks/{track_id}/takedown", status_code=204, summary="Lift a takedown (admin)")
def restore(track_id: str, session: DbSession, territory: Territory = None) -> None:
    feed.restore(session, parse_id(track_id, "track"), territory)


@admin_router.get(
    "/admin/tracks/{track_id}/rights",
    response_model=schemas.TrackRights,
    summary="A track's rightsholder and splits (admin)",
)
def get_track_rights(track_id: str, session: DbSession) -> schemas.TrackRights:
    """Whom the track's streams pay, and how the rightsholder's share divides among parties."""
    return catalog_service.get_track_rights(session, parse_id(track_id, "track"))


@admin_router.put(
    "/admin/tracks/{track_id}/rights",
    response_model=schemas.TrackRights,
    summary="Set a track's rightsholder and splits (admin)",
)
def put_track_rights(track_id: str, body: schemas.RightsChange, session: DbSession) -> schemas.TrackRights:
    """Replaces both; 400, with nothing changed, unless the splits add up to 100 % (each party
    named, one share per role). No splits gives the rightsholder everything."""
    track_id = parse_id(track_id, "track")
    splits = [Split(s.party, s.role, bp_of_percent(s.share_percent)) for s in body.splits]
    catalog_service.set_splits(session, track_id, splits)
    catalog_service.set_rightsholder(session, [track_id], body.rightsholder.name, body.rightsholder.kind)
    return catalog_service.get_track_rights(session, track_id)


@images_router.get(
    "/albums/{album_id}/{size}.jpg",
    response_class=Response,
    responses={200: {"content": {"image/jpeg": {}}}, 404: {"description": "unknown album or size"}},
    summary="An album's cover",
)
def get_album_cover(
    album_id: str, size: Annotated[int, Path(ge=1, le=4096)], request: Request, session: DbSession
) -> Response:
    cover = catalog_service.album_cover(session, parse_id(album_id, "album"), size)
    return image_response(request, cover, immutable=False)
