"""A parsed query as a tantivy query: which documents match, and how text relevance scores.

Every free word must match a document's words (its name, artists and album): whole (BM25),
as a prefix when it is the last word still being typed, or within one edit from 5 letters and
two from 9 (constant-scored, below a whole word). Words of the document's own name and a
whole-name match score extra. Popularity multiplies the score at collection time (see
documents.POPULARITY_SPAN).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import tantivy
from tantivy import Occur, Query

from tonearm.kit.time import utcnow
from tonearm.search.documents import EXCLUDED, LISTED, NOWHERE, head_prefix, head_word
from tonearm.search.index import SCHEMA, SHORT_PREFIX
from tonearm.search.query import ParsedQuery

__all__ = ["KINDS", "Plan", "build_query", "plan_for", "scope_query", "typo_distance"]

KINDS = ("track", "artist", "album", "playlist")
# Boosts: a whole word beats a prefix, which beats a typo; a word of the document's own name
# adds to its match anywhere; a whole-name match and a name that starts as typed add more.
WORD, OWN_NAME, PREFIX, TYPO = 1.0, 1.0, 0.6, 0.3
EXACT_NAME_BOOST = 3.0
# A word in at least this many documents is taken as typed (no typo expansion).
COMMON_WORD = 20
# Type-ahead whose rarest word is in more than this many documents looks at this tier only.
BROAD_TIERS = ((100_000, 70), (20_000, 50))
NEW_RELEASE_DAYS, HIPSTER_POPULARITY = 14, 10
PHRASE_FIELDS = ("name", "artist", "album")


MIN_TYPO_LETTERS = 5


def typo_distance(word: str) -> int:
    return 2 if len(word) >= 9 else 1 if len(word) >= MIN_TYPO_LETTERS else 0


def _boost(query: Query, boost: float) -> Query:
    return query if boost == 1.0 else Query.boost_query(query, boost)


def _any(queries: Sequence[Query]) -> Query:
    return queries[0] if len(queries) == 1 else Query.boolean_query([(Occur.Should, q) for q in queries])


def _word(word: str, *, prefix: bool, typos: bool, tier: int | None = None) -> Query:
    """One free word: whole (BM25), as a prefix when still being typed, or within its typo
    distance. Short prefixes are terms of their own field; longer ones expand in the term
    dictionary. Within a popularity tier, whole words and short prefixes are the tier's own
    head terms."""
    distance = typo_distance(word) if typos else 0
    short = prefix and len(word) <= SHORT_PREFIX
    if tier is not None:
        heads = [Query.term_query(SCHEMA, "head", head_word(tier, word))]
        if short:
            heads.append(_boost(Query.term_query(SCHEMA, "head", head_prefix(tier, word)), PREFIX))
    variants = [] if tier is not None else [Query.term_query(SCHEMA, "words", word)]
    if prefix and not short:
        variants.append(_boost(Query.fuzzy_term_query(SCHEMA, "words", word, 0, prefix=True), PREFIX))
    elif short and tier is None:
        variants.append(_boost(Query.term_query(SCHEMA, "prefixes", word), PREFIX))
    if distance:
        typo = Query.fuzzy_term_query(SCHEMA, "words", word, distance, prefix=prefix)
        variants.append(_boost(typo, TYPO))
    elif typos and len(word) == MIN_TYPO_LETTERS - 1 and (dropped := _one_letter_dropped(word)):
        variants.append(_boost(dropped, TYPO))
    if tier is not None:
        # The rest meets the tier first: unions of huge posting lists are slow to intersect,
        # small intersections are quick to unite.
        within = Query.term_query(SCHEMA, "tier", str(tier))
        variants = heads + [Query.boolean_query([(Occur.Must, v), (Occur.Must, within)]) for v in variants]
    return _any(variants)


def _one_letter_dropped(word: str) -> Query | None:
    """A 5-letter word typed with a letter missing is still one edit from 5 letters: match the
    5-letter words this one is missing a letter of (and not the 4-letter ones one edit away).
    A letter class, not ".", keeps the automaton small (10x faster to build)."""
    if not (word.isascii() and word.isalnum()):
        return None
    spots = "|".join(f"{word[:i]}[a-z0-9]{word[i:]}" for i in range(len(word) + 1))
    return Query.regex_query(SCHEMA, "words", spots)


@dataclass(frozen=True)
class Plan:
    """How much of the index a query needs: which words may be typos, and whether a prefix
    most of the catalog shares should look at the popular part only."""

    typo_words: frozenset[str] | None = None
    tier: int | None = None


def plan_for(parsed: ParsedQuery, doc_freq: Callable[[str, str], int]) -> Plan:
    """Typo tolerance for words the index has few of (a common word was meant as typed), and a
    popularity tier for type-ahead whose every word is very common."""
    last = len(parsed.words) - 1
    frequencies = {}
    breadth = []
    for i, word in enumerate(parsed.words):
        frequencies[word] = doc_freq("words", word)
        if parsed.prefix_last and i == last:
            # How many documents a word starting this way is in, at most.
            breadth.append(doc_freq("prefixes", word[:SHORT_PREFIX]))
        else:
            breadth.append(frequencies[word])
    typo_words = frozenset(word for word, count in frequencies.items() if count < COMMON_WORD)
    broadest = min(breadth, default=0)
    tier = next((tier for limit, tier in BROAD_TIERS if broadest > limit), None)
    if parsed.has_filters:
        tier = None
    return Plan(typo_words, tier)


def _phrase(field: str, words: list[str]) -> Query:
    if len(words) == 1:
        return Query.term_query(SCHEMA, field, words[0])
    # tantivy takes words, or (position, word) pairs, in one list.
    terms: list[str | tuple[int, str]] = [*words]
    return Query.phrase_query(SCHEMA, field, terms)


def _kind(kind: str) -> Query:
    return Query.term_query(SCHEMA, "kind", kind)


def _own_name(kind: str, words: list[str]) -> Query:
    return Query.boolean_query([(Occur.Must, _kind(kind)), (Occur.Must, _phrase("name", words))])


def _filters(parsed: ParsedQuery) -> list[Query]:
    """Spotify's field filters: artist: and album: match credits or an artist/album's own name."""
    clauses = [_any([_phrase("artist", words), _own_name("artist", words)]) for words in parsed.artist]
    clauses += [_any([_phrase("album", words), _own_name("album", words)]) for words in parsed.album]
    clauses += [_own_name("track", words) for words in parsed.track]
    clauses += [_any([_phrase(field, words) for field in PHRASE_FIELDS]) for words in parsed.phrases]
    if parsed.years:
        first, last = parsed.years
        clauses.append(Query.range_query(SCHEMA, "year", tantivy.FieldType.Integer, first, last))
    if parsed.isrc:
        clauses.append(Query.term_query(SCHEMA, "isrc", parsed.isrc))
    if "new" in parsed.tags:
        since = (utcnow().date() - timedelta(days=NEW_RELEASE_DAYS) - date(1970, 1, 1)).days
        clauses.append(Query.range_query(SCHEMA, "released", tantivy.FieldType.Integer, since, None))
    if "hipster" in parsed.tags:
        clauses.append(
            Query.range_query(SCHEMA, "popularity", tantivy.FieldType.Integer, None, HIPSTER_POPULARITY)
        )
    return clauses


def _unplayable(market: str | None) -> list[Query]:
    """What cannot play in the market (or anywhere, without one): excluded, not listed there,
    or taken down."""
    terms = [Query.term_query(SCHEMA, "markets", NOWHERE)]
    if market:
        terms.append(Query.term_query(SCHEMA, "markets", f"{EXCLUDED}{market}"))
        listed_elsewhere = Query.boolean_query(
            [
                (Occur.Must, Query.term_query(SCHEMA, "markets", LISTED)),
                (Occur.MustNot, Query.term_query(SCHEMA, "markets", market)),
            ]
        )
        terms.append(listed_elsewhere)
    return terms


def _scope(kinds: Sequence[str], market: str | None, include_unplayable: bool) -> list[tuple[Occur, Query]]:
    clauses = []
    if set(kinds) != set(KINDS):
        clauses.append((Occur.Must, _any([_kind(kind) for kind in kinds])))
    if not include_unplayable:
        clauses += [(Occur.MustNot, query) for query in _unplayable(market)]
    return clauses


def scope_query(kinds: Sequence[str] = KINDS, market: str | None = None) -> Query:
    """Only the type and market conditions: every playable document of these kinds."""
    return Query.boolean_query([(Occur.Must, Query.all_query()), *_scope(kinds, market, False)])


def build_query(
    parsed: ParsedQuery,
    *,
    kinds: Sequence[str] = KINDS,
    market: str | None = None,
    include_unplayable: bool = False,
    plan: Plan = Plan(),
) -> Query:
    typing = parsed.words[-1] if parsed.prefix_last else None
    must = [
        _word(
            word,
            prefix=word == typing,
            typos=plan.typo_words is None or word in plan.typo_words,
            tier=plan.tier,
        )
        # A repeated word ("the the") needs matching once.
        for word in dict.fromkeys(parsed.words)
    ]
    must += _filters(parsed)
    if not must:
        return Query.empty_query()
    clauses = [(Occur.Must, clause) for clause in must] + _scope(kinds, market, include_unplayable)
    if parsed.words:
        # Boosts only score what the musts matched: as optional clauses they are sought to each
        # match instead of being united with (and walked like) the huge lists of common words.
        clauses += [
            (Occur.Should, _boost(Query.term_query(SCHEMA, "name", word), OWN_NAME))
            for word in dict.fromkeys(parsed.words)
        ]
        typed = parsed.text()
        clauses.append((Occur.Should, _boost(Query.term_query(SCHEMA, "exact", typed), EXACT_NAME_BOOST)))
    return Query.boolean_query(clauses)
