"""Catalog metadata for a master: hints first, then its tags, then its file name."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from tonearm.audio import Tags
from tonearm.catalog import validate_isrc
from tonearm.errors import BadRequest
from tonearm.ingest.schemas import Hints

__all__ = ["Metadata", "label_of", "resolve_metadata"]

_DATE = re.compile(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?")
_PRECISION = {1: "year", 2: "month", 3: "day"}
# A ℗ line names the sound recording's owner: "℗ 2024 Some Label", "(P) 2019-2021 Label Ltd".
# What follows a © in the same line names the song's (the publisher), not the recording's.
_PHONOGRAPHIC = re.compile(
    r"(?:℗|\(P\))\s*(?:\d{4}(?:\s*[-–/,]\s*\d{4})*\s*)?(?P<owner>[^©℗]*?)\s*(?:©|\(C\)|℗|\(P\)|$)",
    re.IGNORECASE,
)
# "℗ 2024 The Artist under exclusive licence to Some Label": the licensee is paid.
_LICENSEE = re.compile(r",?\s+under (?:an )?exclusive licen[cs]e to\s+", re.IGNORECASE)
_LABEL_LENGTH = 200


@dataclass(frozen=True)
class Metadata:
    name: str
    artists: tuple[str, ...]
    album: str
    album_artists: tuple[str, ...]
    album_type: str
    release_date: str
    release_date_precision: str
    disc_number: int
    track_number: int | None
    explicit: bool
    isrc: str | None
    label: str | None = None


def release_date(value: str | None) -> tuple[str, str]:
    """'2021', '2021-05' or '2021-05-04' (tags often carry more after it) with its precision."""
    match = _DATE.match(value.strip()) if value else None
    if match is None:
        return str(date.today().year), "year"
    parts = [part for part in match.groups() if part]
    return "-".join(parts), _PRECISION[len(parts)]


def _names(*candidates: tuple[str, ...] | str | None) -> tuple[str, ...]:
    for candidate in candidates:
        if isinstance(candidate, str) and candidate.strip():
            return tuple(name.strip() for name in re.split(r"\s*;\s*", candidate) if name.strip())
        if isinstance(candidate, tuple) and candidate:
            return candidate
    return ("Unknown Artist",)


def _album_type(hint: str | None) -> str:
    if hint is None:
        return "album"
    if hint not in ("album", "single", "compilation"):
        raise BadRequest(f"album_type must be album, single or compilation, got '{hint[:20]}'")
    return hint


def label_of(tags: Tags) -> str | None:
    """The label the tags name, or else the owner a ℗ line in the copyright names."""
    label = tags.label
    if label is None and tags.copyright is not None:
        found = _PHONOGRAPHIC.search(tags.copyright)
        owner = _LICENSEE.split(found["owner"])[-1] if found else ""
        label = owner.strip(" ,;:") or None
    return " ".join(label.split())[:_LABEL_LENGTH] if label else None


def resolve_metadata(hints: Hints, tags: Tags, file_stem: str) -> Metadata:
    name = hints.name or tags.title or file_stem
    artists = _names(hints.artists, tags.artist)
    isrc = hints.isrc or tags.isrc
    released, precision = release_date(hints.release_date or tags.date)
    return Metadata(
        name=name.strip()[:400],
        artists=artists,
        album=(hints.album or tags.album or name).strip()[:400],
        album_artists=_names(hints.album_artists, tags.album_artist, artists),
        album_type=_album_type(hints.album_type or (None if (hints.album or tags.album) else "single")),
        release_date=released,
        release_date_precision=precision,
        disc_number=hints.disc_number or tags.disc_number or 1,
        track_number=hints.track_number or tags.track_number,
        explicit=bool(hints.explicit if hints.explicit is not None else tags.explicit),
        isrc=validate_isrc(isrc) if isrc else None,
        label=label_of(tags),
    )
