"""The shape of the code, read from its imports (ast, without importing anything).

- No import cycle anywhere in remun/. Imports inside functions count too: a
  cycle hidden in a function is still two modules that need each other.
- Only the web layer (remun/web), the command modules and the app factory
  (remun/__init__.py) import Flask or remun.web. Domain code (pay, rates, the
  ledger, budgets, reciprocity, accounts, exports, ...) runs without Flask.

Imports under ``if TYPE_CHECKING:`` are for type checkers only and are not counted.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REMUN = ROOT / "remun"

#: Web frameworks: only the web layer and the commands use them.
WEB_LIBRARIES = ("flask", "flask_babel", "flask_login", "flask_wtf", "flask_limiter", "flask_sqlalchemy",
                 "wtforms", "govuk_frontend_wtf", "werkzeug", "flask_smorest")

#: Edges still to remove, each with why it is allowed for now. The test fails when one is no longer
#: there, so it is struck off here once fixed.
ALLOWED_FOR_NOW: set[tuple[str, str]] = set()


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


MODULES = {module_name(path): path for path in sorted(REMUN.rglob("*.py"))}


def _type_checking_only(tree: ast.Module) -> set[int]:
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skipped |= {id(inner) for statement in node.body for inner in ast.walk(statement)}
    return skipped


def imports_of(name: str, path: Path) -> set[str]:
    """Every module ``name`` imports (remun's own modules, and top-level names of others)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    skipped = _type_checking_only(tree)
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            for alias in node.names:
                submodule = f"{module}.{alias.name}"
                found.add(submodule if submodule in MODULES else module)
    return found


def graph() -> dict[str, set[str]]:
    return {name: imports_of(name, path) for name, path in MODULES.items()}


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (or a module importing itself): Tarjan's."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(start: str) -> None:
        # Iterative, so a deep graph cannot reach the recursion limit.
        work = [(start, iter(sorted(edges[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, targets = work[-1]
            for target in targets:
                if target not in edges:
                    continue
                if target not in index:
                    index[target] = low[target] = len(index)
                    stack.append(target)
                    on_stack.add(target)
                    work.append((target, iter(sorted(edges[target]))))
                    break
                if target in on_stack:
                    low[node] = min(low[node], index[target])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    group = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        group.append(member)
                        if member == node:
                            break
                    if len(group) > 1 or node in edges[node]:
                        found.append(sorted(group))

    for name in sorted(edges):
        if name not in index:
            visit(name)
    return found


def _without(edges: dict[str, set[str]], allowed: Iterable[tuple[str, str]]) -> dict[str, set[str]]:
    pruned = {name: set(targets) for name, targets in edges.items()}
    for source, target in allowed:
        pruned[source].discard(target)
    return pruned


def may_use_the_web(name: str) -> bool:
    """The web layer, the app factory, the command modules and the background jobs' runner and
    handlers (remun/jobs: like commands, they run inside the Flask app, in a worker)."""
    return (name == "remun" or name == "remun.web" or name.startswith("remun.web.")
            or name == "remun.api" or name.startswith("remun.api.")  # the JSON API is part of the web layer
            or name in ("remun.jobs.runner", "remun.jobs.kinds", "remun.jobs.work")
            or name.startswith("remun.cli."))


def test_the_reader_finds_cycles_and_imports():
    # The reading itself: a known cycle is found, and so are imports inside functions.
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"a"}}) == [["a"]]
    assert cycles({"a": {"b"}, "b": set()}) == []
    edges = graph()
    assert "remun.web.extensions" in edges["remun.cli.common"]  # imported inside a function
    assert "remun.pay.terms" in edges["remun.parity.report"]
    assert "flask" not in edges["remun"]  # only under TYPE_CHECKING


def test_no_import_cycles_in_remun():
    edges = graph()
    still_there = {(source, target) for source, target in ALLOWED_FOR_NOW if target in edges.get(source, set())}
    assert still_there == ALLOWED_FOR_NOW, (
        f"{sorted(ALLOWED_FOR_NOW - still_there)} no longer import each other: strike them off ALLOWED_FOR_NOW"
    )
    found = cycles(_without(edges, ALLOWED_FOR_NOW))
    assert found == [], f"import cycles in remun/ (modules that need each other): {found}"


def test_domain_code_does_not_import_flask_or_the_web_layer():
    offenders = {}
    for name, targets in graph().items():
        if may_use_the_web(name):
            continue
        bad = sorted(target for target in targets
                     if target.split(".")[0] in WEB_LIBRARIES or target == "remun.web" or target.startswith("remun.web."))
        if bad:
            offenders[name] = bad
    assert offenders == {}, f"domain modules importing Flask or remun.web: {offenders}"


def test_no_test_module_imports_another():
    """Tests share fixtures and helpers through conftest.py and tests/helpers/, never by importing a test module."""
    offenders = {}
    for path in sorted((ROOT / "tests").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        names = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
        names |= {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}
        test_modules = sorted(name for name in names
                              if name.startswith("tests.") and name.rpartition(".")[2].startswith("test_"))
        if test_modules:
            offenders[str(path.relative_to(ROOT))] = test_modules
    assert offenders == {}, f"test modules imported by other tests (move what they share to tests/helpers): {offenders}"


def test_no_module_is_over_about_500_lines():
    """Modules are split by what they do (forms, views, helpers) before they grow past reading in one sitting."""
    long = {name: lines for name, path in MODULES.items()
            if (lines := len(path.read_text(encoding="utf-8").splitlines())) > 520}
    assert long == {}, f"modules over about 500 lines: {long}"
