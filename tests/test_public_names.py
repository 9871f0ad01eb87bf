"""Every module says what it offers: each name in __all__ exists."""

from __future__ import annotations

import importlib
import pkgutil

import pytest

import tonearm

MODULES = sorted(
    info.name
    for info in pkgutil.walk_packages(tonearm.__path__, "tonearm.")
    if ".migrations" not in info.name and ".web" not in info.name
)


@pytest.mark.parametrize("name", MODULES)
def test_every_public_name_exists(name: str) -> None:
    module = importlib.import_module(name)
    for public in getattr(module, "__all__", ()):
        assert hasattr(module, public), f"{name}.__all__ names {public}, which it does not define"
