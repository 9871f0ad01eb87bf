"""A parsed query as a tantivy query: which documents match, and how text relevance scores.

Every free word must match a document's words (its name, artists and album): whole (BM25),
as a prefix when it is the last word still being typed, or within one edit from 5 letters and
two from 9 (constant-scored, below a whole word). Words of the document's own name, a whole-name
match and a name that starts as typed score extra. Popularity multiplies the score at
collection time (see documents.POPULARITY_SPAN).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

import tantivy
from tantivy import Occur, Query

from tonearm.kit.time import utcnow
from tonearm.search.documents import EXCLUDED, PLAYABLE_SOMEWHERE
from tonearm.search.index import MAX_NAME_PREFIX, MAX_WORD_PREFIX, SCHEMA
from tonearm.search.query import ParsedQuery

__all__ = ["KINDS", "build_query", "scope_query", "typo_distance"]

KINDS = ("track", "artist", "album")
# Boosts: a whole word beats a prefix, which beats a typo; a word of the document's own name
# adds to its match anywhere; a whole-name match and a name that starts as typed add more.
WORD, OWN_NAME, PREFIX, TYPO = 1.0, 1.0, 0.6, 0.3
EXACT_NAME_BOOST, NAME_STARTS_BOOST = 3.0, 1.5
NEW_RELEASE_DAYS, HIPSTER_POPULARITY = 14, 10
PHRASE_FIELDS = ("name", "artist", "album")


def typo_distance(word: str) -> int:
    return 2 if len(word) >= 9 else 1 if len(word) >= 5 else 0


def _boost(query: Query, boost: float) -> Query:
    return query if boost == 1.0 else Query.boost_query(query, boost)


def _any(queries: Sequence[Query]) -> Query:
    return queries[0] if len(queries) == 1 else Query.boolean_query([(Occur.Should, q) for q in queries])


def _word(word: str, *, prefix: bool) -> Query:
    """One free word: whole (BM25), as a prefix when still being typed, or within its typo
    distance. Prefixes are terms of their own field, so no term-dictionary scan is needed but
    for typos."""
    distance = typo_distance(word)
    variants = [
        Query.term_query(SCHEMA, "words", word),
        _boost(Query.term_query(SCHEMA, "name", word), OWN_NAME),
    ]
    if prefix:
        typed = word[:MAX_WORD_PREFIX]
        variants.append(_boost(Query.term_query(SCHEMA, "prefixes", typed), PREFIX))
        if distance:
            typo = Query.fuzzy_term_query(SCHEMA, "prefixes", typed, distance)
            variants.append(_boost(typo, TYPO))
    elif distance:
        variants.append(_boost(Query.fuzzy_term_query(SCHEMA, "words", word, distance), TYPO))
    return _any(variants)


def _phrase(field: str, words: list[str]) -> Query:
    if len(words) == 1:
        return Query.term_query(SCHEMA, field, words[0])
    return Query.phrase_query(SCHEMA, field, words)


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


def _market(market: str) -> Query:
    """Worldwide and not excluded there, or listed there."""
    worldwide = Query.boolean_query(
        [
            (Occur.Must, Query.term_query(SCHEMA, "markets", "WW")),
            (Occur.MustNot, Query.term_query(SCHEMA, "markets", f"{EXCLUDED}{market}")),
        ]
    )
    return _any([worldwide, Query.term_query(SCHEMA, "markets", market)])


def _scope(kinds: Sequence[str], market: str | None, include_unplayable: bool) -> list[Query]:
    clauses = []
    if set(kinds) != set(KINDS):
        clauses.append(_any([_kind(kind) for kind in kinds]))
    if not include_unplayable:
        # Term queries, not a term set: they skip along posting lists instead of filling a
        # bitset of the whole catalog on every query.
        clauses.append(_market(market) if market else Query.term_query(SCHEMA, "markets", PLAYABLE_SOMEWHERE))
    return clauses


def scope_query(kinds: Sequence[str] = KINDS, market: str | None = None) -> Query:
    """Only the type and market conditions: every playable document of these kinds."""
    clauses = _scope(kinds, market, include_unplayable=False)
    return Query.boolean_query([(Occur.Must, clause) for clause in clauses]) if clauses else Query.all_query()


def build_query(
    parsed: ParsedQuery,
    *,
    kinds: Sequence[str] = KINDS,
    market: str | None = None,
    include_unplayable: bool = False,
) -> Query:
    last = len(parsed.words) - 1
    must = [_word(word, prefix=parsed.prefix_last and i == last) for i, word in enumerate(parsed.words)]
    must += _filters(parsed)
    if not must:
        return Query.empty_query()
    clauses = [(Occur.Must, clause) for clause in must + _scope(kinds, market, include_unplayable)]
    if parsed.words:
        typed = parsed.text()
        clauses.append((Occur.Should, _boost(Query.term_query(SCHEMA, "exact", typed), EXACT_NAME_BOOST)))
        if parsed.prefix_last:
            starts = Query.term_query(SCHEMA, "starts", typed[:MAX_NAME_PREFIX])
            clauses.append((Occur.Should, _boost(starts, NAME_STARTS_BOOST)))
    return Query.boolean_query(clauses)
