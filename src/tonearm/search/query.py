"""Reading a search box: free words, "quoted phrases" and Spotify's field filters.

    mr bright                       words; the last one, as typed, is a prefix
    "mr brightside" killers         a phrase and a word
    artist:killers year:2000-2010   filters: artist: album: track: year: isrc: tag:new|hipster
    artist:"the killers"            a filter on a phrase

Everything that is wrong with a query is a BadRequest that says what; nothing else raises.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from tonearm.errors import BadRequest
from tonearm.search.fold import query_words

__all__ = ["FILTERS", "MAX_QUERY_CHARS", "ParsedQuery", "parse_query"]

MAX_QUERY_CHARS = 500
FILTERS = ("artist", "album", "track", "year", "isrc", "tag")
TAGS = ("new", "hipster")
_TOKEN = re.compile(r'\s*(?:([A-Za-z_]+):)?("[^"]*"|[^\s"]+)')
_BARE_FILTER = re.compile(r"^([A-Za-z_]+):$")
_YEAR = re.compile(r"^(\d{4})(?:-(\d{4}))?$")
_ISRC = re.compile(r"^[A-Z]{2}[A-Z0-9]{3}[0-9]{7}$")


@dataclass
class ParsedQuery:
    words: list[str] = field(default_factory=list)
    # The last free word was still being typed (no space or quote after it): match it as a prefix.
    prefix_last: bool = False
    phrases: list[list[str]] = field(default_factory=list)
    artist: list[list[str]] = field(default_factory=list)
    album: list[list[str]] = field(default_factory=list)
    track: list[list[str]] = field(default_factory=list)
    years: tuple[int, int] | None = None
    isrc: str | None = None
    tags: set[str] = field(default_factory=set)

    @property
    def has_text(self) -> bool:
        return bool(self.words or self.phrases or self.artist or self.album or self.track)

    @property
    def has_filters(self) -> bool:
        return bool(
            self.phrases or self.artist or self.album or self.track or self.years or self.isrc or self.tags
        )

    @property
    def is_empty(self) -> bool:
        return not (self.has_text or self.years or self.isrc or self.tags)

    def text(self) -> str:
        return " ".join(self.words)


def parse_query(q: str) -> ParsedQuery:
    if len(q) > MAX_QUERY_CHARS:
        raise BadRequest(f"q is {len(q)} characters; at most {MAX_QUERY_CHARS} are allowed")
    if q.count('"') % 2:
        raise BadRequest('q has an unbalanced quote (")')
    if not q.strip():
        raise BadRequest("q must not be empty")
    parsed = ParsedQuery()
    position, ends_in_word = 0, False
    for match in _TOKEN.finditer(q):
        name, value = match.group(1), match.group(2)
        position = match.end()
        quoted = value.startswith('"')
        words = query_words(value.strip('"'))
        bare = _BARE_FILTER.match(value)
        if name is None and bare and bare.group(1).lower() in FILTERS:
            raise BadRequest(f"filter '{bare.group(1).lower()}:' needs a value")
        if name is None:
            if quoted:
                if words:
                    parsed.phrases.append(words)
            else:
                parsed.words.extend(words)
            ends_in_word = not quoted and bool(words)
            continue
        _add_filter(parsed, name.lower(), value.strip('"'), words)
        ends_in_word = False
    parsed.prefix_last = ends_in_word and position == len(q) and bool(parsed.words)
    return parsed


def _add_filter(parsed: ParsedQuery, name: str, raw: str, words: list[str]) -> None:
    if name not in FILTERS:
        known = ", ".join(f"{known}:" for known in FILTERS)
        raise BadRequest(f"unknown filter '{name}:'; the filters are {known}")
    if not raw.strip():
        raise BadRequest(f"filter '{name}:' needs a value")
    if name == "year":
        parsed.years = _years(raw)
    elif name == "isrc":
        code = raw.replace("-", "").upper()
        if not _ISRC.match(code):
            raise BadRequest(f"isrc:{raw[:20]} is not an ISRC (2 letters, 3 alphanumerics, 7 digits)")
        parsed.isrc = code
    elif name == "tag":
        if raw.lower() not in TAGS:
            raise BadRequest(f"tag:{raw[:20]} is not a tag; the tags are tag:new and tag:hipster")
        parsed.tags.add(raw.lower())
    elif words:
        getattr(parsed, name).append(words)


def _years(raw: str) -> tuple[int, int]:
    match = _YEAR.match(raw)
    if not match:
        raise BadRequest(f"year:{raw[:20]} is not a year (1999) or a range of years (1990-1999)")
    first = int(match.group(1))
    last = int(match.group(2) or first)
    if first > last:
        raise BadRequest(f"year:{raw} ends before it starts")
    return first, last
