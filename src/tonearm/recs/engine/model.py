"""The trained model: recommendations for a user (or for onboarding picks), items like seeds,
related groups and taste clusters. Scores come from `parts`; this module chooses the candidates,
filters them and attaches the reasons."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from tonearm.recs.engine.ann import AnnIndex
from tonearm.recs.engine.clusters import kmeans
from tonearm.recs.engine.factors import fold_in
from tonearm.recs.engine.parts import (
    Parts,
    Query,
    combine,
    component_scores,
    normalised,
    reasons_for,
    skip_penalty,
)
from tonearm.recs.engine.values import Pick, Reason

__all__ = ["Model"]


class Model:
    def __init__(self, parts: Parts, index: AnnIndex | None = None) -> None:
        self.parts = parts
        self.index = index
        self._user_at = {user: i for i, user in enumerate(parts.users)}
        self._item_at = {item: i for i, item in enumerate(parts.items)}

    @property
    def users(self) -> tuple[str, ...]:
        return self.parts.users

    @property
    def items(self) -> tuple[str, ...]:
        return self.parts.items

    def recommend(
        self,
        user: str | None,
        n: int,
        *,
        seed_items: Sequence[str] = (),
        exclude: Collection[str] = (),
        allowed: Collection[str] | None = None,
    ) -> list[Pick]:
        """Hybrid picks for a known user (their plays plus any `seed_items`); for an unknown user
        or one with no history, picks folded in from `seed_items`, else the most popular. What the
        user played is not excluded unless it is in `exclude`."""
        query = self.query(user, seed_items)
        if query is None:
            return self._popular(n, exclude, allowed)
        return self._picks(query, n, exclude, allowed, self.parts)

    def similar(
        self,
        seeds: Sequence[str],
        n: int,
        *,
        exclude: Collection[str] = (),
        allowed: Collection[str] | None = None,
    ) -> list[Pick]:
        """Items like the seeds (never the seeds themselves): co-listening, factor and tag
        similarity, and content similarity, which places items nobody has played yet."""
        known = [self._item_at[seed] for seed in dict.fromkeys(seeds) if seed in self._item_at]
        if not known:
            return []
        query = self._item_query(known)
        params = self.parts.params
        weights = replace(
            params, w_friend=0.0, w_pop=0.0, w_content=max(params.w_content, params.w_cold_content)
        )
        parts = replace(self.parts, params=weights)
        return self._picks(query, n, {*exclude, *(self.items[i] for i in known)}, allowed, parts)

    def similar_groups(self, group: str, n: int) -> list[tuple[str, float]]:
        """Related groups (artists): cosine of the groups' summed item factors and co-listening."""
        names = sorted({name for name in self.parts.groups if name})
        if group not in names:
            return []
        at = {name: i for i, name in enumerate(names)}
        members = sp.csr_matrix(
            (
                np.ones(sum(1 for name in self.parts.groups if name), np.float32),
                (
                    [i for i, name in enumerate(self.parts.groups) if name],
                    [at[name] for name in self.parts.groups if name],
                ),
            ),
            shape=(len(self.items), len(names)),
        )
        listeners = _unit_columns(sp.csr_matrix(self.parts.history @ members).toarray())
        factors = _unit_columns((self.parts.item_factors.T @ members).astype(np.float32))
        me = at[group]
        scores = listeners.T @ listeners[:, me] + 0.5 * factors.T @ factors[:, me]
        scores[me] = -np.inf
        order = np.argsort(-scores, kind="stable")[:n]
        return [(names[i], float(scores[i])) for i in order if scores[i] > 0]

    def clusters(self, items: Sequence[str], k: int) -> list[list[str]]:
        """Up to k taste clusters of the given items (largest first), by their item factors and
        content vectors; items the model does not know are left out."""
        known = [item for item in dict.fromkeys(items) if item in self._item_at]
        if not known or k < 1:
            return []
        rows = [self._item_at[item] for item in known]
        vectors = np.hstack([self.parts.item_factors[rows], self.parts.content[rows]])
        labels = kmeans(vectors, min(k, len(known)), seed=self.parts.params.seed)
        groups: dict[int, list[str]] = {}
        for item, label in zip(known, labels, strict=True):
            groups.setdefault(int(label), []).append(item)
        return sorted(groups.values(), key=lambda members: -len(members))

    def save(self, path: Path) -> None:
        from tonearm.recs.engine.store import save

        save(self, path)

    @classmethod
    def load(cls, path: Path) -> Model:
        from tonearm.recs.engine.store import load

        return load(path)

    def query(self, user: str | None, seed_items: Sequence[str] = ()) -> Query | None:
        """The scoring query for a user and/or onboarding picks; None when there is neither."""
        seeds = [self._item_at[item] for item in dict.fromkeys(seed_items) if item in self._item_at]
        at = self._user_at.get(user) if user is not None else None
        played = self.parts.history.getrow(at) if at is not None else sp.csr_matrix((1, len(self.items)))
        if not played.nnz and not seeds:
            return None
        if at is not None and played.nnz and not seeds:
            friends = self.parts.friends.getrow(at)
            return Query(played, self.parts.user_factors[[at]], friends, self.parts.disliked.getrow(at))
        history = _with_seeds(played, seeds, len(self.items))
        vector = fold_in(self.parts.item_factors, history.indices, history.data, self.parts.params)
        friends = self.parts.friends.getrow(at) if at is not None else sp.csr_matrix((1, len(self.users)))
        disliked = self.parts.disliked.getrow(at) if at is not None else None
        return Query(history, vector[None, :], friends, disliked)

    def _item_query(self, rows: list[int]) -> Query:
        history = sp.csr_matrix(
            (np.ones(len(rows), np.float32), ([0] * len(rows), rows)), shape=(1, len(self.items))
        )
        factors = self.parts.item_factors[rows]
        unit = factors / np.maximum(np.linalg.norm(factors, axis=1, keepdims=True), 1e-9)
        return Query(history, unit.mean(axis=0, keepdims=True), sp.csr_matrix((1, len(self.users))))

    def _picks(
        self, query: Query, n: int, exclude: Collection[str], allowed: Collection[str] | None, parts: Parts
    ) -> list[Pick]:
        cols = self._candidates(query, exclude, allowed)
        if not len(cols) or n <= 0:
            return []
        raw = component_scores(parts, query, cols)
        if not raw:
            return []
        total = combine(parts, raw)[0] - skip_penalty(parts, query, cols)
        shares = {name: parts.weight(name) * normalised(values)[0] for name, values in raw.items()}
        order = np.argsort(-total, kind="stable")[:n]
        return [
            Pick(
                self.items[cols[i]],
                float(total[i]),
                reasons_for(
                    parts, query, int(cols[i]), {name: float(share[i]) for name, share in shares.items()}
                ),
            )
            for i in order
        ]

    def _candidates(
        self, query: Query, exclude: Collection[str], allowed: Collection[str] | None
    ) -> np.ndarray:
        """Item indices worth scoring: all of them for a small catalogue; for a large one the
        ANN neighbours of the user's vector, the co-listened items and the most popular."""
        if allowed is not None:
            cols = self._indices(allowed)
        elif self.index is None:
            cols = np.arange(len(self.items))
        else:
            cols = self._retrieved(query)
        return self._without(cols, exclude)

    def _retrieved(self, query: Query) -> np.ndarray:
        assert self.index is not None
        wanted = self.parts.params.candidates
        found = [self._item_at[item] for item, _ in self.index.search(query.vectors[0], wanted)]
        neighbours = (query.history @ self.parts.neighbours).indices
        popular = np.argsort(-self.parts.popularity, kind="stable")[:100]
        return np.unique(np.concatenate([np.array(found, np.int64), neighbours, popular]))

    def _popular(self, n: int, exclude: Collection[str], allowed: Collection[str] | None) -> list[Pick]:
        cols = self._without(
            np.arange(len(self.items)) if allowed is None else self._indices(allowed), exclude
        )
        scores = self.parts.popularity[cols]
        order = np.argsort(-scores, kind="stable")[:n]
        return [Pick(self.items[cols[i]], float(scores[i]), (Reason("popular"),)) for i in order]

    def _indices(self, items: Collection[str]) -> np.ndarray:
        return np.array(sorted({self._item_at[item] for item in items if item in self._item_at}), np.int64)

    def _without(self, cols: np.ndarray, exclude: Collection[str]) -> np.ndarray:
        skip = self._indices(exclude)
        return cols[~np.isin(cols, skip)] if len(skip) else cols


def _with_seeds(played: sp.csr_matrix, seeds: list[int], items: int) -> sp.csr_matrix:
    """The history with onboarding picks added at the history's mean confidence (1 if empty)."""
    level = float(played.data.mean()) if played.nnz else 1.0
    picked = sp.csr_matrix(
        (np.full(len(seeds), level, np.float32), ([0] * len(seeds), seeds)), shape=(1, items)
    )
    history = sp.csr_matrix(played.maximum(picked), dtype=np.float32)
    history.sort_indices()
    return history


def _unit_columns(matrix: np.ndarray) -> np.ndarray:
    return np.asarray(matrix / np.maximum(np.linalg.norm(matrix, axis=0, keepdims=True), 1e-9))
