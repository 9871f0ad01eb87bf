"""The sparse and dense matrices the hybrid scores with, built once at training: item-item
co-listening neighbours, item tags, item content vectors and the friend graph."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

import numpy as np
import scipy.sparse as sp

__all__ = [
    "content_matrix",
    "friend_matrix",
    "item_neighbours",
    "row_normalised",
    "tag_matrix",
    "top_per_row",
]


def item_neighbours(weights: sp.csr_matrix, neighbours: int, shrink: float) -> sp.csr_matrix:
    """Items x items cosine of the items' listener columns (shrunk towards 0 for items with few
    listeners), keeping each item's `neighbours` nearest; row j says who co-listens with j."""
    columns = sp.csc_matrix(abs(weights), dtype=np.float32)
    norms = np.sqrt(np.ravel(columns.multiply(columns).sum(axis=0)))
    gram = sp.csr_matrix(columns.T @ columns)
    gram.setdiag(0)
    gram.eliminate_zeros()
    coo = gram.tocoo()
    coo.data = (coo.data / (norms[coo.row] * norms[coo.col] + shrink)).astype(np.float32)
    return top_per_row(sp.csr_matrix(coo), neighbours)


def top_per_row(matrix: sp.csr_matrix, keep: int) -> sp.csr_matrix:
    """The `keep` largest entries of each row (ties broken by column, so it is deterministic)."""
    matrix = sp.csr_matrix(matrix, dtype=np.float32)
    matrix.sort_indices()
    rows, cols, data = [], [], []
    for row in range(matrix.shape[0]):
        start, end = matrix.indptr[row], matrix.indptr[row + 1]
        values = matrix.data[start:end]
        chosen = np.argsort(-values, kind="stable")[:keep]
        rows.append(np.full(len(chosen), row))
        cols.append(matrix.indices[start:end][chosen])
        data.append(values[chosen])
    if not rows:
        return matrix
    kept = sp.csr_matrix(
        (np.concatenate(data), (np.concatenate(rows), np.concatenate(cols))),
        shape=matrix.shape,
        dtype=np.float32,
    )
    kept.sort_indices()
    return kept


def row_normalised(matrix: sp.csr_matrix) -> sp.csr_matrix:
    """Each row divided by its Euclidean length (empty rows stay empty)."""
    norms = np.sqrt(np.ravel(matrix.multiply(matrix).sum(axis=1)))
    norms[norms == 0] = 1
    return sp.csr_matrix(sp.diags(1 / norms) @ matrix, dtype=np.float32)


def tag_matrix(
    items: Sequence[str], item_tags: Mapping[str, Collection[str]]
) -> tuple[sp.csr_matrix, list[str]]:
    """Items x tags, TF-IDF weighted and row-normalised; and the tags in column order."""
    tags = sorted({tag for item in items for tag in item_tags.get(item, ())})
    tag_at = {tag: i for i, tag in enumerate(tags)}
    rows = [i for i, item in enumerate(items) for _ in item_tags.get(item, ())]
    cols = [tag_at[tag] for item in items for tag in item_tags.get(item, ())]
    matrix = sp.csr_matrix(
        (np.ones(len(rows), np.float32), (rows, cols)), shape=(len(items), len(tags)), dtype=np.float32
    )
    matrix.data[:] = 1  # a tag listed twice counts once
    tagged = np.bincount(matrix.indices, minlength=len(tags))
    idf = np.log((1 + len(items)) / (1 + tagged)).astype(np.float32)
    return row_normalised(sp.csr_matrix(matrix @ sp.diags(idf))), tags


def content_matrix(items: Sequence[str], content: Mapping[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Items x dims of standardised, unit-length content vectors (zeros where there is none),
    and the raw vectors standardised but not normalised (for naming the dimensions that match)."""
    known = [item for item in items if item in content]
    if not known:
        return np.zeros((len(items), 0), np.float32), np.zeros((len(items), 0), np.float32)
    raw = np.stack([np.asarray(content[item], np.float32) for item in known])
    mean, std = raw.mean(axis=0), raw.std(axis=0)
    std[std == 0] = 1
    standard = np.zeros((len(items), raw.shape[1]), np.float32)
    at = {item: i for i, item in enumerate(items)}
    standard[[at[item] for item in known]] = (raw - mean) / std
    norms = np.linalg.norm(standard, axis=1, keepdims=True)
    norms[norms == 0] = 1
    return (standard / norms).astype(np.float32), standard


def friend_matrix(users: Sequence[str], friends: Mapping[str, Collection[str]]) -> sp.csr_matrix:
    """Users x users, row-normalised: each row spreads 1 over the user's known friends."""
    at = {user: i for i, user in enumerate(users)}
    pairs = [(at[user], at[friend]) for user in users for friend in friends.get(user, ()) if friend in at]
    rows = [row for row, _ in pairs]
    cols = [col for _, col in pairs]
    matrix = sp.csr_matrix(
        (np.ones(len(pairs), np.float32), (rows, cols)), shape=(len(users), len(users)), dtype=np.float32
    )
    matrix.data[:] = 1
    counts = np.ravel(matrix.sum(axis=1))
    counts[counts == 0] = 1
    return sp.csr_matrix(sp.diags(1 / counts) @ matrix, dtype=np.float32)
