"""What a blend is mixed from, read through other domains' faces: each member's taste (their top
tracks, then their saved ones), which tracks every member may play, and each track's artists."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from tonearm.accounts import FREE, PREMIUM, account
from tonearm.catalog import catalog
from tonearm.kit.rights import Audience
from tonearm.library import library
from tonearm.listening import listening

__all__ = ["SAVED_TRACKS", "TOP_TRACKS", "TOP_TRACKS_RANGE", "artists_of", "playable_by_all", "taste"]

TOP_TRACKS = 50
TOP_TRACKS_RANGE = "medium_term"
SAVED_TRACKS = 50


def taste(session: Session, user_id: str) -> list[str]:
    """The user's tracks, most theirs first: the tracks they streamed most in about six months,
    then the tracks they saved, newest first."""
    top = listening.top_tracks(session, user_id, base="", time_range=TOP_TRACKS_RANGE, limit=TOP_TRACKS)
    saved, _total = library.page(session, user_id, "track", limit=SAVED_TRACKS, offset=0)
    return list(dict.fromkeys([track.id for track in top.items] + [row.item_id for row in saved]))


def playable_by_all(session: Session, user_ids: Sequence[str], track_ids: Sequence[str]) -> set[str]:
    """The tracks each of the users may play now, in their own country, with their product and
    explicit-content setting (unknown and taken-down tracks are none of them)."""
    playable = set(track_ids)
    for user_id in user_ids:
        user = account.get_user(session, user_id)
        audience = Audience(
            product=PREMIUM if user.product == PREMIUM else FREE, explicit_content=user.explicit_content
        )
        reasons = catalog.restrictions(session, list(playable), market=user.country, audience=audience)
        playable = {track_id for track_id, reason in reasons.items() if reason is None}
    return playable


def artists_of(session: Session, track_ids: Sequence[str]) -> dict[str, tuple[str, ...]]:
    return {track_id: facts.artist_ids for track_id, facts in catalog.track_facts(session, track_ids).items()}
