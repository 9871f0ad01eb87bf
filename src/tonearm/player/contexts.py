"""What a play or queue request names, as tracks the listener may play: URIs checked one by
one (each must be playable), a context (album, playlist, artist) whose unplayable tracks are
left out, and the offset to start at."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from tonearm.catalog import catalog
from tonearm.errors import BadRequest, NotFound, NotPlayable
from tonearm.kit.access import audience_of, user_market
from tonearm.kit.caller import Caller
from tonearm.kit.ids import parse_uri, parse_uri_of, uri
from tonearm.player.errors import NothingToPlay
from tonearm.player.schemas import Offset
from tonearm.player.service import Start
from tonearm.player.state import Entry
from tonearm.playlists import MAX_ITEMS, playlists

__all__ = ["CONTEXT_KINDS", "context_start", "track_entries", "uris_start"]

CONTEXT_KINDS = ("album", "playlist", "artist")


def track_entries(session: Session, uris: Sequence[str], caller: Caller) -> list[Entry]:
    """The tracks these URIs name; every one must be in the catalog and playable by the caller."""
    ids = [parse_uri(value, "track") for value in uris]
    facts = catalog.track_facts(session, ids)
    reasons = _reasons(session, ids, caller)
    for track_id in ids:
        if track_id not in facts:
            raise NotFound(f"track '{track_id}' is not in the catalog")
        if reasons.get(track_id) is not None:
            raise NotPlayable(f"track '{track_id}' is not playable here ({reasons[track_id]})", "UNPLAYABLE")
    return [Entry(track_id, facts[track_id].duration_ms) for track_id in ids]


def uris_start(session: Session, uris: Sequence[str], offset: Offset | None, caller: Caller) -> Start:
    if not uris:
        raise BadRequest("uris must name at least one track")
    entries = track_entries(session, uris, caller)
    return Start(tuple(entries), None, _first(entries, offset))


def context_start(session: Session, context_uri: str, offset: Offset | None, caller: Caller) -> Start:
    kind, id_ = parse_uri_of(context_uri, CONTEXT_KINDS)
    ids = _context_ids(session, kind, id_, caller)
    facts = catalog.track_facts(session, ids)
    reasons = _reasons(session, ids, caller)
    entries = [Entry(t, facts[t].duration_ms) for t in ids if t in facts and reasons.get(t) is None]
    if not entries:
        raise NothingToPlay(f"{kind} '{id_}' has no track you may play here")
    return Start(tuple(entries), uri(kind, id_), _first(entries, offset))


def _context_ids(session: Session, kind: str, id_: str, caller: Caller) -> list[str]:
    if kind == "album":
        page = catalog.album_tracks(session, id_, base="", market=None, limit=MAX_ITEMS, offset=0)
        return [track.id for track in page.items]
    if kind == "playlist":
        items, _total = playlists.items(session, id_, caller.user_id, offset=0, limit=MAX_ITEMS)
        return [item.track_id for item in items]
    catalog.get_artist(session, id_, base="")
    return catalog.track_ids_of_artists(session, [id_])


def _reasons(session: Session, ids: Sequence[str], caller: Caller) -> dict[str, str | None]:
    return catalog.restrictions(session, ids, market=user_market(caller, None), audience=audience_of(caller))


def _first(entries: Sequence[Entry], offset: Offset | None) -> int:
    if offset is None or (offset.position is None and offset.uri is None):
        return 0
    if offset.uri is not None:
        wanted = parse_uri(offset.uri, "track")
        found = next((i for i, e in enumerate(entries) if e.track_id == wanted), None)
        if found is None:
            raise BadRequest(f"offset.uri: track '{wanted}' is not a playable track of this context")
        return found
    assert offset.position is not None
    if offset.position >= len(entries):
        raise BadRequest(f"offset.position {offset.position} is past the context's {len(entries)} tracks")
    return offset.position
