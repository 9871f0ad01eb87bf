"""Catalog records as index documents: one per track, album, artist and public playlist, keyed
"kind:id".

Shows and episodes join by adding a record type and a case here; the query side already
filters by `kind`.
"""

from __future__ import annotations

from datetime import date

import orjson
import tantivy

from tonearm.catalog import AlbumRecord, ArtistRecord, Credit, Record, TrackRecord
from tonearm.kit.ids import uri
from tonearm.kit.rights import Availability
from tonearm.playlists import PlaylistRecord
from tonearm.search.fold import document_words, folded_name
from tonearm.search.index import SHORT_PREFIX, TIERS

__all__ = [
    "EXCLUDED",
    "LISTED",
    "NOWHERE",
    "POPULARITY_SPAN",
    "document_key",
    "head_prefix",
    "head_word",
    "to_document",
]

# Markets are written as exceptions, so the common case (worldwide) adds no term, and a search
# filters by excluding small posting lists instead of walking the whole catalog's:
# nothing: plays everywhere; "-SE": everywhere but Sweden; "LISTED" "SE" "NO": only there;
# "NOWHERE": taken down everywhere.
EXCLUDED, LISTED, NOWHERE = "-", "LISTED", "NOWHERE"

# The score is multiplied by log2(2 + weight) (tantivy's weight_by_field); this weight makes
# that multiplier 1 + POPULARITY_SPAN × popularity / 100, so text relevance still leads.
POPULARITY_SPAN = 1.0
_EPOCH = date(1970, 1, 1)


def document_key(kind: str, entity_id: str) -> str:
    return f"{kind}:{entity_id}"


def _weight(popularity: int) -> float:
    return float(2 ** (1 + POPULARITY_SPAN * max(0, min(popularity, 100)) / 100) - 2)


def _day(release_date: str) -> int:
    """Days since 1970 of a release date given to year, month or day."""
    parts = [int(part) for part in release_date.split("-") if part.isdigit()] + [1, 1]
    try:
        return (date(parts[0], parts[1], parts[2]) - _EPOCH).days
    except ValueError:
        return 0


def _credits(credits: tuple[Credit, ...]) -> list[dict[str, str]]:
    return [{"id": credit.id, "name": credit.name} for credit in credits]


Indexed = Record | PlaylistRecord


def _card(record: Indexed) -> bytes:
    card: dict[str, object] = {
        "type": record.kind,
        "id": record.id,
        "uri": uri(record.kind, record.id),
        "name": record.name,
    }
    if isinstance(record, TrackRecord):
        card["artists"] = _credits(record.artists)
        card["album"] = {"id": record.album.id, "name": record.album.name}
    elif isinstance(record, PlaylistRecord):
        card["owner"] = {"id": record.owner_id, "name": record.owner_name}
    elif isinstance(record, AlbumRecord):
        card["artists"] = _credits(record.artists)
        card["album_type"] = record.album_type
        card["release_date"] = record.release_date
    return orjson.dumps(card)


def _market_terms(available: Availability) -> list[str]:
    if not available.markets:
        return [NOWHERE]
    if available.worldwide:
        return [f"{EXCLUDED}{market}" for market in available.excluded]
    return [LISTED, *available.markets]


def head_word(tier: int, word: str) -> str:
    return f"{tier}={word}"


def head_prefix(tier: int, prefix: str) -> str:
    return f"{tier}:{prefix}"


def _add_words(doc: tantivy.Document, words: str, prefixed: str, popularity: int) -> None:
    """All words, and the short prefixes of the ones people start typing: name and artists;
    for a popular document, both again as its tiers' head terms."""
    doc.add_text("words", words)
    starts = {word[:SHORT_PREFIX] for word in prefixed.split()}
    for start in starts:
        doc.add_text("prefixes", start)
    tiers = [tier for tier in TIERS if popularity >= tier]
    if tiers:
        prefixes = {start[:length] for start in starts for length in range(1, len(start) + 1)}
        head = [head_word(tier, word) for tier in tiers for word in set(words.split())]
        head += [head_prefix(tier, prefix) for tier in tiers for prefix in prefixes]
        doc.add_text("head", " ".join(head))


def to_document(record: Indexed) -> tantivy.Document:
    doc = tantivy.Document()
    doc.add_text("key", document_key(record.kind, record.id))
    doc.add_text("kind", record.kind)
    name_words, exact = folded_name(record.name)
    doc.add_text("name", name_words)
    doc.add_text("exact", exact)
    for tier in TIERS:
        if record.popularity >= tier:
            doc.add_text("tier", str(tier))
    doc.add_integer("popularity", record.popularity)
    doc.add_float("weight", _weight(record.popularity))
    doc.add_bytes("card", _card(record))
    if isinstance(record, ArtistRecord):
        _add_words(doc, name_words, name_words, record.popularity)
        return doc
    if isinstance(record, PlaylistRecord):
        # Found by its name, its description and its owner's name; it plays everywhere (no
        # market terms), and a private one is never indexed.
        owner_words = document_words(record.owner_name)
        doc.add_text("artist", owner_words)
        described = document_words(record.description)
        _add_words(doc, f"{name_words} {owner_words} {described}", name_words, record.popularity)
        return doc
    artist_words = document_words(" ".join(credit.name for credit in record.artists))
    doc.add_text("artist", artist_words)
    if isinstance(record, TrackRecord):
        album_words = document_words(record.album.name)
        doc.add_text("album", album_words)
        everything = f"{name_words} {artist_words} {album_words}"
        _add_words(doc, everything, f"{name_words} {artist_words}", record.popularity)
        if record.isrc:
            doc.add_text("isrc", record.isrc)
    else:
        _add_words(doc, f"{name_words} {artist_words}", f"{name_words} {artist_words}", record.popularity)
    doc.add_integer("year", int(record.release_date[:4]) if record.release_date[:4].isdigit() else 0)
    doc.add_integer("released", _day(record.release_date))
    for market in _market_terms(record.availability):
        doc.add_text("markets", market)
    return doc
