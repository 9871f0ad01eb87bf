"""Spotify's scope names: what a token lets an app do for its user."""

from __future__ import annotations

from tonearm.errors import BadRequest

__all__ = ["SCOPES", "parse_scope"]

SCOPES: dict[str, str] = {
    "user-read-private": "Read your country, subscription and explicit-content setting",
    "user-read-email": "Read your email address",
    "playlist-read-private": "Read your private playlists",
    "playlist-read-collaborative": "Read playlists you collaborate on",
    "playlist-modify-public": "Change your public playlists",
    "playlist-modify-private": "Change your private playlists",
    "user-library-read": "Read your library",
    "user-library-modify": "Change your library",
    "user-follow-read": "See whom you follow",
    "user-follow-modify": "Follow and unfollow for you",
    "user-read-playback-state": "See what your devices are playing",
    "user-modify-playback-state": "Control playback on your devices",
    "user-read-currently-playing": "See what you are playing now",
    "user-read-recently-played": "See what you played recently",
    "user-top-read": "Read your top artists and tracks",
    "streaming": "Play music",
    "ugc-image-upload": "Upload images for you",
}


def parse_scope(value: str | None) -> list[str]:
    """Space-separated scope names, each known; duplicates dropped, order kept."""
    names = list(dict.fromkeys((value or "").split()))
    unknown = [name for name in names if name not in SCOPES]
    if unknown:
        raise BadRequest(f"unknown scope '{unknown[0][:60]}'")
    return names
