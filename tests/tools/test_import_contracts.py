"""The import contract has teeth: each kind of forbidden import, planted in a copy of the
package, breaks `lint-imports`; the untouched copy keeps it. The copy's domain list is read from
its own `tonearm/domains.py`, so a domain added there is covered with no edit to the contract."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"
CONFIG = """\
[importlinter]
root_package = tonearm
contract_types =
    domain_boundaries: tools.import_contracts.DomainBoundaries

[importlinter:contract:boundaries]
name = boundaries
type = domain_boundaries
root = tonearm
"""

PLANTED = {
    "another domain's repository": (
        "search/service.py",
        "from tonearm.catalog.repository import CatalogRepository",
    ),
    "another domain's models": ("delivery/service.py", "from tonearm.catalog.models import Track"),
    "another domain's endpoints": ("ingest/tasks.py", "from tonearm.search.endpoints import router"),
    "another domain's submodule": ("listening/service.py", "from tonearm.catalog.media import TrackMedia"),
    "kit importing a domain": ("kit/ids.py", "from tonearm.catalog import catalog"),
    "audio importing a domain": ("audio/ladder.py", "import tonearm.ingest"),
    "a concrete adapter from a domain": (
        "search/service.py",
        "from tonearm.backends.blobs_file import FileBlobStore",
    ),
    "a domain importing the app": ("catalog/service.py", "import tonearm.app"),
    "a cycle between domains": ("catalog/service.py", "import tonearm.search"),
}


def _lint(tree: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--config", str(tree / ".importlinter"), "--no-cache"],
        cwd=tree,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    shutil.copytree(
        ROOT / "src" / "tonearm", tmp_path / "tonearm", ignore=shutil.ignore_patterns("web", "__pycache__")
    )
    shutil.copytree(ROOT / "tools", tmp_path / "tools", ignore=shutil.ignore_patterns("__pycache__"))
    (tmp_path / ".importlinter").write_text(CONFIG)
    return tmp_path


def _plant(tree: Path, where: str, line: str) -> None:
    path = tree / "tonearm" / where
    path.write_text(path.read_text() + f"\n{line}  # planted\n")


def test_the_untouched_copy_keeps_the_contract(tree: Path) -> None:
    result = _lint(tree)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 kept, 0 broken" in result.stdout


@pytest.mark.parametrize("kind", sorted(PLANTED))
def test_a_planted_forbidden_import_breaks_the_contract(tree: Path, kind: str) -> None:
    where, line = PLANTED[kind]
    _plant(tree, where, line)
    result = _lint(tree)
    assert result.returncode != 0, f"{kind} passed lint-imports:\n{result.stdout}"
    assert "0 kept, 1 broken" in result.stdout


def test_a_new_domain_is_covered_once_registered(tree: Path) -> None:
    (tree / "tonearm" / "podcasts").mkdir()
    (tree / "tonearm" / "podcasts" / "__init__.py").write_text('"""Podcasts."""\n')
    (tree / "tonearm" / "podcasts" / "service.py").write_text(
        "from tonearm.listening.repository import ListeningRepository  # noqa\n"
    )
    domains = tree / "tonearm" / "domains.py"
    domains.write_text(
        domains.read_text().replace(
            "DOMAINS: tuple[str, ...] = (", 'DOMAINS: tuple[str, ...] = ("podcasts", '
        )
    )
    result = _lint(tree)
    assert result.returncode != 0
    assert "tonearm.podcasts.service imports tonearm.listening.repository" in result.stdout
