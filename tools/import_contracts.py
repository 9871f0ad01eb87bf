"""The domain boundaries as one import-linter contract, generated from `tonearm.domains.DOMAINS`,
so a new domain is covered the moment it is registered.

Broken when:
- a domain imports a submodule of another domain (its repository, models, endpoints, service
  ...): other domains are reached through their public face, `tonearm.<domain>`;
- `kit`, `audio` or `backends` import a domain, the app, the API or the CLI;
- a domain imports the app, the API, the CLI, the domain registry or a concrete adapter (a
  `backends` module with an underscore in its name: `blobs_file`, `eventlog_nats` ...);
- domains import each other in a cycle (at package level).
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

from importlinter import Contract, ContractCheck, fields, output

__all__ = ["DomainBoundaries"]

COMPOSITION = ("app", "api", "cli", "domains", "runtime")
BELOW_DOMAINS = ("kit", "audio", "backends")


def _domains(root: str, graph: Any) -> tuple[str, ...]:
    """The DOMAINS tuple, read from the source (not imported: the tree checked may be a copy)."""
    module = f"{root}.domains"
    path = Path(graph.find_module_path(module)) if hasattr(graph, "find_module_path") else None
    if path is None:
        import importlib.util

        spec = importlib.util.find_spec(module)
        assert spec is not None and spec.origin is not None, f"{module} is missing"
        path = Path(spec.origin)
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.AnnAssign | ast.Assign):
            targets = [node.target] if isinstance(node, ast.AnnAssign) else node.targets
            if any(isinstance(t, ast.Name) and t.id == "DOMAINS" for t in targets) and node.value:
                return tuple(ast.literal_eval(node.value))
    raise ValueError(f"{module} defines no DOMAINS")


def _part(module: str, root: str) -> tuple[str, str | None]:
    """('catalog', 'service') for tonearm.catalog.service, ('catalog', None) for the package."""
    parts = module.removeprefix(root + ".").split(".")
    return parts[0], parts[1] if len(parts) > 1 else None


class DomainBoundaries(Contract):
    root = fields.StringField()

    def check(self, graph: Any, verbose: bool) -> ContractCheck:
        root = str(self.root)
        domains = set(_domains(root, graph))
        violations: list[str] = []
        edges: dict[str, set[str]] = {domain: set() for domain in domains}
        for importer in sorted(graph.modules):
            if not importer.startswith(root + "."):
                continue
            source, _ = _part(importer, root)
            for imported in sorted(graph.find_modules_directly_imported_by(importer)):
                if not imported.startswith(root + "."):
                    continue
                target, sub = _part(imported, root)
                rule = self._rule(source, target, sub, domains)
                if rule:
                    violations.append(f"{importer} imports {imported}: {rule}")
                if source in domains and target in domains and source != target:
                    edges[source].add(target)
        violations += [f"domain import cycle: {' -> '.join(cycle)}" for cycle in _cycles(edges)]
        return ContractCheck(kept=not violations, metadata={"violations": violations})

    @staticmethod
    def _rule(source: str, target: str, sub: str | None, domains: set[str]) -> str | None:
        if source in BELOW_DOMAINS and (target in domains or target in COMPOSITION):
            return f"{source} sits below the domains and may not import them"
        if source not in domains:
            return None
        if target in COMPOSITION:
            return "a domain may not import the app, the API, the CLI or the domain registry"
        if target == "backends" and sub is not None and "_" in sub:
            return "a domain may not import a concrete adapter; open it by URL through its Protocol"
        if target in domains and target != source and sub is not None:
            return f"import the public face tonearm.{target}, not its submodule {sub}"
        return None

    def render_broken_contract(self, check: ContractCheck) -> None:
        for violation in check.metadata["violations"]:
            output.print_error(violation)
            output.new_line()


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    found: list[list[str]] = []

    def walk(path: list[str]) -> None:
        for nxt in sorted(edges.get(path[-1], ())):
            if nxt == path[0]:
                if path[0] == min(path):
                    found.append([*path, nxt])
            elif nxt not in path:
                walk([*path, nxt])

    for start in sorted(edges):
        walk([start])
    return found
