"""Radio: an endless queue from a track, an artist, an album or a playlist. A station starts
from its seeds; each page asked past its end extends it with tracks like the seeds and like
what the listener streamed from it so far, leaving out what they skipped. When the catalogue
runs dry, tracks heard long enough ago in the station come round again."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from tonearm.errors import BadRequest, InvalidId, NotFound
from tonearm.kit.ids import new_id, parse_uri_of
from tonearm.listening import listening
from tonearm.playlists import playlists
from tonearm.recs.models import Station, StationTrack
from tonearm.recs.picking import Picker
from tonearm.recs.reasons import as_json, seeded
from tonearm.recs.repository import RecsRepository

__all__ = ["MAX_PAGE", "SEED_KINDS", "StationNotFound", "extend_to", "seeds_of", "start"]

SEED_KINDS = ("track", "artist", "album", "playlist")
MAX_PAGE = 50
SEED_TRACKS = 20
Chosen = list[tuple[str, list[dict[str, Any]]]]
# A track may come round again once this many others have played since.
REPEAT_AFTER = 25


class StationNotFound(NotFound):
    """No such station, or another listener's."""


@dataclass(frozen=True)
class Seeds:
    uri: str
    title: str
    tracks: list[str]


def seeds_of(session: Session, picker: Picker, seed_uri: str) -> Seeds:
    try:
        kind, id_ = parse_uri_of(seed_uri, SEED_KINDS)
    except InvalidId as error:
        raise BadRequest(f"seed_uri: {error}") from error
    found = picker.found
    if kind == "track":
        record = found.tracks.get(id_)
        tracks, name = ([id_], record.name) if record else ([], "")
    elif kind == "artist":
        theirs = sorted(found.tracks_of_artists([id_]), key=lambda t: -found.tracks[t].popularity)
        tracks, name = theirs[:SEED_TRACKS], found.artist_names.get(id_, "")
    elif kind == "album":
        tracks = [t for t, record in found.tracks.items() if record.album.id == id_][:SEED_TRACKS]
        name = found.tracks[tracks[0]].album.name if tracks else ""
    else:
        playlist = playlists.get(session, id_, picker.who.user_id)
        items, _total = playlists.items(session, id_, picker.who.user_id, offset=0, limit=SEED_TRACKS)
        tracks, name = [item.track_id for item in items], playlist.name
    if not tracks:
        raise NotFound(f"nothing to start a radio from: {kind} '{id_[:40]}' is unknown or empty")
    return Seeds(f"tonearm:{kind}:{id_}", f"{name} Radio", tracks)


def start(session: Session, picker: Picker, seed_uri: str) -> Station:
    seeds = seeds_of(session, picker, seed_uri)
    station = Station(id=new_id(), user_id=picker.who.user_id, seed_uri=seeds.uri, title=seeds.title[:300])
    repo = RecsRepository(session)
    repo.add(station)
    session.flush()
    # A track's radio starts with the track itself, when the listener may play it.
    if seeds.uri.split(":")[1] == "track" and picker.playable(seeds.tracks):
        repo.add(
            StationTrack(
                station_id=station.id, position=0, track_id=seeds.tracks[0], reasons=[seeded(seeds.uri)]
            )
        )
    return station


def extend_to(session: Session, picker: Picker, station: Station, length: int) -> None:
    """Make the station at least `length` tracks long."""
    repo = RecsRepository(session)
    have = list(repo.station_tracks(station.id))
    if len(have) >= length:
        return
    seeds = seeds_of(session, picker, station.seed_uri).tracks
    streamed, skipped = _feedback(session, picker, station, [row.track_id for row in have])
    exclude = {*(row.track_id for row in have), *skipped}
    picks = picker.like([*seeds, *streamed], length - len(have), exclude=exclude)
    chosen: Chosen = [(pick.item, as_json(pick.reasons)) for pick in picks]
    for track_id, reasons in chosen:
        have.append(_append(repo, station.id, len(have), track_id, reasons))
    while len(have) < length:
        again = _again(have, skipped)
        if again is None:
            return
        have.append(_append(repo, station.id, len(have), again.track_id, list(again.reasons)))


def _append(
    repo: RecsRepository, station_id: str, position: int, track_id: str, reasons: list[dict[str, Any]]
) -> StationTrack:
    row = StationTrack(station_id=station_id, position=position, track_id=track_id, reasons=reasons)
    repo.add(row)
    return row


def _feedback(
    session: Session, picker: Picker, station: Station, tracks: Sequence[str]
) -> tuple[list[str], set[str]]:
    """What the listener streamed and skipped of the station's tracks since it started."""
    ours = set(tracks)
    rows = listening.feedback(session, since=station.created_at, user_id=picker.who.user_id)
    streamed = [row.track_id for row in rows if row.track_id in ours and row.streams]
    skipped = {row.track_id for row in rows if row.track_id in ours and row.skips and not row.streams}
    return streamed, skipped


def _again(have: Sequence[StationTrack], skipped: set[str]) -> StationTrack | None:
    """The track that has waited longest since it last played in the station, once enough
    others have (fewer, in a station of few tracks); None when nothing can come round."""
    last_at = {row.track_id: position for position, row in enumerate(have)}
    gap = min(REPEAT_AFTER, len(last_at) // 2)
    if gap == 0:  # one track cannot make a station by itself
        return None
    waiting = [
        (at, track_id) for track_id, at in last_at.items() if track_id not in skipped and len(have) - at > gap
    ]
    if not waiting:
        return None
    _, track_id = min(waiting)
    return have[last_at[track_id]]
