"""The type check has teeth: mypy with the project's own configuration, run over a copy of the
package, reports an error planted in the copy, strict where the configuration says strict and
mypy's defaults elsewhere. That the untouched tree has no error at all is `make lint`'s mypy
run, which `make test` (and so CI) runs before the tests."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
UNTYPED_DEF = "def planted(value):\n    return value\n"
WRONG_TYPE = 'planted: int = "not a number"\n'
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


@pytest.fixture
def tree(pristine: Path, baseline: set[tuple[str, int, str]]) -> Iterator[Tree]:
    sources = {path: path.read_text() for path in (pristine / "src").rglob("*.py")}
    yield Tree(pristine, pristine / ".mypy_cache")
    for path, text in sources.items():
        path.write_text(text)


@pytest.mark.slow
@pytest.mark.parametrize("where", ["kit/lru.py", "backends/registry.py", "audio/ladder.py", "events.py"])
def test_an_untyped_def_in_a_strict_module_is_an_error(
    tree: Tree, baseline: set[tuple[str, int, str]], where: str
) -> None:
    line = tree.plant(where, UNTYPED_DEF)
    assert (where, line, "no-untyped-def") in tree.mypy() - baseline


@pytest.mark.slow
def test_an_untyped_def_elsewhere_passes_under_the_defaults(
    tree: Tree, baseline: set[tuple[str, int, str]]
) -> None:
    tree.plant("delivery/playlists.py", UNTYPED_DEF)
    assert tree.mypy() - baseline == set()


@pytest.mark.slow
@pytest.mark.parametrize("where", ["delivery/playlists.py", "accounts/scopes.py", "kit/lru.py"])
def test_a_wrong_type_is_an_error_in_every_module(
    tree: Tree, baseline: set[tuple[str, int, str]], where: str
) -> None:
    line = tree.plant(where, WRONG_TYPE)
    assert (where, line, "assignment") in tree.mypy() - baseline
