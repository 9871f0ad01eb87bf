"""The values the engine takes and gives: feedback, side information, picks and their reasons,
the listening context and the training parameters."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import scipy.sparse as sp

__all__ = ["Context", "Feedback", "Params", "Pick", "Reason", "ReasonKind", "SideInfo"]

ReasonKind = Literal["played", "co_listened", "content", "friend", "tag", "popular", "seed_artist"]


@dataclass(frozen=True)
class Feedback:
    """Implicit feedback, users x items: play counts (counted streams), and skips as negatives."""

    users: tuple[str, ...]
    items: tuple[str, ...]
    plays: sp.csr_matrix
    skips: sp.csr_matrix | None = None

    def __post_init__(self) -> None:
        shape = (len(self.users), len(self.items))
        for name, matrix in (("plays", self.plays), ("skips", self.skips)):
            if matrix is not None and matrix.shape != shape:
                raise ValueError(f"Feedback.{name} has shape {matrix.shape}, expected {shape}")

    @classmethod
    def from_counts(
        cls, plays: Iterable[tuple[str, str, float]], skips: Iterable[tuple[str, str, float]] = ()
    ) -> Feedback:
        """From (user, item, count) rows; a user or item seen only in skips is still listed."""
        plays, skips = list(plays), list(skips)
        users = tuple(sorted({row[0] for row in plays + skips}))
        items = tuple(sorted({row[1] for row in plays + skips}))
        plays_matrix = _matrix(plays, users, items)
        return cls(users, items, plays_matrix, _matrix(skips, users, items) if skips else None)


def _matrix(
    rows: list[tuple[str, str, float]], users: tuple[str, ...], items: tuple[str, ...]
) -> sp.csr_matrix:
    user_at = {user: i for i, user in enumerate(users)}
    item_at = {item: i for i, item in enumerate(items)}
    data = np.array([count for _, _, count in rows], dtype=np.float32)
    row = np.array([user_at[user] for user, _, _ in rows], dtype=np.int64)
    col = np.array([item_at[item] for _, item, _ in rows], dtype=np.int64)
    return sp.csr_matrix((data, (row, col)), shape=(len(users), len(items)), dtype=np.float32)


@dataclass(frozen=True)
class SideInfo:
    """What is known besides the plays. Every part is optional."""

    item_groups: Mapping[str, str] = field(default_factory=dict)
    item_tags: Mapping[str, Collection[str]] = field(default_factory=dict)
    item_content: Mapping[str, np.ndarray] = field(default_factory=dict)
    friends: Mapping[str, Collection[str]] = field(default_factory=dict)
    popularity: Mapping[str, float] = field(default_factory=dict)
    # Names of the content vector's dimensions ("tempo", "energy" ...), for the reasons' detail.
    content_dims: tuple[str, ...] = ()


@dataclass(frozen=True)
class Reason:
    kind: ReasonKind
    item: str | None = None
    user: str | None = None
    detail: tuple[str, ...] = ()


@dataclass(frozen=True)
class Pick:
    item: str
    score: float
    reasons: tuple[Reason, ...]


@dataclass(frozen=True)
class Context:
    """The moment a list is for. `item_hours` holds an item's plays by hour of day (24 counts),
    `item_devices` its plays by device type; items missing from them are left as they are."""

    hour: int | None = None
    device: str | None = None
    skipped_items: Collection[str] = frozenset()
    skipped_groups: Collection[str] = frozenset()
    item_hours: Mapping[str, np.ndarray] = field(default_factory=dict)
    item_devices: Mapping[str, Mapping[str, float]] = field(default_factory=dict)


@dataclass(frozen=True)
class Params:
    """Training parameters. The defaults suit the platform's own play counts; bench/recs_eval.py
    tunes its own on hetrec-lastfm (there plain ALS is best far more regularised, about 100)."""

    factors: int = 64
    regularization: float = 0.05
    iterations: int = 15
    alpha: float = 1.0
    # Confidence weighting of play counts: "bm25" (implicit's BM25 over users) or "log".
    weighting: Literal["bm25", "log"] = "bm25"
    bm25_k1: float = 1.2
    bm25_b: float = 0.75
    skip_weight: float = 1.0
    # How far a skipped item falls in the hybrid (its score is normalised to about 0..1 per part).
    skip_penalty: float = 3.0
    neighbours: int = 200
    # Co-listening from who played what (binary), not from confidences: better on hetrec validation.
    knn_binary: bool = True
    shrink: float = 10.0
    # The hybrid: how much each component's score counts (each normalised per user first).
    w_als: float = 1.0
    w_knn: float = 0.5
    w_tag: float = 0.8
    w_friend: float = 0.2
    w_content: float = 0.3
    w_pop: float = 0.2
    # similar() weighs content at least this much, so an item nobody has played yet is placed.
    w_cold_content: float = 0.5
    seed: int = 0
    threads: int = 2
    # Catalogues larger than this retrieve candidates through the ANN index.
    ann_above: int = 50_000
    candidates: int = 1_000
