"""Library routes at Spotify's paths: /me/tracks, /me/albums, /me/following, and the unified
/me/library that takes URIs of any kind (tracks, albums, artists, users, playlists)."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Body, Depends, Query
from fastapi.responses import Response
from sqlalchemy.orm import Session

from tonearm.accounts import account
from tonearm.catalog import catalog
from tonearm.errors import BadRequest, Forbidden
from tonearm.kit.access import UserAudience, UserMarket, require
from tonearm.kit.caller import Caller
from tonearm.kit.ids import parse_id, parse_uri, uri
from tonearm.kit.pagination import MAX_LIMIT, MAX_OFFSET, paging
from tonearm.kit.time import iso_ms
from tonearm.kit.web import BaseUrl, DbSession, parse_ids
from tonearm.library import schemas
from tonearm.library.service import MAX_IDS, Kind, library
from tonearm.playlists import playlists

__all__ = ["router"]

router = APIRouter(prefix="/v1", tags=["library"])

Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT)]
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET)]
IdsQuery = Annotated[str | None, Query(max_length=MAX_IDS * 23)]
FollowType = Annotated[str, Query(pattern="^(artist|user)$")]
# Who may read and change each kind, by Spotify's scopes.
READ = {
    "track": "user-library-read",
    "album": "user-library-read",
    "artist": "user-follow-read",
    "user": "user-follow-read",
}
MODIFY = {
    "track": "user-library-modify",
    "album": "user-library-modify",
    "artist": "user-follow-modify",
    "user": "user-follow-modify",
}
Listener = Annotated[Caller, Depends(require(user=True))]


def _user(caller: Caller, kind: str, scopes: dict[str, str]) -> str:
    assert caller.user_id is not None  # require(user=True)
    if scopes[kind] not in caller.scopes:
        raise Forbidden(f"the access token lacks the scope '{scopes[kind]}'")
    return caller.user_id


def _ids(kind: str, query: str | None, body: schemas.Ids | None) -> list[str]:
    values = body.ids if body is not None and body.ids else None
    if values is not None:
        if len(values) > MAX_IDS:
            raise BadRequest(f"ids may list at most {MAX_IDS} {kind} ids, got {len(values)}")
        return [parse_id(value, kind) for value in values]
    if not query:
        raise BadRequest('name the ids, in ?ids= or in a JSON body {"ids": [...]}')
    return parse_ids(query, kind, most=MAX_IDS)


# ---- saved tracks and albums ----


@router.get("/me/tracks", response_model=schemas.SavedTracksPage, summary="Saved tracks")
def saved_tracks(
    session: DbSession,
    base: BaseUrl,
    market: UserMarket,
    audience: UserAudience,
    caller: Listener,
    limit: Limit = 20,
    offset: Offset = 0,
) -> schemas.SavedTracksPage:
    user_id = _user(caller, "track", READ)
    rows, total = library.page(session, user_id, "track", limit=limit, offset=offset)
    tracks = catalog.get_tracks(
        session, [r.item_id for r in rows], base=base, market=market, audience=audience
    )
    items = [
        schemas.SavedTrack(added_at=iso_ms(r.added_at), track=t) for r, t in zip(rows, tracks, strict=True)
    ]
    page = paging(
        f"{base}/v1/me/tracks",
        items,
        limit=limit,
        offset=offset,
        total=total,
        params={"market": market} if market else None,
    )
    return schemas.SavedTracksPage(**page)


@router.get("/me/albums", response_model=schemas.SavedAlbumsPage, summary="Saved albums")
def saved_albums(
    session: DbSession,
    base: BaseUrl,
    market: UserMarket,
    audience: UserAudience,
    caller: Listener,
    limit: Limit = 20,
    offset: Offset = 0,
) -> schemas.SavedAlbumsPage:
    user_id = _user(caller, "album", READ)
    rows, total = library.page(session, user_id, "album", limit=limit, offset=offset)
    albums = catalog.get_full_albums(
        session, [r.item_id for r in rows], base=base, market=market, audience=audience
    )
    items = [
        schemas.SavedAlbum(added_at=iso_ms(r.added_at), album=a) for r, a in zip(rows, albums, strict=True)
    ]
    page = paging(
        f"{base}/v1/me/albums",
        items,
        limit=limit,
        offset=offset,
        total=total,
        params={"market": market} if market else None,
    )
    return schemas.SavedAlbumsPage(**page)


def _saved_routes(kind: Kind, path: str) -> None:
    def save(
        session: DbSession,
        caller: Listener,
        ids: IdsQuery = None,
        body: Annotated[schemas.Ids | None, Body()] = None,
    ) -> Response:
        library.save(session, _user(caller, kind, MODIFY), kind, _ids(kind, ids, body))
        return Response(status_code=200)

    def remove(
        session: DbSession,
        caller: Listener,
        ids: IdsQuery = None,
        body: Annotated[schemas.Ids | None, Body()] = None,
    ) -> Response:
        library.remove(session, _user(caller, kind, MODIFY), kind, _ids(kind, ids, body))
        return Response(status_code=200)

    def contains(session: DbSession, caller: Listener, ids: IdsQuery = None) -> list[bool]:
        return library.contains(session, _user(caller, kind, READ), kind, _ids(kind, ids, None))

    router.add_api_route(path, save, methods=["PUT"], summary=f"Save {kind}s")
    router.add_api_route(path, remove, methods=["DELETE"], summary=f"Remove saved {kind}s")
    router.add_api_route(
        f"{path}/contains",
        contains,
        methods=["GET"],
        response_model=list[bool],
        summary=f"Are these {kind}s saved",
    )


_saved_routes("track", "/me/tracks")
_saved_routes("album", "/me/albums")


# ---- following ----


@router.get(
    "/me/following",
    response_model=schemas.FollowedArtists | schemas.FollowedUsers,
    summary="Followed artists or users",
)
def following(
    session: DbSession,
    base: BaseUrl,
    caller: Listener,
    type: FollowType = "artist",
    limit: Limit = 20,
    after: Annotated[str | None, Query(max_length=22)] = None,
) -> Any:
    kind: Kind = "artist" if type == "artist" else "user"
    user_id = _user(caller, kind, READ)
    rows, total = library.following(
        session, user_id, kind, after=after and parse_id(after, kind), limit=limit
    )
    ids = [row.item_id for row in rows]
    last = ids[-1] if len(ids) == limit else None
    asked = {"type": type, "limit": limit, **({"after": after} if after else {})}
    href = f"{base}/v1/me/following?{urlencode(asked)}"
    next_url = (
        f"{base}/v1/me/following?{urlencode({'type': type, 'limit': limit, 'after': last})}" if last else None
    )
    frame: dict[str, Any] = {
        "href": href,
        "limit": limit,
        "next": next_url,
        "cursors": schemas.Cursors(after=last),
        "total": total,
    }
    if kind == "artist":
        artists = [a for a in catalog.get_artists(session, ids, base=base) if a is not None]
        return schemas.FollowedArtists(artists=schemas.ArtistsCursorPage(items=artists, **frame))
    names = account.display_names(session, ids)
    users = [
        schemas.UserRef(display_name=names.get(i), href=f"{base}/v1/users/{i}", id=i, uri=uri("user", i))
        for i in ids
    ]
    return schemas.FollowedUsers(users=schemas.UsersCursorPage(items=users, **frame))


@router.put("/me/following", summary="Follow artists or users")
def follow(
    session: DbSession,
    caller: Listener,
    type: Annotated[str, Query(pattern="^(artist|user)$")],
    ids: IdsQuery = None,
    body: Annotated[schemas.Ids | None, Body()] = None,
) -> Response:
    kind: Kind = "artist" if type == "artist" else "user"
    library.save(session, _user(caller, kind, MODIFY), kind, _ids(kind, ids, body))
    return Response(status_code=204)


@router.delete("/me/following", summary="Unfollow artists or users")
def unfollow(
    session: DbSession,
    caller: Listener,
    type: Annotated[str, Query(pattern="^(artist|user)$")],
    ids: IdsQuery = None,
    body: Annotated[schemas.Ids | None, Body()] = None,
) -> Response:
    kind: Kind = "artist" if type == "artist" else "user"
    library.remove(session, _user(caller, kind, MODIFY), kind, _ids(kind, ids, body))
    return Response(status_code=204)


@router.get("/me/following/contains", response_model=list[bool], summary="Are these followed")
def following_contains(
    session: DbSession,
    caller: Listener,
    type: Annotated[str, Query(pattern="^(artist|user)$")],
    ids: IdsQuery = None,
) -> list[bool]:
    kind: Kind = "artist" if type == "artist" else "user"
    return library.contains(session, _user(caller, kind, READ), kind, _ids(kind, ids, None))


# ---- the unified library: URIs of any kind ----

MAX_URIS = 40
UrisQuery = Annotated[str, Query(max_length=MAX_URIS * 80, description="comma-separated URIs")]


def _by_kind(uris: str) -> list[tuple[str, str]]:
    values = [value for value in uris.split(",") if value]
    if not values:
        raise BadRequest("name at least one URI")
    if len(values) > MAX_URIS:
        raise BadRequest(f"at most {MAX_URIS} URIs in one request, got {len(values)}")
    found = []
    for value in values:
        kind = (
            value.split(":")[1]
            if value.count(":") == 2
            else value.rstrip("/").split("/")[-2:-1][0]
            if "/" in value
            else ""
        )
        if kind not in ("track", "album", "artist", "user", "playlist"):
            raise BadRequest(f"'{value[:80]}' is not a URI of a track, album, artist, user or playlist")
        found.append((kind, parse_uri(value, kind)))
    return found


def _playlist_scope(caller: Caller) -> None:
    if not {"playlist-modify-public", "playlist-modify-private"} & set(caller.scopes):
        raise Forbidden("the access token lacks the scope 'playlist-modify-public'")


def _change_library(session: Session, caller: Caller, uris: str, *, keep: bool) -> None:
    grouped: dict[str, list[str]] = {}
    for kind, item_id in _by_kind(uris):
        grouped.setdefault(kind, []).append(item_id)
    assert caller.user_id is not None
    for kind, ids in grouped.items():
        if kind == "playlist":
            _playlist_scope(caller)
            for playlist_id in ids:
                if keep:
                    playlists.follow(session, playlist_id, caller.user_id)
                else:
                    playlists.unfollow(session, playlist_id, caller.user_id)
            continue
        typed: Kind = kind  # type: ignore[assignment]
        user_id = _user(caller, typed, MODIFY)
        (library.save if keep else library.remove)(session, user_id, typed, ids)


@router.put("/me/library", summary="Save items of any kind")
def save_to_library(session: DbSession, caller: Listener, uris: UrisQuery) -> Response:
    _change_library(session, caller, uris, keep=True)
    return Response(status_code=200)


@router.delete("/me/library", summary="Remove items of any kind")
def remove_from_library(session: DbSession, caller: Listener, uris: UrisQuery) -> Response:
    _change_library(session, caller, uris, keep=False)
    return Response(status_code=200)


@router.get("/me/library/contains", response_model=list[bool], summary="Are these in the library")
def library_contains(session: DbSession, caller: Listener, uris: UrisQuery) -> list[bool]:
    assert caller.user_id is not None
    answers = []
    for kind, item_id in _by_kind(uris):
        if kind == "playlist":
            answers.extend(playlists.follows(session, item_id, [caller.user_id], caller.user_id))
        else:
            typed: Kind = kind  # type: ignore[assignment]
            answers.extend(library.contains(session, _user(caller, typed, READ), typed, [item_id]))
    return answers
