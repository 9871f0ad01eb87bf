"""Playlist routes at Spotify's paths (`/tracks` and its newer name `/items` alike), and the
history routes Spotify does not have: snapshots, a diff between two, and revert."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Path, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from tonearm.catalog import catalog
from tonearm.errors import BadRequest, Forbidden
from tonearm.kit.access import UserAudience, UserMarket, audience_of, require, user_market
from tonearm.kit.caller import Caller
from tonearm.kit.db import unit_of_work
from tonearm.kit.ids import parse_id, parse_uri
from tonearm.kit.pagination import MAX_LIMIT, MAX_OFFSET, paging
from tonearm.kit.rights import Audience
from tonearm.kit.web import (
    BaseUrl,
    DbSession,
    MarketQuery,
    asked_market,
    base_url,
    image_response,
    parse_ids,
    read_body,
)
from tonearm.playlists import schemas
from tonearm.playlists.changes import Item
from tonearm.playlists.covers import MAX_COVER_PAYLOAD, covers, decode_cover
from tonearm.playlists.fields import parse_fields, select_fields
from tonearm.playlists.models import Playlist
from tonearm.playlists.service import MAX_URIS, Removal, playlists
from tonearm.playlists.shapes import PlaylistShapes

__all__ = ["images_router", "router"]

router = APIRouter(prefix="/v1", tags=["playlists"])
# Covers are fetched by <img> tags, which send no token (see covers.py for why that is safe).
images_router = APIRouter(prefix="/images", tags=["playlists"])

ITEMS_LIMIT = 100
Reader = Annotated[Caller, Depends(require(user=True))]
# Changes count in their own rate-limit category; which modify scope they need depends on
# whether the playlist is public, so that is checked per playlist.
Editor = Annotated[Caller, Depends(require(user=True, limit="playlist"))]
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT)]
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET)]
ItemsLimit = Annotated[int, Query(ge=1, le=ITEMS_LIMIT)]
ItemsOffset = Annotated[int, Query(ge=0, le=10_000)]
FieldsQuery = Annotated[str | None, Query(max_length=500, description="Spotify's fields filter")]
UrisQuery = Annotated[str | None, Query(max_length=100 * 80, description="comma-separated track URIs")]
TRACK_PATHS = ("tracks", "items")


def _user(caller: Caller) -> str:
    assert caller.user_id is not None  # require(user=True)
    return caller.user_id


def _may_modify(session: Session, caller: Caller, playlist_id: str) -> Playlist:
    playlist = playlists.get(session, parse_id(playlist_id, "playlist"), _user(caller))
    scope = "playlist-modify-public" if playlist.public else "playlist-modify-private"
    if scope not in caller.scopes:
        raise Forbidden(f"the access token lacks the scope '{scope}'")
    return playlist


def _track_ids(session: Session, uris: list[str], market: str | None, audience: Audience) -> list[str]:
    """The tracks these URIs name, if every one is in the catalog and playable for this user."""
    if len(uris) > MAX_URIS:
        raise BadRequest(f"at most {MAX_URIS} URIs in one request, got {len(uris)}")
    ids = [parse_uri(value, "track") for value in uris]
    reasons = catalog.restrictions(session, ids, market=market, audience=audience)
    for track_id in ids:
        if track_id not in reasons:
            raise BadRequest(f"track '{track_id}' is not in the catalog")
        if reasons[track_id] is not None:
            raise BadRequest(
                f"track '{track_id}' is not playable here ({reasons[track_id]}), so it cannot be added"
            )
    return ids


def _split(uris: str | None) -> list[str]:
    return [value for value in (uris or "").split(",") if value]


def _filtered(model: BaseModel, fields: str | None) -> Response:
    # Sent as it is: the model was built valid, and FastAPI's response_model would dump it,
    # validate the dump again and encode it once more (most of a 100-item page's time).
    if not fields:
        return Response(model.model_dump_json(), media_type="application/json")
    return JSONResponse(select_fields(model.model_dump(mode="json"), parse_fields(fields)))


def _wants_items(fields: str | None) -> bool:
    """Whether a fields filter keeps the items: a client polling `fields=snapshot_id` for
    changes should not cost a page of 100 shaped tracks."""
    if not fields:
        return True
    tracks = parse_fields(fields).get("tracks", False)
    return tracks is None or (isinstance(tracks, dict) and "items" in tracks)


# ---- playlists ----


def _create(session: Session, base: str, caller: Caller, body: schemas.NewPlaylist) -> schemas.Playlist:
    scope = "playlist-modify-public" if body.public else "playlist-modify-private"
    if scope not in caller.scopes:
        raise Forbidden(f"the access token lacks the scope '{scope}'")
    playlist = playlists.create(
        session,
        _user(caller),
        name=body.name,
        description=body.description,
        public=body.public,
        collaborative=body.collaborative,
    )
    return PlaylistShapes(session, base, None, Audience()).full(playlist, [], 1, limit=ITEMS_LIMIT)


@router.post("/me/playlists", status_code=201, response_model=schemas.Playlist, summary="Create a playlist")
def create_my_playlist(
    session: DbSession, base: BaseUrl, caller: Editor, body: schemas.NewPlaylist
) -> schemas.Playlist:
    return _create(session, base, caller, body)


@router.post(
    "/users/{user_id}/playlists",
    status_code=201,
    response_model=schemas.Playlist,
    summary="Create a playlist",
)
def create_user_playlist(
    user_id: str, session: DbSession, base: BaseUrl, caller: Editor, body: schemas.NewPlaylist
) -> schemas.Playlist:
    if parse_id(user_id, "user") != caller.user_id:
        raise Forbidden("a playlist can be created only for the user the token acts for")
    return _create(session, base, caller, body)


@router.get("/playlists/{playlist_id}", response_model=schemas.Playlist, summary="Get a playlist")
def get_playlist(
    playlist_id: str,
    session: DbSession,
    base: BaseUrl,
    market: UserMarket,
    audience: UserAudience,
    caller: Reader,
    fields: FieldsQuery = None,
) -> Any:
    playlist = playlists.get(session, parse_id(playlist_id, "playlist"), _user(caller))
    items: list[Item] = []
    if _wants_items(fields):
        items, _ = playlists.items(session, playlist.id, caller.user_id, offset=0, limit=ITEMS_LIMIT)
    followers = playlists.follower_count(session, playlist.id)
    shaped = PlaylistShapes(session, base, market, audience).full(
        playlist, items, followers, limit=ITEMS_LIMIT
    )
    return _filtered(shaped, fields)


@router.put("/playlists/{playlist_id}", status_code=200, summary="Change a playlist's details")
def change_details(
    playlist_id: str, session: DbSession, caller: Editor, body: schemas.ChangeDetails
) -> Response:
    playlist = _may_modify(session, caller, playlist_id)
    playlists.change_details(session, playlist.id, _user(caller), **body.model_dump())
    return Response(status_code=200)


def _playlists_page(
    session: Session, base: str, user_id: str, viewer: str, *, limit: int, offset: int, url: str
) -> schemas.PlaylistsPage:
    rows, total = playlists.of_user(session, user_id, viewer, limit=limit, offset=offset)
    items = PlaylistShapes(session, base, None, Audience()).simple(rows)
    return schemas.PlaylistsPage(**paging(url, items, limit=limit, offset=offset, total=total))


@router.get("/me/playlists/on-erasure", response_model=schemas.OnErasure, summary="My playlists on erasure")
def get_on_erasure(session: DbSession, caller: Reader) -> schemas.OnErasure:
    return schemas.OnErasure(public_playlists=playlists.erasure_choice(session, _user(caller)))  # type: ignore[arg-type]


@router.put("/me/playlists/on-erasure", response_model=schemas.OnErasure, summary="Choose for erasure")
def set_on_erasure(body: schemas.OnErasure, session: DbSession, caller: Reader) -> schemas.OnErasure:
    """Beyond Spotify's API: whether my public playlists outlive my account, owned by nobody."""
    if "playlist-modify-public" not in caller.scopes:
        raise Forbidden("the access token lacks the scope 'playlist-modify-public'")
    playlists.choose_on_erasure(session, _user(caller), body.public_playlists)
    return body


@router.get("/me/playlists", response_model=schemas.PlaylistsPage, summary="The current user's playlists")
def my_playlists(
    session: DbSession,
    base: BaseUrl,
    caller: Reader,
    limit: Limit = 20,
    offset: Offset = 0,
) -> schemas.PlaylistsPage:
    user_id = _user(caller)
    # Without playlist-read-private, a client sees only what anyone sees.
    viewer = user_id if "playlist-read-private" in caller.scopes else ""
    return _playlists_page(
        session, base, user_id, viewer, limit=limit, offset=offset, url=f"{base}/v1/me/playlists"
    )


@router.get("/users/{user_id}/playlists", response_model=schemas.PlaylistsPage, summary="A user's playlists")
def user_playlists(
    user_id: str,
    session: DbSession,
    base: BaseUrl,
    caller: Reader,
    limit: Limit = 20,
    offset: Offset = 0,
) -> schemas.PlaylistsPage:
    owner = parse_id(user_id, "user")
    viewer = _user(caller) if "playlist-read-private" in caller.scopes else ""
    return _playlists_page(
        session, base, owner, viewer, limit=limit, offset=offset, url=f"{base}/v1/users/{owner}/playlists"
    )


# ---- items ----


def _name_of(request: Request) -> str:
    # Spotify's older path ends in /tracks, its newer one in /items; links keep the one asked.
    return request.url.path.rsplit("/", 1)[-1]


@router.get(
    "/playlists/{playlist_id}/tracks", response_model=schemas.PlaylistTracksPage, summary="A playlist's items"
)
@router.get(
    "/playlists/{playlist_id}/items", response_model=schemas.PlaylistTracksPage, summary="A playlist's items"
)
async def get_items(
    playlist_id: str,
    request: Request,
    caller: Reader,
    limit: ItemsLimit = 100,
    offset: ItemsOffset = 0,
    fields: FieldsQuery = None,
    market: MarketQuery = None,
) -> Response:
    # The busiest playlist route is kept lean, as the manifest is: async (no worker-thread hop)
    # and one dependency; its reads are a few milliseconds of SQLite.
    base, shown_in = base_url(request), user_market(caller, asked_market(market))
    with unit_of_work(request.app.state.session_factory) as session:
        playlist = playlists.get(session, parse_id(playlist_id, "playlist"), _user(caller))
        items, _ = playlists.items(session, playlist.id, caller.user_id, offset=offset, limit=limit)
        page = PlaylistShapes(session, base, shown_in, audience_of(caller)).items_page(
            playlist, items, offset=offset, limit=limit, path=_name_of(request)
        )
    return _filtered(page, fields)


@router.post(
    "/playlists/{playlist_id}/tracks", status_code=201, response_model=schemas.SnapshotId, summary="Add items"
)
@router.post(
    "/playlists/{playlist_id}/items", status_code=201, response_model=schemas.SnapshotId, summary="Add items"
)
async def add_items(
    playlist_id: str,
    request: Request,
    caller: Editor,
    # Spotify's form is {"uris": [...], "position": n}; spotipy sends the list alone.
    body: Annotated[schemas.AddItems | list[str] | None, Body()] = None,
    uris: UrisQuery = None,
    position: Annotated[int | None, Query(ge=0)] = None,
) -> schemas.SnapshotId:
    """Add tracks (URIs or links) at `position` (the end by default). With `snapshot_id`, the
    position refers to that version, and is carried over to the current one."""
    # Lean as get_items, one dependency; but its transaction writes, so it runs in a worker
    # thread: the event loop must never wait for SQLite's write lock (kit.web says why).
    if isinstance(body, list):
        body = schemas.AddItems.model_construct(uris=body, position=None, snapshot_id=None)
    given = (body.uris if body is not None and body.uris is not None else None) or _split(uris)
    where = body.position if body is not None and body.position is not None else position
    snapshot_id = body.snapshot_id if body is not None else None

    def add() -> str:
        with unit_of_work(request.app.state.session_factory) as session:
            playlist = _may_modify(session, caller, playlist_id)
            ids = _track_ids(session, given, user_market(caller, None), audience_of(caller))
            return playlists.add(
                session, playlist.id, _user(caller), ids, position=where, snapshot_id=snapshot_id
            )

    return schemas.SnapshotId(snapshot_id=await run_in_threadpool(add))


@router.delete("/playlists/{playlist_id}/tracks", response_model=schemas.SnapshotId, summary="Remove items")
@router.delete("/playlists/{playlist_id}/items", response_model=schemas.SnapshotId, summary="Remove items")
def remove_items(
    playlist_id: str, session: DbSession, caller: Editor, body: schemas.RemoveItems
) -> schemas.SnapshotId:
    """Remove every occurrence of each track, or only those at `positions` of `snapshot_id`."""
    playlist = _may_modify(session, caller, playlist_id)
    refs = body.items if body.items is not None else body.tracks
    if not refs:
        raise BadRequest('name the tracks to remove: {"tracks": [{"uri": "..."}]}')
    removals = [
        Removal(parse_uri(ref.uri, "track"), tuple(ref.positions) if ref.positions is not None else None)
        for ref in refs
    ]
    snapshot = playlists.remove(session, playlist.id, _user(caller), removals, snapshot_id=body.snapshot_id)
    return schemas.SnapshotId(snapshot_id=snapshot)


@router.put(
    "/playlists/{playlist_id}/tracks", response_model=schemas.SnapshotId, summary="Reorder or replace items"
)
@router.put(
    "/playlists/{playlist_id}/items", response_model=schemas.SnapshotId, summary="Reorder or replace items"
)
def reorder_or_replace(
    playlist_id: str,
    session: DbSession,
    market: UserMarket,
    audience: UserAudience,
    caller: Editor,
    body: Annotated[schemas.ReorderOrReplace | None, Body()] = None,
    uris: UrisQuery = None,
) -> schemas.SnapshotId:
    """With range_start and insert_before, move a range of items; with uris, replace them all."""
    playlist = _may_modify(session, caller, playlist_id)
    user_id = _user(caller)
    if body is not None and body.range_start is not None:
        if body.insert_before is None:
            raise BadRequest("a reorder names insert_before as well as range_start")
        snapshot = playlists.reorder(
            session,
            playlist.id,
            user_id,
            range_start=body.range_start,
            insert_before=body.insert_before,
            range_length=body.range_length,
            snapshot_id=body.snapshot_id,
        )
        return schemas.SnapshotId(snapshot_id=snapshot)
    if (body is None or body.uris is None) and uris is None:
        raise BadRequest("send uris to replace the items, or range_start and insert_before to reorder them")
    given = body.uris if body is not None and body.uris is not None else _split(uris)
    ids = _track_ids(session, given, market, audience)
    return schemas.SnapshotId(snapshot_id=playlists.replace(session, playlist.id, user_id, ids))


# ---- following ----


@router.put("/playlists/{playlist_id}/followers", summary="Follow a playlist")
def follow_playlist(
    playlist_id: str,
    session: DbSession,
    caller: Annotated[Caller, Depends(require(user=True))],
    body: Annotated[schemas.FollowPlaylist | None, Body()] = None,
) -> Response:
    scope = "playlist-modify-public" if body is None or body.public else "playlist-modify-private"
    if scope not in caller.scopes:
        raise Forbidden(f"the access token lacks the scope '{scope}'")
    playlists.follow(
        session, parse_id(playlist_id, "playlist"), _user(caller), public=body is None or body.public
    )
    return Response(status_code=200)


@router.delete("/playlists/{playlist_id}/followers", summary="Unfollow a playlist")
def unfollow_playlist(
    playlist_id: str, session: DbSession, caller: Annotated[Caller, Depends(require(user=True))]
) -> Response:
    if not {"playlist-modify-public", "playlist-modify-private"} & set(caller.scopes):
        raise Forbidden("the access token lacks the scope 'playlist-modify-public'")
    playlists.unfollow(session, parse_id(playlist_id, "playlist"), _user(caller))
    return Response(status_code=200)


@router.get(
    "/playlists/{playlist_id}/followers/contains", response_model=list[bool], summary="Who follows it"
)
def followers_contain(
    playlist_id: str,
    session: DbSession,
    caller: Reader,
    ids: Annotated[str | None, Query(max_length=5 * 23)] = None,
) -> list[bool]:
    # Spotify's newer form asks about the current user alone (no ids).
    user_ids = parse_ids(ids, "user", most=5) if ids else [_user(caller)]
    return playlists.follows(session, parse_id(playlist_id, "playlist"), user_ids, _user(caller))


@router.post("/playlists/{playlist_id}/collaborators", status_code=201, summary="Invite a collaborator")
def invite_collaborator(
    playlist_id: str, session: DbSession, caller: Editor, body: schemas.Invite
) -> Response:
    """Beyond Spotify's API: the owner lets a user edit a collaborative playlist."""
    playlist = _may_modify(session, caller, playlist_id)
    playlists.invite(session, playlist.id, _user(caller), parse_id(body.user_id, "user"))
    return Response(status_code=201)


# ---- history ----


@router.get("/playlists/{playlist_id}/snapshots", response_model=schemas.SnapshotsPage, summary="Versions")
def snapshots(
    playlist_id: str,
    session: DbSession,
    base: BaseUrl,
    caller: Reader,
    limit: Limit = 20,
    offset: Offset = 0,
) -> schemas.SnapshotsPage:
    """Every version of the playlist, newest first: who changed what, and when."""
    edits, total = playlists.snapshots(
        session, parse_id(playlist_id, "playlist"), _user(caller), limit=limit, offset=offset
    )
    items = PlaylistShapes(session, base, None, Audience()).snapshots(edits)
    url = f"{base}/v1/playlists/{playlist_id}/snapshots"
    return schemas.SnapshotsPage(**paging(url, items, limit=limit, offset=offset, total=total))


@router.get("/playlists/{playlist_id}/diff", response_model=schemas.Diff, summary="Compare two versions")
def diff(
    playlist_id: str,
    session: DbSession,
    base: BaseUrl,
    caller: Reader,
    from_snapshot: Annotated[str, Query(alias="from", max_length=40)],
    to_snapshot: Annotated[str | None, Query(alias="to", max_length=40)] = None,
) -> schemas.Diff:
    """What changed from one snapshot to another (the current one by default)."""
    playlist = playlists.get(session, parse_id(playlist_id, "playlist"), _user(caller))
    target = to_snapshot or playlist.snapshot_id
    old, new, change = playlists.compare(session, playlist.id, caller.user_id, from_snapshot, target)
    return PlaylistShapes(session, base, None, Audience()).diff(from_snapshot, target, old, new, change)


@router.post(
    "/playlists/{playlist_id}/revert", response_model=schemas.SnapshotId, summary="Revert to a version"
)
def revert(playlist_id: str, session: DbSession, caller: Editor, body: schemas.Revert) -> schemas.SnapshotId:
    """Make the items what they were at `snapshot_id`: a new version, so it can be reverted too."""
    playlist = _may_modify(session, caller, playlist_id)
    return schemas.SnapshotId(
        snapshot_id=playlists.revert(session, playlist.id, _user(caller), body.snapshot_id)
    )


# ---- cover ----


@router.put(
    "/playlists/{playlist_id}/images",
    status_code=202,
    summary="Upload a cover",
    openapi_extra={"requestBody": {"content": {"image/jpeg": {"schema": {"type": "string"}}}}},
)
async def upload_cover(playlist_id: str, request: Request, session: DbSession, caller: Editor) -> Response:
    """The body is the JPEG as base64 (at most 256 KB of JPEG), as Spotify takes it; the owner
    alone may change the cover."""
    if "ugc-image-upload" not in caller.scopes:
        raise Forbidden("the access token lacks the scope 'ugc-image-upload'")
    playlist = _may_modify(session, caller, playlist_id)
    covers.check_owner(playlist, _user(caller))  # before reading a body that may be refused anyway
    payload = await read_body(request, most=MAX_COVER_PAYLOAD, what="a cover (base64 JPEG)")
    # Decoding a large JPEG takes a few hundred milliseconds: not in the event loop.
    jpeg = await run_in_threadpool(decode_cover, payload)
    # In the worker thread too: it writes, and the event loop must not wait for the write lock.
    await run_in_threadpool(covers.upload, session, playlist, _user(caller), jpeg)
    return Response(status_code=202)


@router.get("/playlists/{playlist_id}/images", response_model=list[schemas.Image], summary="The cover")
def get_cover(playlist_id: str, session: DbSession, base: BaseUrl, caller: Reader) -> list[schemas.Image]:
    playlist = playlists.get(session, parse_id(playlist_id, "playlist"), _user(caller))
    return covers.images(session, base, [playlist])[playlist.id]


@images_router.get(
    "/playlists/{playlist_id}/{name}.jpg",
    response_class=Response,
    responses={200: {"content": {"image/jpeg": {}}}, 404: {"description": "not this playlist's cover"}},
    summary="A playlist's cover",
)
def cover_image(
    playlist_id: str, name: Annotated[str, Path(max_length=60)], request: Request, session: DbSession
) -> Response:
    cover = covers.image(session, parse_id(playlist_id, "playlist"), name)
    return image_response(request, cover.jpeg, immutable=cover.immutable)
