"""The ranker's last stage: the model's score adjusted for the moment (hour, device, what was
just skipped) and for freshness, then spread so no group (artist) crowds a window of the list."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

import numpy as np

from tonearm.recs.engine.values import Context, Pick

__all__ = ["FRESHNESS_WEIGHT", "SKIPPED_GROUP_FACTOR", "context_factor", "rerank"]

FRESHNESS_WEIGHT = 0.3  # a brand-new item (freshness 1) counts 30 % more
SKIPPED_GROUP_FACTOR = 0.5  # an artist skipped just now is halved, not banned
CONTEXT_LIFT = (0.5, 2.0)  # how far hour and device may move a score, at most
WINDOW = 30


def rerank(
    picks: Sequence[Pick],
    *,
    n: int,
    group_of: Mapping[str, str],
    max_per_group: int = 2,
    context: Context | None = None,
    freshness: Mapping[str, float] = {},
    window: int = WINDOW,
) -> list[Pick]:
    """Up to n picks, best adjusted score first, with at most `max_per_group` of one group in
    any `window` consecutive picks. Items skipped just now are dropped. Scores are rescaled to
    0..1 (the best input pick is 1) before the adjustments multiply them."""
    context = context or Context()
    skipped = set(context.skipped_items)
    kept = [pick for pick in picks if pick.item not in skipped]
    top = max((abs(pick.score) for pick in kept), default=0.0) or 1.0
    adjusted = [
        replace(
            pick,
            score=pick.score
            / top
            * context_factor(pick.item, group_of, context)
            * (1 + FRESHNESS_WEIGHT * min(max(freshness.get(pick.item, 0.0), 0.0), 1.0)),
        )
        for pick in kept
    ]
    adjusted.sort(key=lambda pick: -pick.score)
    return _spread(adjusted, n, group_of, max_per_group, window)


def context_factor(item: str, group_of: Mapping[str, str], context: Context) -> float:
    """How much the moment lifts an item: its plays in this hour (±1) and on this device
    against an even spread, smoothed and clipped; a just-skipped group halves it."""
    factor = 1.0
    hours = context.item_hours.get(item)
    if context.hour is not None and hours is not None and len(hours) == 24:
        counts = np.asarray(hours, np.float64)
        near = sum(counts[(context.hour + step) % 24] for step in (-1, 0, 1))
        factor *= _clipped((near + 1) / (counts.sum() * 3 / 24 + 1))
    devices = context.item_devices.get(item)
    if context.device is not None and devices:
        total = sum(devices.values())
        factor *= _clipped((devices.get(context.device, 0.0) + 1) / (total / len(devices) + 1))
    if group_of.get(item) in set(context.skipped_groups):
        factor *= SKIPPED_GROUP_FACTOR
    return factor


def _clipped(lift: float) -> float:
    low, high = CONTEXT_LIFT
    return min(max(lift, low), high)


def _spread(ranked: list[Pick], n: int, group_of: Mapping[str, str], most: int, window: int) -> list[Pick]:
    """Greedy: at each place the best pick whose group is not already full in the last
    `window - 1` places; items without a group are never held back."""
    chosen: list[Pick] = []
    waiting = list(ranked)
    while waiting and len(chosen) < n:
        recent = [group_of.get(pick.item) for pick in chosen[-(window - 1) :]] if window > 1 else []
        for at, pick in enumerate(waiting):
            group = group_of.get(pick.item)
            if group is None or recent.count(group) < most:
                chosen.append(waiting.pop(at))
                break
        else:
            break
    return chosen
