"""Folding text into the words the index holds: case, diacritics and punctuation.

Documents and queries go through the same folding, so "Beyoncé" and "beyonce" meet. A word
with punctuation inside ("AC/DC", "Jay-Z", "P!nk") is indexed both as its parts and joined
("ac dc acdc"), while a query word is joined only, so "acdc", "ac/dc" and "ac dc" all match.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

__all__ = ["document_words", "exact_form", "folded_name", "query_words"]

# Letters that carry no combining mark to strip, so NFKD leaves them as they are.
_LETTERS = str.maketrans(
    {"ø": "o", "æ": "ae", "œ": "oe", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ı": "i", "ß": "ss"}
)
_PARTS = re.compile(r"[^\W_]+")


def _fold(text: str) -> str:
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char)).translate(_LETTERS)


def _chunks(text: str) -> list[list[str]]:
    """Each whitespace-separated chunk as its alphanumeric parts; '&' alone reads as 'and'."""
    chunks = []
    for chunk in _fold(text).split():
        if chunk.isalnum():
            chunks.append([chunk])
            continue
        parts = ["and"] if chunk == "&" else _PARTS.findall(chunk)
        if parts:
            chunks.append(parts)
    return chunks


def folded_name(text: str) -> tuple[str, str]:
    """A name's index words (space-separated) and its exact form, in one pass."""
    words: list[str] = []
    joined: list[str] = []
    for parts in _chunks(text):
        words.extend(parts)
        if len(parts) > 1:
            words.append("".join(parts))
            joined.append(words[-1])
        else:
            joined.append(parts[0])
    return " ".join(words), " ".join(joined)


@lru_cache(maxsize=200_000)
def document_words(text: str) -> str:
    """The index's words for a name (artist and album names repeat a lot, hence the cache)."""
    return folded_name(text)[0]


def query_words(text: str) -> list[str]:
    return ["".join(parts) for parts in _chunks(text)]


def exact_form(text: str) -> str:
    """A whole name as one comparable string, for exact-match and starts-with boosts."""
    return " ".join(query_words(text))
