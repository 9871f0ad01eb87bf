"""Why a track was recommended, in words: the engine's signals (a track the listener played,
listeners of a track, a match of sound, a friend, a genre, popularity) and the products' own
(new from an artist, the seed of a radio), each named by what it points at."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy.orm import Session

from tonearm.accounts import account
from tonearm.kit.ids import uri
from tonearm.recs.engine import Reason
from tonearm.recs.schemas import ReasonOut
from tonearm.recs.sources import Catalogue

__all__ = ["as_json", "describe", "new_release", "popular", "seeded"]


def as_json(reasons: Iterable[Reason]) -> list[dict[str, Any]]:
    """The stored form: what the reason points at, not its words (names change)."""
    return [
        {"kind": reason.kind, "item": reason.item, "user": reason.user, "detail": list(reason.detail)}
        for reason in reasons
    ]


def new_release(artist_id: str, *, followed: bool, new: bool) -> dict[str, Any]:
    kind = "new_followed" if followed else "new_listened"
    return {"kind": kind if new else "latest", "item": artist_id, "user": None, "detail": []}


def popular(market: str | None) -> dict[str, Any]:
    return {"kind": "popular", "item": None, "user": None, "detail": [market] if market else []}


def seeded(seed_uri: str) -> dict[str, Any]:
    return {"kind": "seed", "item": seed_uri, "user": None, "detail": []}


def describe(
    session: Session, stored: Sequence[Sequence[Mapping[str, Any]]], found: Catalogue
) -> list[list[ReasonOut]]:
    """The reasons of each item in words, strongest first (names looked up once for all)."""
    users = sorted({str(r["user"]) for reasons in stored for r in reasons if r.get("user")})
    names = account.display_names(session, users) if users else {}
    return [[_words(reason, found, names) for reason in reasons] for reasons in stored]


def _words(reason: Mapping[str, Any], found: Catalogue, names: Mapping[str, str]) -> ReasonOut:
    kind, item, detail = str(reason["kind"]), reason.get("item"), tuple(reason.get("detail") or ())
    user = reason.get("user")
    track = found.tracks.get(str(item)) if item else None
    title = f"“{track.name}”" if track is not None else "a track you know"
    by = f" by {track.artists[0].name}" if track is not None and track.artists else ""
    text = {
        "played": lambda: f"Because you played {title}{by}",
        "co_listened": lambda: f"Listeners of {title}{by} also play it",
        "content": lambda: f"Matches the {_joined(detail) or 'sound'} of {title}",
        "friend": lambda: f"{names.get(str(user), 'A friend')} plays it",
        "tag": lambda: f"More {_joined(detail) or 'of what you like'}",
        "popular": lambda: f"Popular in {detail[0]}" if detail else "Popular on Tonearm",
        "new_followed": lambda: f"New from {_artist(found, str(item))}, whom you follow",
        "new_listened": lambda: f"New from {_artist(found, str(item))}, whom you listen to",
        "latest": lambda: f"The latest from {_artist(found, str(item))}",
        "seed": lambda: "Where the radio started",
        "favourite": lambda: "One you play often",
        "seed_artist": lambda: f"By {_artist(found, str(item))}, whom you asked for",
        "onboarding": lambda: f"You picked {_artist(found, str(item))}",
    }.get(kind, lambda: "Recommended for you")()
    target = None
    if user:
        target = uri("user", str(user))
    elif track is not None:
        target = uri("track", track.id)
    elif kind in ("new_followed", "new_listened", "latest", "onboarding", "seed_artist") and item:
        target = uri("artist", str(item))
    return ReasonOut(kind=kind, text=text, uri=target, detail=list(detail))


def _artist(found: Catalogue, artist_id: str) -> str:
    return found.artist_names.get(artist_id, "an artist")


def _joined(words: Sequence[str]) -> str:
    return " and ".join(words) if len(words) <= 2 else ", ".join(words[:-1]) + f" and {words[-1]}"
