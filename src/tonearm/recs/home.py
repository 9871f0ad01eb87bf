"""Home (`GET /v1/views/home`): shelves for the listener and the time of day — picked for this
part of the day, made for you, recently played, jump back in, new releases — and, for a listener
with no plays yet, what is popular in their market and artists to pick from."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, timedelta

from tonearm.errors import NotFound
from tonearm.kit.ids import parse_uri_of, uri
from tonearm.kit.time import iso_ms
from tonearm.listening import listening
from tonearm.playlists import playlists
from tonearm.recs import schemas
from tonearm.recs.picking import Picker
from tonearm.recs.reasons import as_json
from tonearm.recs.shapes import Shaper

__all__ = ["SHELF_SIZE", "home", "part_of_day"]

SHELF_SIZE = 10
JUMP_BACK_AFTER = timedelta(days=3)
NEW_RELEASES = timedelta(days=90)
GREETINGS = {
    "morning": "Good morning",
    "afternoon": "Good afternoon",
    "evening": "Good evening",
    "night": "Good night",
}
TIMELY_TITLES = {
    "morning": "For your morning",
    "afternoon": "For your afternoon",
    "evening": "For your evening",
    "night": "Late-night picks",
}
# Which shelves come first at each part of the day.
ORDER = {
    "morning": ("for-this-time", "recently-played", "made-for-you", "jump-back-in", "new-releases"),
    "afternoon": ("made-for-you", "for-this-time", "new-releases", "recently-played", "jump-back-in"),
    "evening": ("jump-back-in", "for-this-time", "made-for-you", "recently-played", "new-releases"),
    "night": ("for-this-time", "jump-back-in", "made-for-you", "new-releases", "recently-played"),
}


def part_of_day(hour: int) -> str:
    if 5 <= hour < 12:
        return "morning"
    if 12 <= hour < 17:
        return "afternoon"
    if 17 <= hour < 22:
        return "evening"
    return "night"


def home(picker: Picker, shaper: Shaper, made: Sequence[schemas.MadeForYouList]) -> schemas.HomeView:
    part = part_of_day(picker.moment.local.hour)
    cold = not any(row.streams for row in picker.who.played)
    makers: dict[str, Callable[[], schemas.Shelf]] = {
        "for-this-time": lambda: _timely(picker, shaper, part),
        "made-for-you": lambda: _made_for_you(shaper, made),
        "recently-played": lambda: _recently_played(picker, shaper),
        "jump-back-in": lambda: _jump_back_in(picker, shaper),
        "new-releases": lambda: _new_releases(picker, shaper),
    }
    order = ("pick-artists", "popular", *ORDER[part]) if cold else ORDER[part]
    if cold:
        makers["pick-artists"] = lambda: _pick_artists(picker, shaper)
        makers["popular"] = lambda: _popular(picker, shaper)
    shelves = [shelf for shelf in (makers[key]() for key in order) if shelf.items]
    return schemas.HomeView(
        greeting=GREETINGS[part],
        part_of_day=part,  # type: ignore[arg-type]
        generated_at=iso_ms(picker.moment.at),
        shelves=shelves,
    )


def _timely(picker: Picker, shaper: Shaper, part: str) -> schemas.Shelf:
    picks = picker.for_listener(SHELF_SIZE, timely=True)
    return schemas.Shelf(
        id="for-this-time",
        title=TIMELY_TITLES[part],
        items=shaper.track_cards([(pick.item, as_json(pick.reasons)) for pick in picks]),
    )


def _made_for_you(shaper: Shaper, made: Sequence[schemas.MadeForYouList]) -> schemas.Shelf:
    cards = [card for card in (shaper.list_card(found) for found in made if found.tracks) if card is not None]
    return schemas.Shelf(id="made-for-you", title="Made for you", items=cards)


def _recently_played(picker: Picker, shaper: Shaper) -> schemas.Shelf:
    latest = sorted(picker.who.played, key=lambda row: row.last_played, reverse=True)[:SHELF_SIZE]
    cards = shaper.track_cards([(row.track_id, []) for row in latest])
    return schemas.Shelf(id="recently-played", title="Recently played", items=cards)


def _jump_back_in(picker: Picker, shaper: Shaper) -> schemas.Shelf:
    contexts = listening.contexts(picker.session, picker.who.user_id)
    earlier = [c for c in contexts if c.last_played <= picker.moment.at - JUMP_BACK_AFTER] or contexts[3:]
    albums, items = [], []
    for context in earlier[:SHELF_SIZE]:
        kind, id_ = parse_uri_of(context.uri, ("album", "playlist"))
        if kind == "album":
            albums.append(id_)
        else:
            items.extend(_playlist_card(picker, id_))
    return schemas.Shelf(id="jump-back-in", title="Jump back in", items=[*shaper.album_cards(albums), *items])


def _playlist_card(picker: Picker, playlist_id: str) -> list[schemas.HomeItem]:
    try:
        found = playlists.get(picker.session, playlist_id, picker.who.user_id)
    except NotFound:
        return []
    return [
        schemas.HomeItem(
            type="playlist",
            id=found.id,
            uri=uri("playlist", found.id),
            href=f"/v1/playlists/{found.id}",
            name=found.name,
            subtitle=found.description or "Playlist",
            images=[],
        )
    ]


def _new_releases(picker: Picker, shaper: Shaper) -> schemas.Shelf:
    found, today = picker.found, picker.moment.local.date()
    newest: dict[str, date] = {}
    for track_id, record in found.tracks.items():
        released = found.released(track_id)
        if released is not None and today - NEW_RELEASES <= released <= today:
            newest[record.album.id] = released
    albums = sorted(newest, key=lambda album_id: newest[album_id], reverse=True)[:SHELF_SIZE]
    return schemas.Shelf(id="new-releases", title="New releases", items=shaper.album_cards(albums))


def _popular(picker: Picker, shaper: Shaper) -> schemas.Shelf:
    picks = picker.popular(SHELF_SIZE)
    title = f"Popular in {picker.who.market}" if picker.who.market else "Popular on Tonearm"
    return schemas.Shelf(
        id="popular", title=title, items=shaper.track_cards([(p.item, as_json(p.reasons)) for p in picks])
    )


def _pick_artists(picker: Picker, shaper: Shaper) -> schemas.Shelf:
    return schemas.Shelf(
        id="pick-artists", title="Pick artists you like", items=shaper.artist_cards(suggested_artists(picker))
    )


def suggested_artists(picker: Picker, n: int = 20) -> list[str]:
    """The catalogue's artists, the most popular first (by their most popular track)."""
    best: dict[str, int] = {}
    for track_id, record in picker.found.tracks.items():
        artist = picker.found.artist_of(track_id)
        best[artist] = max(best.get(artist, 0), record.popularity)
    return sorted((a for a in best if a), key=lambda a: (-best[a], picker.found.artist_names.get(a, "")))[:n]
