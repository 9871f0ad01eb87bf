"""The type check has teeth: mypy with the project's own configuration, run over a copy of the
package, reports an error planted in the copy, strict where the configuration says strict and
mypy's defaults elsewhere. That the untouched tree has no error at all is `make lint`'s mypy
run, which `make test` (and so CI) runs before the tests."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
UNTYPED_DEF = "def planted(value):\n    return value\n"
WRONG_TYPE = 'mistyped: int = "not a number"\n'
ERROR = re.compile(r"^(?P<path>[^:\n]+):(?P<line>\d+): error: .*\[(?P<code>[a-z-]+)\]$", re.MULTILINE)


@dataclass
class Tree:
    root: Path
    cache: Path

    def mypy(self) -> set[tuple[str, int, str]]:
        """The errors mypy reports, as (path under src/tonearm, line, error code)."""
        result = subprocess.run(
            [sys.executable, "-m", "mypy", "--config-file", "pyproject.toml", "--cache-dir", str(self.cache)],
            cwd=self.root,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode in (0, 1), result.stdout + result.stderr  # 2: mypy itself failed
        return {
            (m["path"].removeprefix("src/tonearm/"), int(m["line"]), m["code"])
            for m in ERROR.finditer(result.stdout)
        }

    def plant(self, where: str, text: str) -> int:
        """Appends `text` to the module; the line it starts on."""
        path = self.root / "src" / "tonearm" / where
        original = path.read_text()
        path.write_text(f"{original}\n\n{text}")
        return original.count("\n") + 3


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("typed")
    shutil.copytree(
        ROOT / "src" / "tonearm",
        root / "src" / "tonearm",
        ignore=shutil.ignore_patterns("web", "__pycache__"),
    )
    shutil.copy(ROOT / "pyproject.toml", root / "pyproject.toml")
    return root


@pytest.fixture(scope="module")
def baseline(pristine: Path) -> set[tuple[str, int, str]]:
    # Also warms the cache: each planted run after it rechecks little more than its module.
    return Tree(pristine, pristine / ".mypy_cache").mypy()


STRICT = ("kit/lru.py", "backends/registry.py", "audio/ladder.py", "events.py")
DEFAULTS = "delivery/playlists.py"
EVERY = ("delivery/playlists.py", "accounts/scopes.py", "kit/lru.py")


@pytest.fixture(scope="module")
def planted(pristine: Path, baseline: set[tuple[str, int, str]]) -> tuple[set[tuple[str, int, str]], dict]:
    """One mypy run over the copy with every plant in it (a run costs seconds, a plant nothing):
    the new errors, and where each plant went."""
    tree = Tree(pristine, pristine / ".mypy_cache")
    lines = {
        "untyped": {where: tree.plant(where, UNTYPED_DEF) for where in (*STRICT, DEFAULTS)},
        "wrong": {where: tree.plant(where, WRONG_TYPE) for where in EVERY},
    }
    return tree.mypy() - baseline, lines


@pytest.mark.slow
@pytest.mark.parametrize("where", STRICT)
def test_an_untyped_def_in_a_strict_module_is_an_error(planted: tuple[set, dict], where: str) -> None:
    errors, lines = planted
    assert (where, lines["untyped"][where], "no-untyped-def") in errors


@pytest.mark.slow
def test_an_untyped_def_elsewhere_passes_under_the_defaults(planted: tuple[set, dict]) -> None:
    errors, lines = planted
    line = lines["untyped"][DEFAULTS]
    assert {error for error in errors if error[0] == DEFAULTS and error[1] in (line, line + 1)} == set()


@pytest.mark.slow
@pytest.mark.parametrize("where", EVERY)
def test_a_wrong_type_is_an_error_in_every_module(planted: tuple[set, dict], where: str) -> None:
    errors, lines = planted
    assert (where, lines["wrong"][where], "assignment") in errors


@pytest.mark.slow
def test_nothing_but_the_plants_is_reported(planted: tuple[set, dict]) -> None:
    errors, lines = planted
    untyped = lines["untyped"]
    expected = {(where, untyped[where], "no-untyped-def") for where in STRICT}
    expected |= {(where, line, "assignment") for where, line in lines["wrong"].items()}
    assert errors == expected
