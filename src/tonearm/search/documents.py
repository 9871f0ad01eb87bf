"""Catalog records as index documents: one per track, album and artist, keyed "kind:id".

Playlists, shows and episodes join by adding a record type and a case here; the query side
already filters by `kind`.
"""

from __future__ import annotations

from datetime import date

import orjson
import tantivy

from tonearm.catalog.feed import AlbumRecord, ArtistRecord, Credit, Record, TrackRecord
from tonearm.kit.ids import uri
from tonearm.search.fold import document_words, exact_form

__all__ = ["PLAYABLE_SOMEWHERE", "POPULARITY_SPAN", "document_key", "to_document"]

PLAYABLE_SOMEWHERE = "ANY"

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


def _card(record: Record) -> bytes:
    card: dict[str, object] = {
        "type": record.kind,
        "id": record.id,
        "uri": uri(record.kind, record.id),
        "name": record.name,
    }
    if isinstance(record, TrackRecord):
        card["artists"] = _credits(record.artists)
        card["album"] = {"id": record.album.id, "name": record.album.name}
    elif isinstance(record, AlbumRecord):
        card["artists"] = _credits(record.artists)
        card["album_type"] = record.album_type
        card["release_date"] = record.release_date
    return orjson.dumps(card)


def to_document(record: Record) -> tantivy.Document:
    doc = tantivy.Document()
    doc.add_text("key", document_key(record.kind, record.id))
    doc.add_text("kind", record.kind)
    doc.add_text("name", document_words(record.name))
    doc.add_text("exact", exact_form(record.name))
    doc.add_integer("popularity", record.popularity)
    doc.add_float("weight", _weight(record.popularity))
    doc.add_bytes("card", _card(record))
    if isinstance(record, ArtistRecord):
        doc.add_text("markets", PLAYABLE_SOMEWHERE)
        doc.add_text("markets", "WW")
        return doc
    doc.add_text("artist", document_words(" ".join(credit.name for credit in record.artists)))
    if isinstance(record, TrackRecord):
        doc.add_text("album", document_words(record.album.name))
        if record.isrc:
            doc.add_text("isrc", record.isrc)
    doc.add_integer("year", int(record.release_date[:4]) if record.release_date[:4].isdigit() else 0)
    doc.add_integer("released", _day(record.release_date))
    # A track taken down everywhere has no markets at all, so even market-less searches drop it.
    for market in (PLAYABLE_SOMEWHERE, *record.markets) if record.markets else ():
        doc.add_text("markets", market)
    return doc
