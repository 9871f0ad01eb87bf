"""Search and type-ahead over the replica's index; full results are hydrated from the catalog."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, cast

import orjson
import tantivy
from rapidfuzz.distance import Levenshtein
from sqlalchemy.orm import Session
from tantivy import Occur, Query

from tonearm.catalog import catalog
from tonearm.errors import BackendError, BadRequest
from tonearm.kit.pagination import paging
from tonearm.kit.rights import EVERYONE, Audience
from tonearm.playlists import simple_playlists
from tonearm.search import schemas
from tonearm.search.fold import document_words
from tonearm.search.index import SCHEMA
from tonearm.search.matcher import COMMON_WORD, KINDS, Plan, build_query, plan_for, scope_query, typo_distance
from tonearm.search.query import ParsedQuery, parse_query
from tonearm.search.replica import SearchReplica

__all__ = ["SEARCH_TYPES", "SearchService", "parse_types"]

# Spotify's searchable types; the ones not indexed yet answer with an empty page.
SEARCH_TYPES = ("album", "artist", "playlist", "track", "show", "episode", "audiobook")
_PAGE_KEYS = {kind: f"{kind}s" for kind in SEARCH_TYPES}
_CORRECTION_HITS = 5


def parse_types(value: str) -> list[str]:
    kinds = [kind.strip() for kind in value.split(",") if kind.strip()]
    if not kinds:
        raise BadRequest("type must name at least one of " + ", ".join(SEARCH_TYPES))
    unknown = [kind for kind in kinds if kind not in SEARCH_TYPES]
    if unknown:
        raise BadRequest(f"type '{unknown[0][:20]}' is not one of " + ", ".join(SEARCH_TYPES))
    return list(dict.fromkeys(kinds))


class _Counted(Protocol):
    @property
    def count(self) -> int | None: ...


def _count(result: tantivy.SearchResult) -> int:
    """How many documents matched. The extension sets `count` when searching with count=True;
    its type stub leaves the attribute out."""
    return cast(_Counted, result).count or 0


class SearchService:
    def __init__(self, replica: SearchReplica) -> None:
        self.replica = replica

    def _searcher(self) -> tantivy.Searcher:
        searcher = self.replica.searcher()
        if searcher is None:
            # Not started by a server (a CLI or an ASGI test harness): build or open it now.
            self.replica.sync()
            searcher = self.replica.searcher()
        if searcher is None:
            raise BackendError("the search index is not ready yet")
        return searcher

    def suggest(self, q: str, *, market: str | None, limit: int) -> bytes:
        """The type-ahead answer as JSON bytes: stored cards, no database read."""
        parsed = parse_query(q)
        searcher = self._searcher()
        chosen = plan_for(parsed, searcher.doc_freq)
        hits = searcher.search(
            build_query(parsed, market=market, plan=chosen), limit, count=False, weight_by_field="weight"
        ).hits
        if not hits and chosen.tier is not None:
            # The popular part held nothing: look at everything after all. (Fewer than `limit`
            # popular hits stand: widening then would cost what the tier saves.)
            broad = build_query(parsed, market=market, plan=Plan(chosen.typo_words))
            hits = searcher.search(broad, limit, count=False, weight_by_field="weight").hits
        cards = [searcher.doc(address)["card"][0] for _, address in hits]
        # Type-ahead respells within search's own distances (one edit for 3-4 letters): two-edit
        # lookups of 5-8 letter words were its slowest answers. Full search looks one further.
        correction = None if cards else self._did_you_mean(searcher, parsed, KINDS, market, further=0)
        return b"".join(
            (
                b'{"q":',
                orjson.dumps(q),
                b',"items":[',
                b",".join(cards),
                b'],"did_you_mean":',
                orjson.dumps(correction),
                b"}",
            )
        )

    def search(
        self,
        session: Session,
        q: str,
        *,
        types: Sequence[str],
        market: str | None,
        limit: int,
        offset: int,
        include_unplayable: bool,
        base: str,
        audience: Audience = EVERYONE,
    ) -> schemas.SearchResponse:
        parsed = parse_query(q)
        searcher = self._searcher()
        typos = Plan(plan_for(parsed, searcher.doc_freq).typo_words)
        pages: dict[str, object] = {}
        found = 0
        for kind in types:
            params = {"q": q, "type": kind, **({"market": market} if market else {})}
            if include_unplayable:
                params["include_unplayable"] = "true"
            url = f"{base}/v1/search"
            if kind not in KINDS:
                pages[_PAGE_KEYS[kind]] = paging(url, [], limit=limit, offset=offset, total=0, params=params)
                continue
            query = build_query(
                parsed, kinds=[kind], market=market, include_unplayable=include_unplayable, plan=typos
            )
            result = searcher.search(query, limit, count=True, offset=offset, weight_by_field="weight")
            ids = [searcher.doc(address)["key"][0].partition(":")[2] for _, address in result.hits]
            hydrated = self._hydrate(session, kind, ids, base, market, audience)
            items = [item for item in hydrated if item is not None]
            total = _count(result)
            found += total
            pages[_PAGE_KEYS[kind]] = paging(
                url, items, limit=limit, offset=offset, total=total, params=params
            )
        if not found and any(kind in KINDS for kind in types):
            kinds = [kind for kind in types if kind in KINDS]
            pages["did_you_mean"] = self._did_you_mean(searcher, parsed, kinds, market)
        return schemas.SearchResponse.model_validate(pages)

    def _hydrate(
        self, session: Session, kind: str, ids: list[str], base: str, market: str | None, audience: Audience
    ) -> Sequence[object]:
        if not ids:
            return []
        if kind == "track":
            return catalog.get_tracks(session, ids, base=base, market=market, audience=audience)
        if kind == "album":
            return catalog.get_albums(session, ids, base=base, market=market)
        if kind == "playlist":
            return simple_playlists(session, ids, base=base)
        return catalog.get_artists(session, ids, base=base)

    def _did_you_mean(
        self,
        searcher: tantivy.Searcher,
        parsed: ParsedQuery,
        kinds: Sequence[str],
        market: str | None,
        *,
        further: int = 1,
    ) -> str | None:
        """Respell each word as the nearest word of the names that come closest, if that finds
        something. Each word may be `further` edits further off than search allows."""
        # Only the words the index hardly knows are respelled: "the" was meant as typed.
        words = [
            word for word in parsed.words if len(word) >= 3 and searcher.doc_freq("words", word) < COMMON_WORD
        ]
        if not words:
            return None
        loose = [
            Query.fuzzy_term_query(SCHEMA, "words", word, min(2, max(1, typo_distance(word) + further)))
            for word in words
        ]
        scope = scope_query(kinds, market)
        query = Query.boolean_query(
            [(Occur.Must, Query.boolean_query([(Occur.Should, q) for q in loose])), (Occur.Must, scope)]
        )
        hits = searcher.search(query, _CORRECTION_HITS, count=False, weight_by_field="weight").hits
        vocabulary = set()
        for _, address in hits:
            card = orjson.loads(searcher.doc(address)["card"][0])
            names = [card["name"], *(credit["name"] for credit in card.get("artists", []))]
            vocabulary.update(document_words(" ".join(names)).split())
        if not vocabulary:
            return None
        respelled = [min(vocabulary, key=lambda known: Levenshtein.distance(word, known)) for word in words]
        fixed = dict(zip(words, respelled, strict=True))
        suggestion = " ".join(fixed.get(word, word) for word in parsed.words)
        if suggestion == parsed.text():
            return None
        # Respelled words are the index's own, so the check needs no typo expansion.
        retry = build_query(parse_query(suggestion), kinds=kinds, market=market, plan=Plan(frozenset()))
        return suggestion if searcher.search(retry, 1, count=False).hits else None
