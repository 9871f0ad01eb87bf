"""The last stage: diversity per group, the context and freshness adjustments."""

from __future__ import annotations

import numpy as np

from tonearm.recs.engine import Context, Pick, Reason, rerank

WHY = (Reason("popular"),)


def picks(count: int, groups: int) -> tuple[list[Pick], dict[str, str]]:
    ranked = [Pick(f"t{i:03d}", 1.0 - i / 1000, WHY) for i in range(count)]
    # The best items all come from the first groups, as a taste often does.
    return ranked, {f"t{i:03d}": f"a{min(i // 10, groups - 1)}" for i in range(count)}


def test_no_group_has_more_than_two_items_in_thirty() -> None:
    ranked, group_of = picks(400, 40)
    chosen = rerank(ranked, n=30, group_of=group_of)
    assert len(chosen) == 30
    counts = np.unique([group_of[p.item] for p in chosen], return_counts=True)[1]
    assert counts.max() <= 2
    assert chosen[0].item == "t000" and [p.item for p in chosen[:2]] == ["t000", "t001"]


def test_a_long_list_keeps_at_most_two_per_group_in_any_window_of_thirty() -> None:
    ranked, group_of = picks(400, 40)
    chosen = [group_of[p.item] for p in rerank(ranked, n=100, group_of=group_of)]
    assert len(chosen) == 100  # 40 groups x 2 fill a window of 30; a group comes back once it slid out
    assert all(
        max(np.unique(chosen[i : i + 30], return_counts=True)[1]) <= 2 for i in range(len(chosen) - 29)
    )


def test_just_skipped_items_go_and_a_just_skipped_artist_falls() -> None:
    ranked = [Pick("a", 1.0, WHY), Pick("b", 0.9, WHY), Pick("c", 0.8, WHY)]
    group_of = {"a": "x", "b": "y", "c": "z"}
    context = Context(skipped_items={"a"}, skipped_groups={"y"})
    assert [p.item for p in rerank(ranked, n=3, group_of=group_of, context=context)] == ["c", "b"]


def test_the_hour_and_device_lift_items_played_then_and_there() -> None:
    ranked = [Pick("day", 1.0, WHY), Pick("night", 0.8, WHY)]
    night, day = np.zeros(24), np.zeros(24)
    night[22:24], day[9:17] = 50, 50
    context = Context(hour=23, device="phone", item_hours={"day": day, "night": night})
    assert [p.item for p in rerank(ranked, n=2, group_of={}, context=context)] == ["night", "day"]
    devices = {"day": {"phone": 1.0, "tv": 40.0}, "night": {"phone": 40.0, "tv": 1.0}}
    by_device = Context(device="phone", item_devices=devices)
    assert rerank(ranked, n=2, group_of={}, context=by_device)[0].item == "night"
    assert rerank(ranked, n=2, group_of={})[0].item == "day"


def test_freshness_lifts_new_items_by_at_most_thirty_percent() -> None:
    ranked = [Pick("old", 1.0, WHY), Pick("new", 0.8, WHY), Pick("newer", 0.7, WHY)]
    chosen = rerank(ranked, n=3, group_of={}, freshness={"new": 1.0, "newer": 5.0})
    assert [p.item for p in chosen] == ["new", "old", "newer"]
    assert chosen[0].score == 0.8 * 1.3 and chosen[0].reasons == WHY
