"""Deterministic k-means (k-means++ seeding), for taste clusters."""

from __future__ import annotations

import numpy as np

__all__ = ["kmeans"]


def kmeans(vectors: np.ndarray, k: int, *, seed: int, rounds: int = 25) -> np.ndarray:
    """A cluster label per row of `vectors` (cosine geometry: rows are unit-normalised first)."""
    points = vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-9)
    centres = _seeded(points, k, np.random.default_rng(seed))
    labels = np.zeros(len(points), np.int64)
    for _ in range(rounds):
        labels = np.argmax(points @ centres.T, axis=1)
        moved = np.array(
            [
                points[labels == c].mean(axis=0) if np.any(labels == c) else centres[c]
                for c in range(len(centres))
            ]
        )
        if np.allclose(moved, centres):
            break
        centres = moved
    return labels


def _seeded(points: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    chosen = [int(rng.integers(len(points)))]
    for _ in range(1, k):
        distance = np.min(1 - points @ points[chosen].T, axis=1).clip(min=0)
        if distance.sum() <= 0:
            break
        chosen.append(int(rng.choice(len(points), p=distance / distance.sum())))
    return points[chosen]
