"""What a trained model holds (`Parts`), and the hybrid's components scored from it: each
component turns a listening history into a score per item, normalised per user, and can name
the signal behind its score for one item (the pick's reason)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from tonearm.recs.engine.matrices import row_normalised
from tonearm.recs.engine.values import Params, Reason

__all__ = ["COMPONENTS", "Parts", "Query", "combine", "component_scores", "reasons_for", "skip_penalty"]

COMPONENTS = ("als", "knn", "tag", "friend", "content", "pop")


@dataclass(frozen=True)
class Parts:
    users: tuple[str, ...]
    items: tuple[str, ...]
    params: Params
    history: sp.csr_matrix  # users x items: positive confidences of what each user played
    disliked: sp.csr_matrix  # users x items: how strongly each user skipped what they did not play
    user_factors: np.ndarray
    item_factors: np.ndarray
    neighbours: sp.csr_matrix  # items x items co-listening cosine, top neighbours per row
    tags: sp.csr_matrix  # items x tags, TF-IDF, unit rows
    tag_names: tuple[str, ...]
    content: np.ndarray  # items x dims, unit rows (zero rows: no content)
    content_raw: np.ndarray  # items x dims, standardised
    content_dims: tuple[str, ...]
    friends: sp.csr_matrix  # users x users, rows sum to 1
    popularity: np.ndarray  # items, 0..1
    groups: tuple[str, ...]  # each item's group ("" for none)

    def weight(self, name: str) -> float:
        return float(getattr(self.params, f"w_{name}"))


@dataclass(frozen=True)
class Query:
    """Who scores are for: a batch of histories (rows of item confidences), their ALS vectors
    and their friend rows (users x users; empty for unknown users)."""

    history: sp.csr_matrix
    vectors: np.ndarray
    friends: sp.csr_matrix
    disliked: sp.csr_matrix | None = None


def component_scores(parts: Parts, query: Query, cols: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """Each weighted component's raw scores, batch x items (or x cols)."""
    scorers = {
        "als": _als,
        "knn": _knn,
        "tag": _tag,
        "friend": _friend,
        "content": _content,
        "pop": _pop,
    }
    return {name: scorer(parts, query, cols) for name, scorer in scorers.items() if parts.weight(name)}


def combine(parts: Parts, scores: Mapping[str, np.ndarray]) -> np.ndarray:
    """The hybrid score: the weighted sum of each component's standard scores per user."""
    total: np.ndarray | None = None
    for name, raw in scores.items():
        part = parts.weight(name) * normalised(raw)
        total = part if total is None else total + part
    assert total is not None, "at least one component must have a weight"
    return total


def skip_penalty(parts: Parts, query: Query, cols: np.ndarray) -> np.ndarray:
    """What the hybrid takes off for items the user skipped (0..skip_penalty, one row)."""
    if query.disliked is None or not query.disliked.nnz:
        return np.zeros(len(cols), np.float32)
    skipped = np.ravel(query.disliked.toarray())[cols]
    return np.asarray(parts.params.skip_penalty * skipped / max(float(query.disliked.max()), 1e-9))


def normalised(raw: np.ndarray) -> np.ndarray:
    """Per user, standard scores: components on different scales meet as deviations from the
    user's own mean (this measured better on hetrec validation than dividing by the maximum)."""
    spread = raw.std(axis=1, keepdims=True)
    spread[spread == 0] = 1
    return np.asarray((raw - raw.mean(axis=1, keepdims=True)) / spread)


def _columns(matrix: sp.csr_matrix | np.ndarray, cols: np.ndarray | None) -> np.ndarray:
    dense = matrix.toarray() if sp.issparse(matrix) else np.asarray(matrix)
    return dense if cols is None else dense[:, cols]


def _als(parts: Parts, query: Query, cols: np.ndarray | None) -> np.ndarray:
    item_factors = parts.item_factors if cols is None else parts.item_factors[cols]
    return np.asarray(query.vectors @ item_factors.T, dtype=np.float32)


def _knn(parts: Parts, query: Query, cols: np.ndarray | None) -> np.ndarray:
    return _columns(query.history @ parts.neighbours, cols)


def _tag(parts: Parts, query: Query, cols: np.ndarray | None) -> np.ndarray:
    if not parts.tags.shape[1]:
        return np.zeros((query.history.shape[0], len(parts.items) if cols is None else len(cols)), np.float32)
    profile = row_normalised(sp.csr_matrix(query.history @ parts.tags))
    tags = parts.tags if cols is None else parts.tags[cols]
    return _columns(profile @ tags.T, None)


def _friend(parts: Parts, query: Query, cols: np.ndarray | None) -> np.ndarray:
    listened = row_normalised(parts.history)
    return _columns(query.friends @ listened, cols)


def _content(parts: Parts, query: Query, cols: np.ndarray | None) -> np.ndarray:
    if not parts.content.shape[1]:
        return np.zeros((query.history.shape[0], len(parts.items) if cols is None else len(cols)), np.float32)
    profile = np.asarray(query.history @ parts.content)
    profile /= np.maximum(np.linalg.norm(profile, axis=1, keepdims=True), 1e-9)
    content = parts.content if cols is None else parts.content[cols]
    return np.asarray(profile @ content.T, dtype=np.float32)


def _pop(parts: Parts, query: Query, cols: np.ndarray | None) -> np.ndarray:
    popularity = parts.popularity if cols is None else parts.popularity[cols]
    return np.tile(popularity, (query.history.shape[0], 1))


def reasons_for(
    parts: Parts, query: Query, item: int, contributions: Mapping[str, float]
) -> tuple[Reason, ...]:
    """The reasons for one item of a one-row query, strongest contribution first."""
    found = []
    for name, share in sorted(contributions.items(), key=lambda pair: -pair[1]):
        reason = _REASONS[name](parts, query, item) if share > 0 else None
        if reason is not None and reason not in found:
            found.append(reason)
    return tuple(found) or (Reason("popular"),)


def _played(query: Query) -> tuple[np.ndarray, np.ndarray]:
    row = query.history.getrow(0)
    positive = row.data > 0
    return row.indices[positive], row.data[positive]


def _best(played: np.ndarray, strength: np.ndarray) -> int | None:
    if not len(played) or np.max(strength) <= 0:
        return None
    return int(played[int(np.argmax(strength))])


def _als_reason(parts: Parts, query: Query, item: int) -> Reason | None:
    played, weights = _played(query)
    factors = parts.item_factors[played]
    norms = np.linalg.norm(factors, axis=1) * max(float(np.linalg.norm(parts.item_factors[item])), 1e-9)
    best = _best(played, weights * (factors @ parts.item_factors[item]) / np.maximum(norms, 1e-9))
    return None if best is None else Reason("played", item=parts.items[best])


def _knn_reason(parts: Parts, query: Query, item: int) -> Reason | None:
    played, weights = _played(query)
    similarity = np.ravel(parts.neighbours[played][:, [item]].toarray())
    best = _best(played, weights * similarity)
    return None if best is None else Reason("co_listened", item=parts.items[best])


def _tag_reason(parts: Parts, query: Query, item: int) -> Reason | None:
    played, weights = _played(query)
    profile = np.ravel((query.history @ parts.tags).toarray())
    strength = profile * np.ravel(parts.tags.getrow(item).toarray())
    if not len(strength) or np.max(strength) <= 0:
        return None
    tag = int(np.argmax(strength))
    carrier = _best(played, weights * np.ravel(parts.tags[played][:, [tag]].toarray()))
    return Reason(
        "tag", item=None if carrier is None else parts.items[carrier], detail=(parts.tag_names[tag],)
    )


def _friend_reason(parts: Parts, query: Query, item: int) -> Reason | None:
    row = query.friends.getrow(0)
    if not row.nnz:
        return None
    plays = np.ravel(parts.history[row.indices][:, [item]].toarray())
    if np.max(plays) <= 0:
        return None
    return Reason("friend", user=parts.users[int(row.indices[int(np.argmax(plays))])])


def _content_reason(parts: Parts, query: Query, item: int) -> Reason | None:
    played, weights = _played(query)
    if not parts.content.shape[1] or not parts.content[item].any():
        return None
    best = _best(played, weights * (parts.content[played] @ parts.content[item]))
    if best is None:
        return None
    gap = np.abs(parts.content_raw[best] - parts.content_raw[item])
    dims = [parts.content_dims[d] for d in np.argsort(gap, kind="stable")[:2] if d < len(parts.content_dims)]
    return Reason("content", item=parts.items[best], detail=tuple(dims))


def _pop_reason(parts: Parts, query: Query, item: int) -> Reason | None:
    return Reason("popular")


_REASONS = {
    "als": _als_reason,
    "knn": _knn_reason,
    "tag": _tag_reason,
    "friend": _friend_reason,
    "content": _content_reason,
    "pop": _pop_reason,
}
