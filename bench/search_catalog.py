"""A realistic catalog and a query set for the search benchmarks, built from real names.

    .venv/bin/python bench/search_catalog.py --tracks 1000000 --out /tmp/catalog-1m
        [--seed 7] [--queries 2000] [--data-dir ../shared/data/hetrec2011-lastfm-2k]

writes `DIR/tonearm.db` (Tonearm's catalog schema, SQLite, loaded by `write_catalog`) and
`DIR/queries.json`, and reuses DIR when its `catalog.json` records the same parameters. Other
benchmarks import `generate`, `query_set` and the text folding (`index_terms`, `query_terms`).
The data folder is not copied anywhere; without it the command stops and says where it looked.

**Catalog.** About n/10 artists, n/8 albums, n tracks, all drawn from a seeded generator, so the
same arguments give the same catalog. The 17,632 real artist names of hetrec2011-lastfm-2k come
first, most played first (a 50k catalog holds the 5,000 most played); their popularity is their
total play count, log-scaled to 0-100, and their genres their three most used tags. Generated
artists follow real shapes ("The <Word> <Word>s", "<First> <Last>", single words, "DJ <Word>",
"AC/DC"-like punctuation, an occasional diacritic), from the first and last names and the tokens of
the real names; their popularity is a long tail (mostly under 30). Titles take 1-6 words drawn
Zipf-like (by rank of frequency) from the tokens of the real names and tags; the last word is never
a function word. Some words are coined in the style of the real ones (8% of title words, 25% of
generated name words), so the term dictionary grows with the catalog as a real one does (names,
slang, other languages) instead of stopping at the ~30k words of the lists. A few tracks take a
stock title ("Intro", "Love Song") and a few a version suffix ("- Live"), so titles collide as real
ones do, and a single is named after its lead track. Albums hold 1-3 tracks (single), 4-6 (EP,
typed single) or 8-20. One track in ten has a featured artist, picked by popularity. Album
popularity is the artist's plus noise, a track's its album's plus noise, lead tracks slightly
ahead. Release dates run from 1960 to 2026-11-21, skewed to recent years, one album in a hundred in
the last 14 days. ISRCs are unique (a counter per country, registrant and year). Rights are per
album: ~90% worldwide, ~7% a list of 1-30 countries, ~3% worldwide with 1-5 countries denied.

**Queries** (`query_set`, n of each kind). The targets are artists, tracks and albums in the
shares of `TARGET_SHARE`, sampled without replacement and weighted by popularity: weight
2^(popularity/10), so each 10 points doubles the chance (people search for what is popular;
popularity is itself log-scaled plays). `weighting="uniform"` samples evenly instead.
- prefix: the first k characters of an artist name or track title, k uniform in 2..len, as
  stored (case and accents kept: the engine folds them).
- one_edit: one substitution, insertion, deletion or transposition (optimal string alignment
  distance exactly 1) in one word of at least 5 folded ASCII letters; substituted and inserted
  letters are QWERTY neighbours, as real typos are.
- two_edit: two edits in one word of at least 9 letters (distance exactly 2), or one edit in
  each of two words of at least 5 letters.
Misspelled queries are the folded title (lowercase, no accents, punctuation as spaces), as people
type; their targets have a title that no other artist, album or track shares once folded, since
an ambiguous title has no intended item.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, Literal, TypeVar

import numpy as np
from rapidfuzz.distance import OSA
from sqlalchemy import Connection, Dialect, Table, insert

from tonearm.kit.db import Base, make_engine, migrate
from tonearm.kit.ids import ALPHABET
from tonearm.kit.territories import COUNTRIES
from tonearm.search.fold import document_words, query_words

__all__ = [
    "DEFAULT_DATA_DIR",
    "AlbumRec",
    "ArtistRec",
    "Catalog",
    "Query",
    "TrackRec",
    "generate",
    "index_terms",
    "query_set",
    "query_terms",
    "write_catalog",
]

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA_DIR = ROOT.parent / "shared" / "data" / "hetrec2011-lastfm-2k"
GENERATOR_VERSION = 1

FIRST_DATE = date(1960, 1, 1)
LAST_DATE = date(2026, 11, 21)
CREATED_AT = datetime(2026, 11, 21, tzinfo=UTC)

_FUNCTION_WORDS = """a an and at by de del der des di die das do du el et for from in la las le les los
    of on or the to und van von vs with y"""
FUNCTION_WORDS = frozenset(_FUNCTION_WORDS.split())
NOT_WORDS = frozenset(["feat", "ft", "featuring"])  # "X feat. Y" in artist names
# The most common first: drawn Zipf-like.
_STOCK_TITLES = """Intro|Outro|Interlude|Love Song|Home|Untitled|Hello|Stay|Forever|Angel|Tonight|Hold On|Run|
Dreams|Alive|Heaven|Beautiful|Crazy|Fire|Breathe|Lullaby|Reprise|Summertime|Goodbye|Without You"""
STOCK_TITLES = tuple(_STOCK_TITLES.replace("\n", "").split("|"))
VERSION_SUFFIXES = (" - Live", " - Remastered", " - Radio Edit", " (Acoustic)", " (Remix)", " - Demo")
COMPILATION_TITLES = ("Greatest Hits", "The Best Of", "Essentials", "Anthology", "Live", "Collected")
ISRC_COUNTRIES = ("US", "GB", "DE", "FR", "SE", "JP", "NL", "CA", "AU", "IT", "ES", "BR", "KR", "NO", "FI")
ISRC_COUNTRY_P = np.array([30, 18, 9, 7, 6, 6, 4, 4, 3, 3, 3, 3, 2, 1, 1], dtype=float)
# Shares of words coined rather than drawn from the real ones.
COINED_IN_TITLES = 0.08
COINED_IN_NAMES = 0.25
TITLE_LENGTH_P = np.array([0.25, 0.30, 0.20, 0.12, 0.08, 0.05])
ALBUM_TITLE_LENGTH_P = np.array([0.35, 0.35, 0.20, 0.10])
TARGET_SHARE = {"artist": 0.45, "track": 0.45, "album": 0.10}
PREFIX_SHARE = {"artist": 0.5, "track": 0.5}
QWERTY = ("qwertyuiop", "asdfghjkl", "zxcvbnm")

# ---------------------------------------------------------------------------------------------
# Text folding: the product's own (tonearm.search.fold), so the queries are folded as it folds.


def index_terms(text: str) -> list[str]:
    """The terms a name is indexed under ("AC/DC" -> ac, dc, acdc)."""
    return document_words(text).split()


def query_terms(text: str) -> list[str]:
    """A query's words ("AC/DC" -> acdc)."""
    return query_words(text)


# ---------------------------------------------------------------------------------------------
# Records.


@dataclass(slots=True)
class ArtistRec:
    id: str
    name: str
    popularity: int
    genres: list[str]
    real: bool


@dataclass(slots=True)
class AlbumRec:
    id: str
    name: str
    album_type: str
    artist_ids: tuple[str, ...]
    release_date: str
    popularity: int
    rights: tuple[tuple[str, bool], ...]


@dataclass(slots=True)
class TrackRec:
    id: str
    name: str
    artist_ids: tuple[str, ...]
    album_id: str
    track_number: int
    duration_ms: int
    explicit: bool
    isrc: str
    popularity: int
    release_date: str
    rights: tuple[tuple[str, bool], ...]


@dataclass(slots=True)
class Catalog:
    n_tracks: int
    seed: int
    artists: list[ArtistRec]
    albums: list[AlbumRec]
    tracks: list[TrackRec]

    def items(self) -> Iterator[tuple[str, ArtistRec | AlbumRec | TrackRec]]:
        yield from (("artist", artist) for artist in self.artists)
        yield from (("album", album) for album in self.albums)
        yield from (("track", track) for track in self.tracks)


QueryKind = Literal["prefix", "one_edit", "two_edit"]
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Query:
    kind: QueryKind
    text: str
    target_kind: str
    target_id: str
    target_name: str


# ---------------------------------------------------------------------------------------------
# The real data.


@dataclass
class Source:
    names: list[str]  # most played first
    plays: list[int]
    genres: list[list[str]]
    tag_names: list[str]
    tag_uses: np.ndarray


def load_source(data_dir: Path) -> Source:
    if not (data_dir / "artists.dat").is_file():
        raise FileNotFoundError(
            f"hetrec2011-lastfm-2k not found in {data_dir} (expected artists.dat, tags.dat, "
            "user_artists.dat, user_taggedartists.dat): pass --data-dir"
        )
    names = {cells[0]: cells[1] for cells in _rows(data_dir / "artists.dat", 2)}
    plays: Counter[str] = Counter()
    for _user, artist, weight in _rows(data_dir / "user_artists.dat", 3):
        plays[artist] += int(weight)
    tags = {cells[0]: cells[1] for cells in _rows(data_dir / "tags.dat", 2, encoding="latin-1")}
    tagged: defaultdict[str, Counter[str]] = defaultdict(Counter)
    for _user, artist, tag, *_date in _rows(data_dir / "user_taggedartists.dat", 3):
        tagged[artist][tag] += 1
    order = sorted(names, key=lambda key: (-plays[key], int(key)))
    tag_uses: Counter[str] = Counter()
    for counts in tagged.values():
        tag_uses.update(counts)
    return Source(
        names=[names[key].strip() for key in order],
        plays=[plays[key] for key in order],
        genres=[[tags[tag] for tag, _ in tagged[key].most_common(3) if tag in tags] for key in order],
        tag_names=list(tags.values()),
        tag_uses=np.array([tag_uses[key] + 1 for key in tags], dtype=float),
    )


def _rows(path: Path, width: int, encoding: str = "utf-8") -> Iterator[list[str]]:
    with path.open(encoding=encoding) as lines:
        next(lines)
        for line in lines:
            cells = line.rstrip("\n").split("\t")
            if len(cells) >= width and cells[1]:
                yield cells


@dataclass
class Vocabulary:
    """Words by descending frequency in real names and tags, with Zipf probabilities by rank."""

    capital: list[str]  # "Love"
    inner: list[str]  # "Love", but "of" stays "of"
    zipf: np.ndarray
    content: np.ndarray  # indices of words a title may end with
    content_zipf: np.ndarray
    content_cumulative: list[float]
    first_names: list[str]
    last_names: list[str]
    coiner: WordCoiner

    @classmethod
    def build(cls, source: Source, rng: np.random.Generator) -> Vocabulary:
        counts: Counter[str] = Counter()
        surfaces: defaultdict[str, Counter[str]] = defaultdict(Counter)
        for token in (token for name in source.names for token in _tokens(name)):
            counts[token.casefold()] += 1
            surfaces[token.casefold()][token] += 1
        # Tags bring words, not frequencies: "rock" is in hundreds of tags but few titles.
        for token in {token.casefold() for tag in source.tag_names for token in _tokens(tag)}:
            counts[token] += 1
            surfaces[token][token] += 1
        keys = sorted(counts)
        shuffled = [keys[i] for i in rng.permutation(len(keys))]  # ties in a seeded order
        ranked = sorted(shuffled, key=lambda key: -counts[key])
        capital = [_capitalize(surfaces[key].most_common(1)[0][0]) for key in ranked]
        inner = [key if key in FUNCTION_WORDS else word for key, word in zip(ranked, capital, strict=True)]
        zipf = 1.0 / np.arange(1, len(ranked) + 1)
        content = np.array([i for i, key in enumerate(ranked) if key not in FUNCTION_WORDS and len(key) > 1])
        firsts, lasts = _person_names(source.names)
        content_zipf = _normalized(zipf[content])
        cumulative = np.cumsum(content_zipf).tolist()
        coiner = WordCoiner([key for key in ranked if key.isalpha() and len(key) >= 3])
        return cls(
            capital, inner, _normalized(zipf), content, content_zipf, cumulative, firsts, lasts, coiner
        )


class WordCoiner:
    """New words in the style of the real ones (a character trigram chain over their letters):
    real catalogs keep meeting words no list holds (names, slang, other languages), and the size
    of the term dictionary is what fuzzy matching pays for."""

    def __init__(self, words: Sequence[str]) -> None:
        following: defaultdict[str, Counter[str]] = defaultdict(Counter)
        for word in words:
            padded = f"^^{word}$"
            for i in range(len(padded) - 2):
                following[padded[i : i + 2]][padded[i + 2]] += 1
        self.chain = {
            context: (list(counts), list(np.cumsum(list(counts.values())).tolist()))
            for context, counts in following.items()
        }

    def word(self, pick: random.Random) -> str:
        while True:
            text = "^^"
            while text[-1] != "$" and len(text) < 16:
                letters, cumulative = self.chain[text[-2:]]
                text += pick.choices(letters, cum_weights=cumulative)[0]
            word = text[2:].rstrip("$")
            if len(word) >= 3:
                return word[0].upper() + word[1:]


def _tokens(text: str) -> Iterator[str]:
    for raw in text.split():
        token = raw.strip("()[]{}\"'.,!?:;*#/\\-_~")
        if any(char.isalpha() for char in token) and token.casefold() not in NOT_WORDS:
            yield token


def _capitalize(word: str) -> str:
    if word.isupper() and len(word) > 4:
        word = word.lower()
    return word[:1].upper() + word[1:]


def _person_names(names: Sequence[str]) -> tuple[list[str], list[str]]:
    firsts, lasts = [], []
    for name in names:
        parts = name.split()
        if len(parts) == 2 and parts[0] != "The" and all(p.isalpha() and p[0].isupper() for p in parts):
            firsts.append(parts[0])
            lasts.append(parts[1])
    return firsts, lasts


def _normalized(weights: np.ndarray) -> np.ndarray:
    return np.asarray(weights / weights.sum(), dtype=float)


# ---------------------------------------------------------------------------------------------
# Generation.


def generate(n_tracks: int, seed: int = 7, data_dir: Path = DEFAULT_DATA_DIR) -> Catalog:
    """A deterministic catalog of n_tracks tracks, about n/10 artists and n/8 albums."""
    source = load_source(data_dir)
    rng = np.random.default_rng(seed)
    vocabulary = Vocabulary.build(source, rng)
    artists = _artists(source, vocabulary, max(1, n_tracks // 10), rng, random.Random(seed))
    sizes = _album_sizes(n_tracks, rng)
    owners = _album_owners(artists, len(sizes), rng)
    albums, tracks = _albums_and_tracks(artists, owners, sizes, vocabulary, rng)
    return Catalog(n_tracks, seed, artists, albums, tracks)


def _base62_ids(rng: np.random.Generator, count: int) -> list[str]:
    """22-character base62 ids from 128 random bits, as tonearm.kit.ids.new_id makes, but seeded
    and vectorized: 11 digits per 64-bit half (62**11 > 2**64)."""
    values = rng.integers(0, np.iinfo(np.uint64).max, size=(count, 2), dtype=np.uint64, endpoint=True)
    alphabet = np.frombuffer(ALPHABET.encode(), dtype=np.uint8)
    digits = np.empty((count, 22), dtype=np.uint8)
    for half in (0, 1):
        rest = values[:, half].copy()
        for position in range(10, -1, -1):
            digits[:, half * 11 + position] = alphabet[(rest % 62).astype(np.intp)]
            rest //= 62
    return [raw.decode() for raw in digits.view("S22").ravel().tolist()]


def _artists(
    source: Source, vocabulary: Vocabulary, count: int, rng: np.random.Generator, pick: random.Random
) -> list[ArtistRec]:
    real = min(count, len(source.names))
    ids = _base62_ids(rng, count)
    top = math.log1p(max(source.plays))
    artists = [
        ArtistRec(
            ids[i], source.names[i], round(100 * math.log1p(source.plays[i]) / top), source.genres[i], True
        )
        for i in range(real)
    ]
    popularity = np.minimum(100, np.floor(rng.beta(1.3, 6.0, size=count - real) * 100)).astype(int).tolist()
    tag_p = _normalized(source.tag_uses)
    genre_counts = rng.integers(1, 4, size=count - real).tolist()
    tag_draws = rng.choice(len(source.tag_names), size=sum(genre_counts), p=tag_p).tolist()
    for offset in range(count - real):
        genres = [source.tag_names[t] for t in tag_draws[: genre_counts[offset]]]
        del tag_draws[: genre_counts[offset]]
        name = _artist_name(vocabulary, pick)
        artists.append(ArtistRec(ids[real + offset], name, popularity[offset], genres, False))
    return artists


# Shapes of generated artist names and their weights.
ARTIST_PATTERNS = {
    "person": 30,
    "word": 18,
    "two": 16,
    "the_plural_two": 10,
    "the_plural": 6,
    "three": 5,
    "band_of": 3,
    "dj": 4,
    "punctuated": 5,
    "the_word": 3,
}


def _artist_name(vocabulary: Vocabulary, pick: random.Random) -> str:
    pattern = pick.choices(list(ARTIST_PATTERNS), list(ARTIST_PATTERNS.values()))[0]
    name = _ARTIST_SHAPES[pattern](vocabulary, pick)
    return _with_diacritic(name, pick) if pick.random() < 0.02 else name


def _word(vocabulary: Vocabulary, pick: random.Random) -> str:
    """A content word by the same Zipf law as titles, or a coined one (band names often are)."""
    if pick.random() < COINED_IN_NAMES:
        return vocabulary.coiner.word(pick)
    rank = pick.choices(vocabulary.content, cum_weights=vocabulary.content_cumulative)[0]
    return vocabulary.capital[int(rank)]


def _plural(word: str) -> str:
    return word if word.endswith("s") else word + "s"


def _punctuated(vocabulary: Vocabulary, pick: random.Random) -> str:
    a, b = _word(vocabulary, pick), _word(vocabulary, pick)
    shape = pick.randrange(5)
    if shape == 0:
        return f"{a[:2].upper()}/{b[:2].upper()}"
    if shape == 1:
        return f"{a}-{b}"
    if shape == 2:
        return f"{a}!"
    if shape == 3:
        return f"{a} & {b}"
    return f"{a[0]}.{b[0]}.{_word(vocabulary, pick)[0]}.".upper()


_ARTIST_SHAPES: dict[str, Callable[[Vocabulary, random.Random], str]] = {
    "person": lambda v, p: f"{p.choice(v.first_names)} {p.choice(v.last_names)}",
    "word": lambda v, p: _word(v, p),
    "two": lambda v, p: f"{_word(v, p)} {_word(v, p)}",
    "the_plural_two": lambda v, p: f"The {_word(v, p)} {_plural(_word(v, p))}",
    "the_plural": lambda v, p: f"The {_plural(_word(v, p))}",
    "the_word": lambda v, p: f"The {_word(v, p)}",
    "three": lambda v, p: f"{_word(v, p)} {_word(v, p)} {_word(v, p)}",
    "band_of": lambda v, p: (
        f"{p.choice(v.first_names)} {p.choice(v.last_names)} & The {_plural(_word(v, p))}"
    ),
    "dj": lambda v, p: f"{p.choice(('DJ', 'MC', 'Lil'))} {_word(v, p)}",
    "punctuated": _punctuated,
}

_ACCENTS = {"o": "ö", "u": "ü", "e": "é", "a": "á", "i": "í", "n": "ñ"}


def _with_diacritic(name: str, pick: random.Random) -> str:
    spots = [i for i, char in enumerate(name) if char in _ACCENTS]
    if not spots:
        return name
    i = pick.choice(spots)
    return name[:i] + _ACCENTS[name[i]] + name[i + 1 :]


def _album_sizes(n_tracks: int, rng: np.random.Generator) -> list[int]:
    """Singles of 1-3 tracks, EPs of 4-6, albums of 8-20: 8 tracks an album on average."""
    estimate = n_tracks // 8 + 64
    shape = rng.choice(3, size=estimate, p=[0.35, 0.10, 0.55])
    single = rng.choice([1, 2, 3], size=estimate, p=[0.7, 0.2, 0.1])
    ep = rng.integers(4, 7, size=estimate)
    album = 8 + rng.binomial(12, 0.4, size=estimate)
    sizes = np.select([shape == 0, shape == 1], [single, ep], album)
    while sizes.sum() < n_tracks:
        sizes = np.concatenate([sizes, sizes[: n_tracks // 8 + 1]])
    ends = np.cumsum(sizes)
    last = int(np.searchsorted(ends, n_tracks))
    sizes = sizes[: last + 1].copy()
    sizes[-1] -= int(ends[last]) - n_tracks
    return [int(size) for size in sizes if size > 0]


def _popularity_weights(popularity: Sequence[int]) -> np.ndarray:
    return np.exp2(np.asarray(popularity, dtype=float) / 10.0)


def _album_owners(artists: list[ArtistRec], n_albums: int, rng: np.random.Generator) -> np.ndarray:
    """Every artist has an album; the rest go to artists by popularity (a hit act has dozens)."""
    base = rng.permutation(len(artists))[:n_albums]
    weights = _normalized(_popularity_weights([artist.popularity for artist in artists]))
    extra = rng.choice(len(artists), size=max(0, n_albums - len(artists)), p=weights)
    return np.asarray(rng.permutation(np.concatenate([base, extra])), dtype=np.intp)


def _titles(vocabulary: Vocabulary, count: int, lengths_p: np.ndarray, rng: np.random.Generator) -> list[str]:
    lengths = rng.choice(len(lengths_p), size=count, p=lengths_p) + 1
    words = rng.choice(len(vocabulary.capital), size=int(lengths.sum()), p=vocabulary.zipf)
    ends = np.cumsum(lengths) - 1
    words[ends] = vocabulary.content[
        rng.choice(len(vocabulary.content), size=count, p=vocabulary.content_zipf)
    ]
    starts = set((ends - lengths + 1).tolist())
    capital, inner = vocabulary.capital, vocabulary.inner
    forms = [capital[w] if i in starts else inner[w] for i, w in enumerate(words.tolist())]
    pick = random.Random(int(rng.integers(2**62)))
    for i in np.flatnonzero(rng.random(len(forms)) < COINED_IN_TITLES).tolist():
        forms[i] = vocabulary.coiner.word(pick)
    titles = []
    start = 0
    for length in lengths.tolist():
        titles.append(" ".join(forms[start : start + length]))
        start += length
    return titles


def _stock_titles(titles: list[str], rng: np.random.Generator) -> None:
    """2% stock titles ("Intro", "Love Song"), 3% version suffixes, as real catalogs have."""
    draw = rng.random(len(titles))
    stock_p = _normalized(1.0 / np.arange(1, len(STOCK_TITLES) + 1))
    for i in np.flatnonzero(draw < 0.02).tolist():
        titles[i] = STOCK_TITLES[rng.choice(len(STOCK_TITLES), p=stock_p)]
    for i in np.flatnonzero((draw >= 0.02) & (draw < 0.05)).tolist():
        titles[i] += VERSION_SUFFIXES[int(rng.integers(len(VERSION_SUFFIXES)))]


def _release_dates(count: int, rng: np.random.Generator) -> list[str]:
    span = (LAST_DATE - FIRST_DATE).days
    days = (rng.beta(2.2, 1.0, size=count) * span).astype(int)
    recent = rng.random(count) < 0.01
    days[recent] = span - rng.integers(0, 14, size=int(recent.sum()))
    return [(FIRST_DATE + timedelta(days=int(d))).isoformat() for d in days.tolist()]


def _rights(count: int, rng: np.random.Generator) -> list[tuple[tuple[str, bool], ...]]:
    worldwide = (("WW", True),)
    countries = sorted(COUNTRIES)
    draw = rng.random(count)
    rights: list[tuple[tuple[str, bool], ...]] = [worldwide] * count
    for i in np.flatnonzero((draw >= 0.90) & (draw < 0.97)).tolist():
        chosen = rng.choice(len(countries), size=int(rng.integers(1, 31)), replace=False)
        rights[i] = tuple((countries[c], True) for c in sorted(chosen.tolist()))
    for i in np.flatnonzero(draw >= 0.97).tolist():
        chosen = rng.choice(len(countries), size=int(rng.integers(1, 6)), replace=False)
        rights[i] = (("WW", True), *((countries[c], False) for c in sorted(chosen.tolist())))
    return rights


def _clip(values: np.ndarray) -> list[int]:
    return [int(v) for v in np.clip(np.rint(values), 0, 100).tolist()]


@dataclass
class _AlbumPlan:
    """Per-album draws, as columns."""

    ids: list[str]
    names: list[str]
    types: list[str]
    dates: list[str]
    popularity: list[int]
    rights: list[tuple[tuple[str, bool], ...]]
    isrc_prefix: list[str]
    intro: list[bool]  # a full album opening with "Intro"


def _plan_albums(
    artists: list[ArtistRec],
    owners: np.ndarray,
    sizes: list[int],
    vocabulary: Vocabulary,
    rng: np.random.Generator,
) -> _AlbumPlan:
    count = len(sizes)
    artist_pop = np.array([artists[o].popularity for o in owners.tolist()], dtype=float)
    names = _titles(vocabulary, count, ALBUM_TITLE_LENGTH_P, rng)
    kind = rng.random(count)
    types = ["album" if size >= 7 else "single" for size in sizes]
    for i in np.flatnonzero(kind < 0.05).tolist():
        names[i] = artists[int(owners[i])].name  # self-titled
    for i in np.flatnonzero((kind >= 0.05) & (kind < 0.08)).tolist():
        if sizes[i] >= 7:
            names[i], types[i] = COMPILATION_TITLES[int(rng.integers(len(COMPILATION_TITLES)))], "compilation"
    dates = _release_dates(count, rng)
    countries = rng.choice(len(ISRC_COUNTRIES), size=count, p=_normalized(ISRC_COUNTRY_P)).tolist()
    prefixes = [
        f"{ISRC_COUNTRIES[c]}{_registrant(int(o))}{d[2:4]}"
        for c, o, d in zip(countries, owners.tolist(), dates, strict=True)
    ]
    return _AlbumPlan(
        ids=_base62_ids(rng, count),
        names=names,
        types=types,
        dates=dates,
        popularity=_clip(artist_pop - 5 + rng.normal(0, 10, size=count)),
        rights=_rights(count, rng),
        isrc_prefix=prefixes,
        intro=(rng.random(count) < 0.08).tolist(),
    )


def _registrant(owner: int) -> str:
    code = (owner * 7919 + 1296) % (36**3)
    digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    return digits[code // 1296] + digits[code // 36 % 36] + digits[code % 36]


def _albums_and_tracks(
    artists: list[ArtistRec],
    owners: np.ndarray,
    sizes: list[int],
    vocabulary: Vocabulary,
    rng: np.random.Generator,
) -> tuple[list[AlbumRec], list[TrackRec]]:
    plan = _plan_albums(artists, owners, sizes, vocabulary, rng)
    n = sum(sizes)
    titles = _titles(vocabulary, n, TITLE_LENGTH_P, rng)
    _stock_titles(titles, rng)
    ids = _base62_ids(rng, n)
    noise = rng.normal(0, 8, size=n)
    durations = (
        np.clip(np.exp(rng.normal(math.log(215_000), 0.3, size=n)), 30_000, 1_200_000).astype(int).tolist()
    )
    explicit = (rng.random(n) < 0.08).tolist()
    featured_draw = rng.random(n) < 0.10
    featured_pool = rng.choice(
        len(artists),
        size=int(featured_draw.sum()),
        p=_normalized(_popularity_weights([a.popularity for a in artists])),
    ).tolist()
    featured = dict(zip(np.flatnonzero(featured_draw).tolist(), featured_pool, strict=True))
    counters: Counter[str] = Counter()
    albums: list[AlbumRec] = []
    tracks: list[TrackRec] = []
    lead = ""
    for a, size in enumerate(sizes):
        owner = artists[int(owners[a])]
        album_pop = plan.popularity[a]
        for number in range(1, size + 1):
            t = len(tracks)
            if number == 1 and size >= 8 and plan.intro[a]:
                titles[t] = "Intro"
            if number == 1 and plan.types[a] == "single":
                lead = titles[t]
            second = featured.get(t)
            artist_ids = (
                (owner.id,)
                if second is None or artists[second].id == owner.id
                else (owner.id, artists[second].id)
            )
            popularity = max(0, min(100, round(album_pop + noise[t] - 0.7 * (number - 1))))
            isrc = _isrc(plan.isrc_prefix[a], counters)
            tracks.append(
                TrackRec(
                    *(ids[t], titles[t], artist_ids, plan.ids[a], number, durations[t], explicit[t]),
                    *(isrc, popularity, plan.dates[a], plan.rights[a]),
                )
            )
        name = lead if plan.types[a] == "single" else plan.names[a]
        albums.append(
            AlbumRec(plan.ids[a], name, plan.types[a], (owner.id,), plan.dates[a], album_pop, plan.rights[a])
        )
    return albums, tracks


def _isrc(prefix: str, counters: Counter[str]) -> str:
    number = counters[prefix]
    if number >= 100_000:
        raise RuntimeError(f"ISRC designations exhausted for {prefix}")
    counters[prefix] = number + 1
    return f"{prefix}{number:05d}"


# ---------------------------------------------------------------------------------------------
# Writing into Tonearm's schema.

BATCH = 50_000
SQLITE_LOAD_PRAGMAS = ("journal_mode=WAL", "synchronous=OFF", "foreign_keys=OFF", "cache_size=-1000000")


def write_catalog(catalog: Catalog, database_url: str) -> None:
    """Create the schema (Alembic) and bulk-insert the catalog with Core `insert()` executemany,
    one transaction per batch.

    On SQLite the load runs without fsync or foreign-key checks (the rows are consistent by
    construction), the secondary indexes are dropped and rebuilt at the end (one sort instead of
    millions of random B-tree inserts), and the batches skip SQLAlchemy's per-row parameter
    handling: the statement is compiled from `insert(table)` once, each column's bind processor
    is applied here, and the tuples go to the driver's executemany. That per-row handling cost
    more than SQLite itself (~10 us a row)."""
    engine = make_engine(database_url)
    migrate(engine)
    tables = Base.metadata.tables
    started = time.perf_counter()
    with engine.connect() as connection:
        sqlite = engine.dialect.name == "sqlite"
        indexes = _drop_secondary_indexes(connection) if sqlite else []
        for name, rows in _table_rows(catalog):
            count = _insert(connection, tables[name], rows, fast=sqlite)
            print(f"  {name}: {count:,} rows, {time.perf_counter() - started:.1f} s", flush=True)
        for index_sql in indexes:
            connection.exec_driver_sql(index_sql)
        connection.commit()
        if indexes:
            print(f"  {len(indexes)} indexes rebuilt, {time.perf_counter() - started:.1f} s", flush=True)
    engine.dispose()


def _drop_secondary_indexes(connection: Connection) -> list[str]:
    for pragma in SQLITE_LOAD_PRAGMAS:
        connection.exec_driver_sql(f"PRAGMA {pragma}")
    found = connection.exec_driver_sql(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
    ).all()
    for name, _sql in found:
        connection.exec_driver_sql(f'DROP INDEX "{name}"')
    connection.commit()
    return [sql for _name, sql in found]


def _insert(connection: Connection, table: Table, rows: Iterator[dict[str, Any]], *, fast: bool) -> int:
    count = 0
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == BATCH:
            count += _flush(connection, table, batch, fast=fast)
    return count + _flush(connection, table, batch, fast=fast)


def _flush(connection: Connection, table: Table, batch: list[dict[str, Any]], *, fast: bool) -> int:
    if not batch:
        return 0
    with connection.begin():
        if fast:
            statement, rows = _positional(connection.dialect, table, batch)
            connection.exec_driver_sql(statement, rows)
        else:
            connection.execute(insert(table), batch)
    size = len(batch)
    batch.clear()
    return size


def _positional(
    dialect: Dialect, table: Table, batch: list[dict[str, Any]]
) -> tuple[str, list[tuple[Any, ...]]]:
    compiled = insert(table).compile(dialect=dialect, column_keys=list(batch[0]))
    keys = list(compiled.positiontup or [])
    processors = [_memoized(table.c[key].type._cached_bind_processor(dialect)) for key in keys]
    rows = [tuple(p(row[k]) if p else row[k] for k, p in zip(keys, processors, strict=True)) for row in batch]
    return str(compiled), rows


def _memoized(processor: Callable[[Any], Any] | None) -> Callable[[Any], Any] | None:
    """A bind processor that remembers its last value: created_at is one datetime for all rows."""
    if processor is None:
        return None
    last: list[Any] = [object(), None]

    def process(value: Any) -> Any:
        if value is not last[0]:
            last[:] = [value, processor(value)]
        return last[1]

    return process


def _table_rows(catalog: Catalog) -> Iterator[tuple[str, Iterator[dict[str, Any]]]]:
    yield (
        "artists",
        (
            {
                "id": a.id,
                "name": a.name,
                "genres": a.genres,
                "popularity": a.popularity,
                "created_at": CREATED_AT,
            }
            for a in catalog.artists
        ),
    )
    yield "albums", (_album_row(album) for album in catalog.albums)
    yield (
        "album_artists",
        (
            {"album_id": album.id, "artist_id": artist, "position": position}
            for album in catalog.albums
            for position, artist in enumerate(album.artist_ids)
        ),
    )
    yield "tracks", _track_rows(catalog)
    yield (
        "track_artists",
        (
            {"track_id": track.id, "artist_id": artist, "position": position}
            for track in catalog.tracks
            for position, artist in enumerate(track.artist_ids)
        ),
    )
    yield (
        "rights",
        (
            {
                "track_id": track.id,
                "territory": territory,
                "allowed": allowed,
                "valid_from": None,
                "valid_to": None,
                "premium_only": False,
            }
            for track in catalog.tracks
            for territory, allowed in track.rights
        ),
    )


def _album_row(album: AlbumRec) -> dict[str, Any]:
    return {
        "id": album.id,
        "name": album.name,
        "album_type": album.album_type,
        "release_date": album.release_date,
        "release_date_precision": "day",
        "label": None,
        "popularity": album.popularity,
        "created_at": CREATED_AT,
    }


def _track_rows(catalog: Catalog) -> Iterator[dict[str, Any]]:
    rng = np.random.default_rng(catalog.seed + 1)
    n = len(catalog.tracks)
    digests = rng.bytes(32 * n).hex()
    loudness = np.clip(rng.normal(-9.0, 2.5, size=n), -20.0, -4.0).round(2).tolist()
    peaks = np.clip(rng.normal(-0.6, 0.5, size=n), -3.0, 0.5).round(2).tolist()
    for i, track in enumerate(catalog.tracks):
        yield {
            "id": track.id,
            "name": track.name,
            "album_id": track.album_id,
            "disc_number": 1,
            "track_number": track.track_number,
            "duration_ms": track.duration_ms,
            "explicit": track.explicit,
            "isrc": track.isrc,
            "popularity": track.popularity,
            "master_sha256": digests[64 * i : 64 * i + 64],
            "sample_rate": 44100,
            "samples": track.duration_ms * 441 // 10,
            "integrated_lufs": loudness[i],
            "true_peak_dbtp": peaks[i],
            "tempo_bpm": None,
            "key": None,
            "mode": None,
            "created_at": CREATED_AT,
        }


# ---------------------------------------------------------------------------------------------
# Queries.


def query_set(
    catalog: Catalog, n: int, seed: int, *, weighting: Literal["popularity", "uniform"] = "popularity"
) -> list[Query]:
    """n prefix, n one-edit and n two-edit queries (see the module docstring)."""
    rng = np.random.default_rng(seed)
    typo = random.Random(seed)
    folded = {
        kind: [" ".join(query_terms(item.name)) for item in _items_of(catalog, kind)] for kind in TARGET_SHARE
    }
    counts = Counter(key for keys in folded.values() for key in keys)
    queries = _prefix_queries(catalog, n, rng, weighting)
    for kind, share in TARGET_SHARE.items():
        keyed = zip(_items_of(catalog, kind), folded[kind], strict=True)
        unique = [(item, key.split()) for item, key in keyed if counts[key] == 1]
        makers: tuple[tuple[QueryKind, Callable[[list[str], random.Random], list[EditPlan]]], ...] = (
            ("one_edit", _one_edit_spots),
            ("two_edit", _two_edit_spots),
        )
        for edits, spots in makers:
            eligible = [(item, terms) for item, terms in unique if spots(terms, typo)]
            for item, terms in _sample(eligible, round(n * share), rng, weighting):
                text = " ".join(_misspelled(terms, typo.choice(spots(terms, typo)), typo))
                queries.append(Query(edits, text, kind, item.id, item.name))
    return queries


def _items_of(catalog: Catalog, kind: str) -> Sequence[ArtistRec | AlbumRec | TrackRec]:
    return {"artist": catalog.artists, "album": catalog.albums, "track": catalog.tracks}[kind]


def _prefix_queries(catalog: Catalog, n: int, rng: np.random.Generator, weighting: str) -> list[Query]:
    queries = []
    for kind, share in PREFIX_SHARE.items():
        items = [(item, item.name) for item in _items_of(catalog, kind) if len(item.name) >= 2]
        for item, name in _sample(items, round(n * share), rng, weighting):
            k = int(rng.integers(2, len(name) + 1))
            queries.append(Query("prefix", name[:k], kind, item.id, name))
    return queries


def _sample(
    items: Sequence[tuple[ArtistRec | AlbumRec | TrackRec, T]],
    count: int,
    rng: np.random.Generator,
    weighting: str,
) -> list[tuple[ArtistRec | AlbumRec | TrackRec, T]]:
    """Weighted sampling without replacement (Efraimidis-Spirakis: the largest log(u)/w)."""
    if count >= len(items):
        return list(items)
    weights = (
        _popularity_weights([item.popularity for item, _ in items]) if weighting == "popularity" else 1.0
    )
    keys = np.log(rng.random(len(items))) / weights
    chosen = np.argpartition(-keys, count)[:count]
    return [items[i] for i in sorted(chosen.tolist())]


def _editable(word: str, length: int) -> bool:
    return len(word) >= length and word.isascii() and word.isalpha()


# An edit plan: (word index, edits in that word), ...
EditPlan = tuple[tuple[int, int], ...]


def _one_edit_spots(terms: list[str], _typo: random.Random) -> list[EditPlan]:
    return [((i, 1),) for i, word in enumerate(terms) if _editable(word, 5)]


def _two_edit_spots(terms: list[str], typo: random.Random) -> list[EditPlan]:
    plans: list[EditPlan] = [((i, 2),) for i, word in enumerate(terms) if _editable(word, 9)]
    spots = [i for i, word in enumerate(terms) if _editable(word, 5)]
    if len(spots) >= 2:
        first, second = typo.sample(spots, 2)
        plans.append(((first, 1), (second, 1)))
    return plans


def _misspelled(terms: list[str], plan: EditPlan, typo: random.Random) -> list[str]:
    out = list(terms)
    for i, distance in plan:
        out[i] = _misspell(terms[i], typo, distance)
    return out


def _misspell(word: str, typo: random.Random, distance: int) -> str:
    while True:
        out = word
        for _ in range(distance):
            out = _edit(out, typo)
        if OSA.distance(word, out) == distance:
            return out


def _edit(word: str, typo: random.Random) -> str:
    i = typo.randrange(len(word))
    operation = typo.choice(("substitute", "insert", "delete", "transpose"))
    if operation == "substitute":
        return word[:i] + _neighbour(word[i], typo) + word[i + 1 :]
    if operation == "insert":
        return word[:i] + _neighbour(word[i], typo) + word[i:]
    if operation == "delete":
        return word[:i] + word[i + 1 :]
    i = min(i, len(word) - 2)
    return word[:i] + word[i + 1] + word[i] + word[i + 2 :]


def _neighbour(letter: str, typo: random.Random) -> str:
    for row_index, row in enumerate(QWERTY):
        column = row.find(letter)
        if column >= 0:
            near = [row[c] for c in (column - 1, column + 1) if 0 <= c < len(row)]
            near += [
                QWERTY[r][column]
                for r in (row_index - 1, row_index + 1)
                if 0 <= r < 3 and column < len(QWERTY[r])
            ]
            return typo.choice(near)
    return typo.choice("abcdefghijklmnopqrstuvwxyz")


# ---------------------------------------------------------------------------------------------
# Command line.


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tracks", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--queries", type=int, default=2000, help="queries of each kind")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    args = parser.parse_args(argv)
    params = {"version": GENERATOR_VERSION, "tracks": args.tracks, "seed": args.seed, "queries": args.queries}
    if _recorded(args.out) == params:
        print(f"{args.out} already holds this catalog ({params}); reusing it")
        return
    try:
        build(args.out, params, args.data_dir.resolve())
    except FileNotFoundError as error:
        sys.exit(str(error))


def _recorded(out: Path) -> dict[str, Any] | None:
    recorded = out / "catalog.json"
    if not (recorded.is_file() and (out / "tonearm.db").is_file() and (out / "queries.json").is_file()):
        return None
    return dict(json.loads(recorded.read_text())["params"])


def build(out: Path, params: dict[str, Any], data_dir: Path) -> None:
    """Generate first, so a missing data folder leaves DIR as it was; then replace its files, the
    record of parameters last, so an interrupted run is never reused."""
    started = time.perf_counter()
    catalog = generate(params["tracks"], params["seed"], data_dir)
    generated = time.perf_counter() - started
    sizes = (
        f"{len(catalog.tracks):,} tracks, {len(catalog.albums):,} albums, {len(catalog.artists):,} artists"
    )
    print(f"generated {sizes} in {generated:.1f} s", flush=True)
    out.mkdir(parents=True, exist_ok=True)
    for stale in ("catalog.json", "queries.json", "tonearm.db", "tonearm.db-wal", "tonearm.db-shm"):
        (out / stale).unlink(missing_ok=True)
    write_catalog(catalog, f"sqlite:///{out / 'tonearm.db'}")
    written = time.perf_counter() - started - generated
    queries = query_set(catalog, params["queries"], params["seed"])
    (out / "queries.json").write_text(json.dumps([asdict(query) for query in queries], ensure_ascii=False))
    timings = {"generate_s": round(generated, 1), "write_s": round(written, 1)}
    (out / "catalog.json").write_text(json.dumps({"params": params, "timings": timings}, indent=2) + "\n")
    print(f"wrote {out}: {timings}")


if __name__ == "__main__":
    main()
