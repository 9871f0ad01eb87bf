"""The trained model: recommendations, filters, reasons, cold start, similar items, groups,
clusters, persistence and degenerate inputs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp

from tests.recs.engine.conftest import PARAMS, POPULAR, World, community_of, item, planted
from tonearm.recs.engine import Feedback, Model, Params, SideInfo, holdout, recall_at_k, train


def test_the_hybrid_recovers_held_out_items_better_than_popularity() -> None:
    world = planted(seed=1)
    fit, held = holdout(world.feedback.plays, 0.25, seed=5)
    model = train(Feedback(world.feedback.users, world.feedback.items, fit), world.side, params=PARAMS)
    hybrid, popular = [], []
    for u, user in enumerate(world.feedback.users):
        relevant = {world.feedback.items[i] for i in held.getrow(u).indices}
        played = {world.feedback.items[i] for i in fit.getrow(u).indices}
        hybrid.append(recall_at_k([p.item for p in model.recommend(user, 5, exclude=played)], relevant, 5))
        popular.append(recall_at_k([p.item for p in model.recommend(None, 5, exclude=played)], relevant, 5))
    assert np.mean(hybrid) > 0.25  # chance within the right community is about 0.4
    assert np.mean(hybrid) > 1.5 * np.mean(popular)


def test_recommendations_stay_in_the_listeners_community(model: Model) -> None:
    picks = model.recommend("u2-03", 10, exclude={POPULAR})
    assert len(picks) == 10
    assert all(community_of(pick.item) == 2 for pick in picks)


def test_excluded_items_and_items_outside_allowed_never_appear(model: Model, world: World) -> None:
    played = world.played("u1-00")
    allowed = {item(1, n) for n in range(0, 20, 2)} | {item(0, 1)}
    picks = model.recommend("u1-00", 30, exclude=played, allowed=allowed)
    assert picks, "some allowed items are unplayed"
    assert {pick.item for pick in picks} <= allowed - played
    assert (
        not {pick.item for pick in model.similar([item(3, 0)], 30, exclude=played, allowed=allowed)} - allowed
    )


def test_every_pick_has_a_reason_pointing_at_what_the_user_played_or_their_friend(
    model: Model, world: World
) -> None:
    played = world.played("u0-04")
    for pick in model.recommend("u0-04", 10, exclude=played):
        assert pick.reasons
        for reason in pick.reasons:
            if reason.kind in ("played", "co_listened", "content"):
                assert reason.item in played
            if reason.kind == "friend":
                assert reason.user == "u0-05"
            if reason.kind == "tag":
                assert reason.detail == ("genre0",)
                assert reason.item in played


def test_a_new_user_with_onboarding_picks_gets_items_like_them(model: Model) -> None:
    seeds = [item(3, 1), item(3, 2)]
    picks = model.recommend("newcomer", 8, seed_items=seeds, exclude={*seeds, POPULAR})
    assert len(picks) == 8
    assert all(community_of(pick.item) == 3 for pick in picks)
    assert {r.item for pick in picks for r in pick.reasons if r.item} <= set(seeds)


def test_a_user_with_nothing_gets_the_popular_items(model: Model) -> None:
    picks = model.recommend(None, 3)
    assert picks[0].item == POPULAR
    assert all(pick.reasons == (pick.reasons[0],) and pick.reasons[0].kind == "popular" for pick in picks)


def test_an_item_nobody_played_is_placed_by_its_content(world: World) -> None:
    content = dict(world.side.item_content) | {"fresh": np.eye(4, 6, dtype=np.float32)[1]}
    side = SideInfo(world.side.item_groups, world.side.item_tags, content, world.side.friends)
    model = train(world.feedback, side, params=PARAMS)
    assert "fresh" in model.items
    picks = model.similar([item(1, 3), item(1, 4)], 25)
    assert "fresh" in [pick.item for pick in picks]
    fresh = next(pick for pick in picks if pick.item == "fresh")
    assert fresh.reasons[0].kind == "content" and fresh.reasons[0].item in {item(1, 3), item(1, 4)}
    assert model.similar(["fresh"], 5)[0].item.startswith("c1-")


def test_similar_ignores_unknown_seeds_and_never_returns_a_seed(model: Model) -> None:
    assert model.similar(["nope"], 5) == []
    picks = model.similar(["nope", item(0, 0)], 5)
    assert item(0, 0) not in {pick.item for pick in picks}
    assert all(community_of(pick.item) == 0 for pick in picks if pick.item != POPULAR)


def test_related_groups_are_the_same_communitys_artists(model: Model) -> None:
    related = model.similar_groups("artist2-0", 3)
    assert [name.startswith("artist2-") for name, _ in related] == [True, True, True]
    assert model.similar_groups("no such artist", 3) == []


def test_clusters_separate_the_communities(model: Model) -> None:
    items = [item(c, n) for c in (0, 2) for n in range(6)] + ["unknown"]
    clusters = model.clusters(items, 2)
    assert sorted(sorted({community_of(i) for i in cluster}) for cluster in clusters) == [[0], [2]]
    assert model.clusters(items, 9) and len(model.clusters([item(0, 0)], 3)) == 1


def test_a_saved_model_loads_and_recommends_exactly_the_same(model: Model, tmp_path: Path) -> None:
    path = tmp_path / "model.npz"
    model.save(path)
    loaded = Model.load(path)
    assert loaded.users == model.users and loaded.items == model.items
    for user in ("u0-00", "u3-14"):
        assert loaded.recommend(user, 15) == model.recommend(user, 15)
    assert loaded.similar([item(2, 2)], 10) == model.similar([item(2, 2)], 10)
    assert loaded.recommend("x", 5, seed_items=[item(1, 1)]) == model.recommend(
        "x", 5, seed_items=[item(1, 1)]
    )


def test_training_twice_with_one_seed_gives_the_same_model(world: World, model: Model) -> None:
    again = train(world.feedback, world.side, params=PARAMS)
    assert np.array_equal(again.parts.item_factors, model.parts.item_factors)
    assert again.recommend("u1-01", 10) == model.recommend("u1-01", 10)


def test_skips_push_an_item_down(world: World) -> None:
    user = "u0-00"
    target = next(
        p.item for p in train(world.feedback, params=PARAMS).recommend(user, 3, exclude=world.played(user))
    )
    u, i = world.feedback.users.index(user), world.feedback.items.index(target)
    skips = sp.csr_matrix(([50.0], ([u], [i])), shape=world.feedback.plays.shape, dtype=np.float32)
    skipped = Feedback(world.feedback.users, world.feedback.items, world.feedback.plays, skips)
    ranked = [p.item for p in train(skipped, params=PARAMS).recommend(user, 20, exclude=world.played(user))]
    assert target not in ranked[:3]


def test_a_one_item_catalogue_and_empty_feedback_do_not_crash() -> None:
    one = train(Feedback.from_counts([("a", "only", 3.0), ("b", "only", 1.0)]), params=Params(factors=4))
    assert [pick.item for pick in one.recommend("a", 10)] == ["only"]
    assert one.recommend("a", 10, exclude={"only"}) == []
    assert one.similar(["only"], 5) == []
    assert one.clusters(["only"], 3) == [["only"]]
    empty = train(Feedback((), (), sp.csr_matrix((0, 0), dtype=np.float32)))
    assert empty.recommend("anyone", 10) == []
    assert empty.recommend(None, 10, seed_items=["x"]) == []
    assert (
        empty.similar(["x"], 10) == [] and empty.similar_groups("g", 3) == [] and empty.clusters([], 2) == []
    )


def test_feedback_of_the_wrong_shape_is_refused() -> None:
    with pytest.raises(ValueError, match="plays has shape"):
        Feedback(("a",), ("x", "y"), sp.csr_matrix((1, 3), dtype=np.float32))
