"""The made-for-you lists, each a playlist owned by the platform and followed by the listener,
with every track's reasons kept beside it:

- Discover Weekly: 30 tracks the listener has not heard in 90 days, rebuilt weekly.
- Release Radar: new releases (28 days) from the artists they follow and listen to, weekly; when
  there are none, the latest from those artists, said as such.
- Daily Mixes: up to 6, one per taste cluster of what they stream most: their favourites of the
  cluster interleaved with tracks like them, daily.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from tonearm.library import library
from tonearm.listening import listening
from tonearm.playlists import playlists
from tonearm.recs import engine
from tonearm.recs.models import MadeForYou
from tonearm.recs.picking import Picker
from tonearm.recs.reasons import as_json, new_release
from tonearm.recs.repository import RecsRepository

__all__ = ["LIST_AGE", "PRODUCTS", "Built", "build"]

PRODUCTS = ("discover-weekly", "release-radar", "daily-mix")
LIST_AGE = {
    "discover-weekly": timedelta(days=7),
    "release-radar": timedelta(days=7),
    "daily-mix": timedelta(days=1),
}
DISCOVERY_MEMORY = timedelta(days=90)
RELEASE_WINDOW = timedelta(days=28)
LIST_LENGTH = 30
MIXES = 6
MIX_LENGTH = 24
MIX_FAVOURITES = 10
FOLLOWED_ARTISTS = 500
Chosen = list[tuple[str, list[dict[str, Any]]]]


@dataclass(frozen=True)
class Built:
    key: str
    title: str
    tracks: int
    changed: bool


@dataclass(frozen=True)
class _List:
    key: str
    title: str
    description: str
    chosen: Chosen


def build(picker: Picker, product: str, *, model_id: str | None) -> list[Built]:
    """Build the listener's lists of the product and fill their playlists."""
    made = {"discover-weekly": _discover_weekly, "release-radar": _release_radar, "daily-mix": _daily_mixes}
    lists = made[product](picker)
    built = [_keep(picker.session, picker.who.user_id, product, found, model_id, picker) for found in lists]
    if product == "daily-mix":
        _drop_extra_mixes(picker.session, picker.who.user_id, {found.key for found in lists})
    return built


def _discover_weekly(picker: Picker) -> list[_List]:
    heard = listening.heard_since(picker.session, picker.who.user_id, picker.moment.at - DISCOVERY_MEMORY)
    picks = picker.for_listener(LIST_LENGTH, exclude=heard)
    day = picker.moment.local.date().isoformat()
    description = f"Your weekly mixtape of music you have not heard yet, made {day}. Every track says why."
    return [_List("discover-weekly", "Discover Weekly", description, _chosen(picks))]


def _release_radar(picker: Picker) -> list[_List]:
    found, today = picker.found, picker.moment.local.date()
    followed, _ = library.following(
        picker.session, picker.who.user_id, "artist", after=None, limit=FOLLOWED_ARTISTS
    )
    following = {row.item_id for row in followed}
    listened = {found.artist_of(row.track_id) for row in picker.who.played if row.streams} - {""}
    artists = following | listened
    candidates = [t for t in found.tracks_of_artists(sorted(artists)) if found.released(t) is not None]
    fresh = [t for t in candidates if today - RELEASE_WINDOW <= found.released(t) <= today]  # type: ignore[operator]
    new = bool(fresh)
    chosen_ids = fresh if new else _latest_per_artist(picker, candidates)
    chosen_ids.sort(key=lambda t: (found.released(t), -found.tracks[t].popularity), reverse=True)
    allowed = picker.playable(chosen_ids)
    chosen: Chosen = []
    for track_id in chosen_ids:
        if track_id in allowed and len(chosen) < LIST_LENGTH:
            artist = found.artist_of(track_id)
            chosen.append((track_id, [new_release(artist, followed=artist in following, new=new)]))
    description = (
        "New releases from the artists you follow and listen to."
        if new
        else "Nothing new this week from your artists: here is the latest from each of them."
    )
    return [_List("release-radar", "Release Radar", description, chosen)]


def _latest_per_artist(picker: Picker, candidates: Sequence[str]) -> list[str]:
    newest: dict[str, Any] = {}
    for track_id in candidates:
        artist, released = picker.found.artist_of(track_id), picker.found.released(track_id)
        if artist not in newest or released > newest[artist]:
            newest[artist] = released
    return [t for t in candidates if picker.found.released(t) == newest[picker.found.artist_of(t)]]


def _daily_mixes(picker: Picker) -> list[_List]:
    favourites = [
        row.track_id for row in sorted(picker.who.played, key=lambda row: -row.streams) if row.streams
    ]
    favourites = [t for t in favourites if t in picker.found.tracks]
    if picker.model is None or len(favourites) < 2:
        return []
    clusters = picker.model.clusters(favourites, min(MIXES, max(1, len(favourites) // 4)))
    mixes = []
    for number, cluster in enumerate(clusters[:MIXES], start=1):
        known = cluster[:MIX_FAVOURITES]
        allowed = picker.playable(known)
        familiar: Chosen = [
            (t, [{"kind": "favourite", "item": t, "user": None, "detail": []}]) for t in known if t in allowed
        ]
        similar = _chosen(picker.like(cluster, MIX_LENGTH - len(familiar), exclude=favourites))
        chosen = _interleaved(familiar, similar)[:MIX_LENGTH]
        if chosen:
            mixes.append(
                _List(f"daily-mix-{number}", f"Daily Mix {number}", _mix_description(picker, cluster), chosen)
            )
    return mixes


def _mix_description(picker: Picker, cluster: Sequence[str]) -> str:
    names = list(dict.fromkeys(picker.found.artist_names.get(picker.found.artist_of(t), "") for t in cluster))
    names = [name for name in names if name][:3]
    return (", ".join(names) + " and more") if names else "Made from what you play most"


def _interleaved(first: Chosen, second: Chosen) -> Chosen:
    mixed: Chosen = []
    for index in range(max(len(first), len(second))):
        mixed.extend(part[index] for part in (first, second) if index < len(part))
    return mixed


def _chosen(picks: Sequence[engine.Pick]) -> Chosen:
    return [(pick.item, as_json(pick.reasons)) for pick in picks]


def _keep(
    session: Session, user_id: str, product: str, made: _List, model_id: str | None, picker: Picker
) -> Built:
    repo = RecsRepository(session)
    row = repo.list_of(user_id, made.key)
    if row is None:
        row = MadeForYou(user_id=user_id, key=made.key, product=product, title=made.title)
        repo.add(row)
    if row.playlist_id is None:
        row.playlist_id = playlists.create_made_for(
            session, user_id, name=made.title, description=made.description
        ).id
    _snapshot, changed = playlists.refill_made_for(
        session, row.playlist_id, [track_id for track_id, _ in made.chosen], name=made.title
    )
    row.title, row.description, row.built_at, row.model_id = (
        made.title,
        made.description,
        picker.moment.at,
        model_id,
    )
    repo.replace_picks(user_id, made.key, made.chosen)
    return Built(made.key, made.title, len(made.chosen), changed)


def _drop_extra_mixes(session: Session, user_id: str, keep: set[str]) -> None:
    repo = RecsRepository(session)
    for row in repo.lists(user_id):
        if row.product == "daily-mix" and row.key not in keep:
            if row.playlist_id is not None:
                playlists.refill_made_for(session, row.playlist_id, [])
                playlists.unfollow(session, row.playlist_id, user_id)
            repo.drop_list(row)
