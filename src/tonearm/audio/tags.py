"""Read the descriptive tags of a master with mutagen.

ID3 (MP3, WAV, AIFF), Vorbis comments (FLAC, Ogg) and MP4 atoms are mapped
onto one shape. The raw tag objects are read rather than mutagen's "easy"
wrappers because those have no key for the explicit-content flag, and WAV
and AIFF have no easy wrapper at all. Missing or unreadable tags give None:
tags are optional, and probe() is what judges whether the audio is usable.

`label` is the record label as taggers write it (ID3 TXXX:LABEL or TPUB;
Vorbis LABEL, ORGANIZATION or PUBLISHER; MP4 ----:com.apple.iTunes:LABEL);
`copyright` the copyright line as written (ID3 TCOP, Vorbis COPYRIGHT, MP4
cprt, RIFF ICOP), which may be a ℗ line naming the recording's owner.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import mutagen
from mutagen.id3 import ID3
from mutagen.mp4 import MP4Tags

from tonearm.audio._headers import Buffer, mapped, riff_chunks

__all__ = ["Tags", "read_tags"]


@dataclass(frozen=True)
class Tags:
    title: str | None = None
    artist: str | None = None
    album: str | None = None
    album_artist: str | None = None
    track_number: int | None = None
    disc_number: int | None = None
    date: str | None = None
    isrc: str | None = None
    explicit: bool | None = None
    genre: str | None = None
    label: str | None = None
    copyright: str | None = None


_ID3 = {
    "title": "TIT2",
    "artist": "TPE1",
    "album": "TALB",
    "album_artist": "TPE2",
    "track_number": "TRCK",
    "disc_number": "TPOS",
    "date": "TDRC",
    "isrc": "TSRC",
    "genre": "TCON",
    "copyright": "TCOP",
}
_VORBIS = {
    "title": ("title",),
    "artist": ("artist",),
    "album": ("album",),
    "album_artist": ("albumartist", "album artist", "album_artist"),
    "track_number": ("tracknumber",),
    "disc_number": ("discnumber",),
    "date": ("date", "year"),
    "isrc": ("isrc",),
    "explicit": ("itunesadvisory", "explicit"),
    "genre": ("genre",),
    "label": ("label", "organization", "publisher"),
    "copyright": ("copyright",),
}
_MP4 = {
    "title": "\xa9nam",
    "artist": "\xa9ART",
    "album": "\xa9alb",
    "album_artist": "aART",
    "track_number": "trkn",
    "disc_number": "disk",
    "date": "\xa9day",
    "isrc": "----:com.apple.iTunes:ISRC",
    "explicit": "rtng",
    "genre": "\xa9gen",
    "label": "----:com.apple.iTunes:LABEL",
    "copyright": "cprt",
}
# RIFF INFO, which DAWs and ffmpeg write into WAV. Its "ISRC" means source, not ISRC.
_RIFF_INFO = {
    b"INAM": "title",
    b"IART": "artist",
    b"IPRD": "album",
    b"IGNR": "genre",
    b"ICRD": "date",
    b"IPRT": "track_number",
    b"ITRK": "track_number",
    b"ICOP": "copyright",
}
_ADVISORY_KEYS = frozenset({"ITUNESADVISORY", "EXPLICIT"})
# iTunes advisory codes: 1 and 4 explicit, 2 clean, 0 none.
_EXPLICIT = {"1": True, "4": True, "true": True, "yes": True, "explicit": True}
_NOT_EXPLICIT = {"0": False, "2": False, "false": False, "no": False, "clean": False}


def read_tags(path: Path) -> Tags:
    raw = _load(path)
    if isinstance(raw, ID3):
        values = _from_id3(raw)
    elif isinstance(raw, MP4Tags):
        values = {name: _first(raw.get(key)) for name, key in _MP4.items()}
    elif raw is not None and hasattr(raw, "keys"):
        values = _from_vorbis(raw)
    else:
        values = _from_riff_info(path)
    return _build(values)


def _load(path: Path) -> Any:
    try:
        audio = mutagen.File(path)
    except (mutagen.MutagenError, OSError, ValueError):
        return None
    return None if audio is None else audio.tags


def _from_id3(tags: ID3) -> dict[str, Any]:
    values: dict[str, Any] = {name: _id3_text(tags, frame) for name, frame in _ID3.items()}
    genres = getattr(tags.get("TCON"), "genres", None)
    values["genre"] = genres[0] if genres else None  # resolves "(17)" style references
    advisory = [f for f in tags.getall("TXXX") if f.desc.upper() in _ADVISORY_KEYS]
    values["explicit"] = _first(advisory[0].text) if advisory else None
    # TPUB is ID3's publisher, where taggers (MusicBrainz Picard among them) put the label.
    labels = [f for f in tags.getall("TXXX") if f.desc.upper() == "LABEL"]
    values["label"] = _first(labels[0].text) if labels else _id3_text(tags, "TPUB")
    return values


def _id3_text(tags: ID3, frame_id: str) -> str | None:
    frame = tags.get(frame_id)
    return str(frame.text[0]) if frame is not None and frame.text else None


def _from_vorbis(tags: Any) -> dict[str, Any]:
    present = {key.lower(): value for key, value in tags.items()}
    return {
        name: next((_first(present[k]) for k in keys if k in present), None) for name, keys in _VORBIS.items()
    }


def _from_riff_info(path: Path) -> dict[str, Any]:
    try:
        with mapped(path) as data:
            return _riff_info(data) if data[:4] == b"RIFF" and data[8:12] == b"WAVE" else {}
    except OSError:
        return {}


def _riff_info(data: Buffer) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for kind, offset, size in riff_chunks(data, 12):
        if kind == b"LIST" and data[offset : offset + 4] == b"INFO":
            values |= _info_values(data[offset + 4 : offset + size])
    return values


def _info_values(info: bytes) -> dict[str, str]:
    values = {}
    for kind, offset, size in riff_chunks(info, 0):
        if kind in _RIFF_INFO:
            values[_RIFF_INFO[kind]] = _decode_text(info[offset : offset + size])
    return values


def _decode_text(raw: bytes) -> str:
    raw = raw.split(b"\0")[0]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def _first(value: Any) -> Any:
    if isinstance(value, list | tuple) and not isinstance(value, str):
        return value[0] if value else None
    return value


def _build(values: dict[str, Any]) -> Tags:
    return Tags(
        title=_text(values.get("title")),
        artist=_text(values.get("artist")),
        album=_text(values.get("album")),
        album_artist=_text(values.get("album_artist")),
        track_number=_number(values.get("track_number")),
        disc_number=_number(values.get("disc_number")),
        date=_text(values.get("date")),
        isrc=_text(values.get("isrc")),
        explicit=_explicit(values.get("explicit")),
        genre=_text(values.get("genre")),
        label=_text(values.get("label")),
        copyright=_text(values.get("copyright")),
    )


def _text(value: Any) -> str | None:
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    text = str(value).strip() if value is not None else ""
    return text or None


def _number(value: Any) -> int | None:
    if isinstance(value, tuple):  # MP4 stores (number, total)
        value = value[0]
    text = (_text(value) or "").split("/")[0].strip()
    return int(text) if text.isdigit() and int(text) > 0 else None


def _explicit(value: Any) -> bool | None:
    text = (_text(value) or "").lower()
    return _EXPLICIT.get(text, _NOT_EXPLICIT.get(text))
