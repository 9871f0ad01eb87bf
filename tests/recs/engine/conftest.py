"""A planted-structure world: four taste communities of 20 items (four artists of 5 items each),
60 listeners who play within their community plus one globally popular item; friends inside a
community; tags naming the community; content vectors pointing at the community's corner."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest

from tonearm.recs.engine import Feedback, Model, Params, SideInfo, train

COMMUNITIES = 4
PER_COMMUNITY = 20
USERS_PER_COMMUNITY = 15
POPULAR = "hit"
PARAMS = Params(factors=8, iterations=10, regularization=0.1, neighbours=20, w_tag=0.2, w_friend=0.2, seed=3)


def item(community: int, n: int) -> str:
    return f"c{community}-i{n:02d}"


def community_of(name: str) -> int:
    return int(name.split("-")[0][1:])


@dataclass(frozen=True)
class World:
    feedback: Feedback
    side: SideInfo

    def played(self, user: str) -> set[str]:
        row = self.feedback.plays.getrow(self.feedback.users.index(user))
        return {self.feedback.items[i] for i in row.indices}


def planted(seed: int = 0) -> World:
    rng = np.random.default_rng(seed)
    rows: list[tuple[str, str, float]] = []
    for c in range(COMMUNITIES):
        for u in range(USERS_PER_COMMUNITY):
            user = f"u{c}-{u:02d}"
            for n in rng.choice(PER_COMMUNITY, 8, replace=False):
                rows.append((user, item(c, int(n)), float(rng.integers(1, 50))))
            rows.append((user, POPULAR, 100.0))
    feedback = Feedback.from_counts(rows)
    corners = np.eye(COMMUNITIES, 6, dtype=np.float32)
    side = SideInfo(
        item_groups={
            item(c, n): f"artist{c}-{n // 5}" for c in range(COMMUNITIES) for n in range(PER_COMMUNITY)
        },
        item_tags={item(c, n): {f"genre{c}"} for c in range(COMMUNITIES) for n in range(PER_COMMUNITY)},
        item_content={
            item(c, n): corners[c] + 0.05 * rng.normal(size=6).astype(np.float32)
            for c in range(COMMUNITIES)
            for n in range(PER_COMMUNITY)
        },
        friends={
            f"u{c}-{u:02d}": {f"u{c}-{(u + 1) % USERS_PER_COMMUNITY:02d}"}
            for c in range(COMMUNITIES)
            for u in range(USERS_PER_COMMUNITY)
        },
        content_dims=("tempo", "energy", "valence", "acousticness", "danceability", "speechiness"),
    )
    return World(feedback, side)


@pytest.fixture(scope="session")
def world() -> World:
    return planted()


@pytest.fixture(scope="session")
def model(world: World) -> Model:
    return train(world.feedback, world.side, params=PARAMS)
