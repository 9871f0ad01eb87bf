"""A model as one `.npz` file: plain arrays only (no pickle), so loading runs no code."""

from __future__ import annotations

import json
from dataclasses import asdict, fields
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp

from tonearm.recs.engine.ann import AnnIndex
from tonearm.recs.engine.model import Model
from tonearm.recs.engine.parts import Parts
from tonearm.recs.engine.values import Params

__all__ = ["FORMAT", "load", "save"]

FORMAT = 1
_SPARSE = ("history", "disliked", "neighbours", "tags", "friends")
_DENSE = ("user_factors", "item_factors", "content", "content_raw", "popularity")
_NAMES = ("users", "items", "tag_names", "content_dims", "groups")


def save(model: Model, path: Path) -> None:
    parts = model.parts
    arrays: dict[str, Any] = {
        "format": np.array(FORMAT),
        "params": np.array(json.dumps(asdict(parts.params))),
    }
    for name in _SPARSE:
        matrix = sp.csr_matrix(getattr(parts, name))
        for piece in ("data", "indices", "indptr"):
            arrays[f"{name}.{piece}"] = getattr(matrix, piece)
        arrays[f"{name}.shape"] = np.array(matrix.shape, np.int64)
    arrays |= {name: getattr(parts, name) for name in _DENSE}
    arrays |= {name: np.array(getattr(parts, name), dtype=np.str_) for name in _NAMES}
    index = model.index.to_bytes() if model.index is not None else b""
    arrays["index"] = np.frombuffer(index, dtype=np.uint8)
    arrays["indexed"] = np.array(model.index is not None)
    with path.open("wb") as out:
        np.savez(out, **arrays)


def load(path: Path) -> Model:
    with np.load(path, allow_pickle=False) as stored:
        if int(stored["format"]) != FORMAT:
            raise ValueError(f"{path} is model format {int(stored['format'])}, this code reads {FORMAT}")
        known = {field.name for field in fields(Params)}
        params = Params(**{k: v for k, v in json.loads(str(stored["params"])).items() if k in known})
        values: dict[str, Any] = {name: _sparse(stored, name) for name in _SPARSE}
        values |= {name: stored[name] for name in _DENSE}
        values |= {name: tuple(str(value) for value in stored[name]) for name in _NAMES}
        parts = Parts(params=params, **values)
        index = None
        if bool(stored["indexed"]):
            index = AnnIndex.from_bytes(parts.items, parts.item_factors, stored["index"].tobytes())
    return Model(parts, index)


def _sparse(stored: Any, name: str) -> sp.csr_matrix:
    pieces = tuple(stored[f"{name}.{piece}"] for piece in ("data", "indices", "indptr"))
    return sp.csr_matrix(pieces, shape=tuple(stored[f"{name}.shape"]))
