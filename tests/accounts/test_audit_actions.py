"""Audit actions are declared in one table (remun/accounts/audit.py ``ACTIONS``), with their words.

The audit log page shows an action's words from that table, so an action
written anywhere but missing from it would show as a bare code, and a table
filled in at import time would depend on which modules happened to be
imported. These tests read the source (ast) rather than running every path.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from remun.accounts import audit

REMUN = Path(__file__).resolve().parents[2] / "remun"

#: The functions that write an audit event, and where their ``action`` argument is. Functions that pass
#: one of their own parameters on as the action (the views' and commands' helpers) are found below.
WRITERS = {"record": 2, "record_for": 2, "record_when_deleted": 2}


def _modules() -> list[tuple[Path, ast.Module]]:
    return [(path, ast.parse(path.read_text(encoding="utf-8"), str(path))) for path in sorted(REMUN.rglob("*.py"))]


def _name(call: ast.Call) -> str | None:
    func = call.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def _argument(call: ast.Call, position: int, keyword: str | None) -> ast.expr | None:
    for given in call.keywords:
        if given.arg == keyword:
            return given.value
    if position < len(call.args) and not any(isinstance(arg, ast.Starred) for arg in call.args[:position + 1]):
        return call.args[position]
    return None


def _writers(modules) -> dict[str, tuple[int, str | None]]:
    """``WRITERS`` and every function that hands one of its parameters to a writer as the action."""
    writers: dict[str, tuple[int, str | None]] = {name: (position, "action") for name, position in WRITERS.items()}
    changed = True
    while changed:
        changed = False
        for _path, tree in modules:
            for function in ast.walk(tree):
                if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)) or function.name in writers:
                    continue
                parameters = [arg.arg for arg in function.args.posonlyargs + function.args.args]
                for call in ast.walk(function):
                    if not isinstance(call, ast.Call) or _name(call) not in writers:
                        continue
                    position, keyword = writers[_name(call)]
                    action = _argument(call, position, keyword)
                    if isinstance(action, ast.Name) and action.id in parameters:
                        writers[function.name] = (parameters.index(action.id), action.id)
                        changed = True
                        break
    return writers


def _constants(node: ast.expr | None, function: ast.AST | None) -> list[str] | None:
    """The strings ``node`` can be: a literal, either side of ``a if c else b``, or a local set so."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        body, orelse = _constants(node.body, function), _constants(node.orelse, function)
        return None if body is None or orelse is None else body + orelse
    if isinstance(node, ast.Name) and function is not None:
        found: list[str] = []
        for assign in ast.walk(function):
            if isinstance(assign, ast.Assign) and any(isinstance(t, ast.Name) and t.id == node.id
                                                      for t in assign.targets):
                values = _constants(assign.value, None)
                if values is None:
                    return None
                found += values
        return found or None
    return None


def written_actions() -> tuple[dict[str, list[str]], list[str]]:
    """Every action code written in remun/ (code -> where), and calls whose action could not be read."""
    modules = _modules()
    writers = _writers(modules)
    found: dict[str, list[str]] = {}
    unread: list[str] = []
    for path, tree in modules:
        if path == REMUN / "accounts" / "audit.py":
            continue  # the log itself only passes on the actions it is given
        functions = [node for node in ast.walk(tree) if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))]
        enclosing = {id(call): function for function in functions for call in ast.walk(function)}
        for call in ast.walk(tree):
            if not isinstance(call, ast.Call) or _name(call) not in writers:
                continue
            function = enclosing.get(id(call))
            position, keyword = writers[_name(call)]
            action = _argument(call, position, keyword)
            where = f"{path.relative_to(REMUN.parent)}:{call.lineno}"
            if isinstance(action, ast.Name) and function is not None and action.id == writers.get(function.name, (0, None))[1]:
                continue  # a helper passing its own parameter on: its callers are checked instead
            values = _constants(action, function)
            if values is None:
                unread.append(where)
                continue
            for value in values:
                found.setdefault(value, []).append(where)
    return found, unread


#: Action codes made at run time, which the reading above cannot follow, with the ones they can be.
#: ``viewed`` in remun/project_records/operations.py writes "<object type>.viewed"; it is used for people only.
COMPUTED = {"remun/project_records/operations.py": {"person.viewed"}}


def test_the_source_is_read_for_actions():
    found, _unread = written_actions()
    # The reading finds actions written in each layer: a view's helper, a command's helper and domain code.
    assert "budget.created" in found and "claim.rejected" in found
    assert "batch.created" in found and "user.invited" in found and "user.reset_link" in found


def test_every_action_written_is_in_the_table():
    found, unread = written_actions()
    missing = {code: where for code, where in found.items() if code not in audit.ACTIONS}
    assert not missing, f"audit actions written but not declared in remun/accounts/audit.py ACTIONS: {missing}"
    unexplained = [where for where in unread if where.split(":")[0] not in COMPUTED]
    assert not unexplained, f"audit actions that cannot be read from the source (add them to COMPUTED): {unexplained}"
    for codes in COMPUTED.values():
        assert codes <= set(audit.ACTIONS)


def test_every_action_in_the_table_has_words():
    for code, words in audit.ACTIONS.items():
        assert code.count(".") == 1 and code == code.lower(), code
        assert isinstance(words, str) and words.strip(), code


def _is_actions(node: ast.expr) -> bool:
    return (isinstance(node, ast.Name) and node.id == "ACTIONS") or \
        (isinstance(node, ast.Attribute) and node.attr == "ACTIONS")


def test_no_module_adds_actions_at_import_time():
    for path, tree in _modules():
        if path == REMUN / "accounts" / "audit.py":
            continue
        for node in ast.walk(tree):
            target = None
            if isinstance(node, ast.Attribute) and _is_actions(node.value) \
                    and node.attr in ("setdefault", "update", "__setitem__"):
                target = node
            elif isinstance(node, (ast.Assign, ast.AugAssign)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                if any(isinstance(t, ast.Subscript) and _is_actions(t.value) for t in targets):
                    target = node
            assert target is None, f"{path}:{node.lineno} adds to audit.ACTIONS; declare the action in the table"


@pytest.mark.parametrize("code", ["budget.created", "reciprocity.chosen", "receipt.viewed"])
def test_actions_once_added_on_import_are_in_the_table_without_those_imports(code):
    # In a fresh interpreter that imports only the audit module, the table already has them.
    import subprocess
    import sys

    script = f"from remun.accounts.audit import ACTIONS; import sys; sys.exit(0 if {code!r} in ACTIONS else 1)"
    assert subprocess.run([sys.executable, "-c", script], check=False).returncode == 0
