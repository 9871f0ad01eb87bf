"""`train`: from feedback and side information to a `Model`, stage by stage with progress."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np
import scipy.sparse as sp

from tonearm.recs.engine.ann import AnnIndex
from tonearm.recs.engine.factors import Factoriser, confidence, factorise
from tonearm.recs.engine.matrices import content_matrix, friend_matrix, item_neighbours, tag_matrix
from tonearm.recs.engine.model import Model
from tonearm.recs.engine.parts import Parts
from tonearm.recs.engine.values import Feedback, Params, SideInfo

__all__ = ["Progress", "train"]

Progress = Callable[[str, float], None]


def _quiet(stage: str, fraction: float) -> None:
    """The default progress callback: says nothing."""


def train(
    feedback: Feedback,
    side: SideInfo | None = None,
    *,
    params: Params | None = None,
    progress: Progress = _quiet,
    factoriser: Factoriser = factorise,
) -> Model:
    side = side or SideInfo()
    params = params or Params()
    feedback = _with_content_only_items(feedback, side.item_content)
    progress("weights", 0.0)
    weights = confidence(feedback.plays, feedback.skips, params)
    history = sp.csr_matrix(weights.maximum(0), dtype=np.float32)
    history.eliminate_zeros()
    disliked = sp.csr_matrix(-weights.minimum(0), dtype=np.float32)
    disliked.eliminate_zeros()
    progress("factors", 0.1)
    user_factors, item_factors = factoriser(weights, params)
    progress("neighbours", 0.6)
    listened = sp.csr_matrix(history > 0, dtype=np.float32) if params.knn_binary else history
    neighbours = item_neighbours(listened, params.neighbours, params.shrink)
    progress("side information", 0.8)
    tags, tag_names = tag_matrix(feedback.items, side.item_tags)
    content, content_raw = content_matrix(feedback.items, side.item_content)
    parts = Parts(
        users=feedback.users,
        items=feedback.items,
        params=params,
        history=history,
        disliked=disliked,
        user_factors=user_factors,
        item_factors=item_factors,
        neighbours=neighbours,
        tags=tags,
        tag_names=tuple(tag_names),
        content=content,
        content_raw=content_raw,
        content_dims=tuple(side.content_dims),
        friends=friend_matrix(feedback.users, side.friends),
        popularity=_popularity(feedback, side.popularity),
        groups=tuple(side.item_groups.get(item, "") for item in feedback.items),
    )
    progress("index", 0.9)
    index = AnnIndex.build(feedback.items, item_factors) if len(feedback.items) > params.ann_above else None
    progress("done", 1.0)
    return Model(parts, index)


def _with_content_only_items(feedback: Feedback, content: Mapping[str, np.ndarray]) -> Feedback:
    """Items known only by their content vector join the catalogue with no plays (cold start)."""
    known = set(feedback.items)
    extra = tuple(sorted(item for item in content if item not in known))
    if not extra:
        return feedback
    items = feedback.items + extra

    def widened(matrix: sp.csr_matrix | None) -> sp.csr_matrix | None:
        if matrix is None:
            return None
        return sp.csr_matrix(
            sp.hstack([matrix, sp.csr_matrix((len(feedback.users), len(extra)))]), dtype=np.float32
        )

    plays = widened(feedback.plays)
    assert plays is not None
    return Feedback(feedback.users, items, plays, widened(feedback.skips))


def _popularity(feedback: Feedback, prior: Mapping[str, float]) -> np.ndarray:
    """0..1 per item: the given prior where there is one, else the number of listeners."""
    if prior:
        values = np.array([float(prior.get(item, 0.0)) for item in feedback.items], np.float64)
    else:
        values = np.ravel((feedback.plays > 0).sum(axis=0)).astype(np.float64)
    values = np.log1p(np.maximum(values, 0))
    top = float(values.max()) if len(values) else 0.0
    return (values / top if top > 0 else values).astype(np.float32)
