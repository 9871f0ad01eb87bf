"""On real listening data (HetRec 2011 Last.fm 2K, outside the repository): the hybrid beats
plain ALS trained with the same factors on the same split. Fixed parameters, no tuning, so fast."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from tonearm.recs.engine import Feedback, Params, SideInfo, holdout, ndcg_at_k, top_k, train
from tonearm.recs.engine.parts import Query, combine, component_scores

DATA = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "hetrec2011-lastfm-2k"

pytestmark = pytest.mark.skipif(
    not (DATA / "user_artists.dat").exists(), reason=f"the HetRec Last.fm data is not at {DATA}"
)


def rows(name: str) -> list[list[str]]:
    lines = (DATA / name).read_text(encoding="latin-1").splitlines()[1:]
    return [line.split("\t") for line in lines if line]


def test_the_hybrid_beats_plain_als_on_hetrec_lastfm() -> None:
    everything = Feedback.from_counts((u, a, float(w)) for u, a, w in rows("user_artists.dat"))
    fit, held = holdout(everything.plays, 0.2, seed=1)
    feedback = Feedback(everything.users, everything.items, fit)
    friends: dict[str, set[str]] = {}
    for user, friend in rows("user_friends.dat"):
        friends.setdefault(user, set()).add(friend)
    params = Params(factors=64, regularization=0.1, seed=1, w_content=0.0)
    als = train(feedback, params=replace(params, w_knn=0, w_tag=0, w_friend=0, w_pop=0))
    hybrid = train(feedback, SideInfo(friends=friends), params=replace(params, w_tag=0))
    users = np.flatnonzero(np.diff(held.indptr))

    def ndcg(model_scores: np.ndarray) -> float:
        ranked = top_k(model_scores[users], 10, fit[users])
        pairs = zip(ranked, users, strict=True)
        return float(np.mean([ndcg_at_k(list(r), set(held.getrow(u).indices), 10) for r, u in pairs]))

    parts = hybrid.parts
    scores = combine(parts, component_scores(parts, Query(parts.history, parts.user_factors, parts.friends)))
    assert ndcg(scores) > 1.05 * ndcg(als.parts.user_factors @ als.parts.item_factors.T)
