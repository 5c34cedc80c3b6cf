"""The suite checks itself: every test asserts something (an ``assert``, ``pytest.raises``/``warns``/
``fail``, or a call to a helper of the suite that does), so no test passes by merely running."""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent
CHECKING_CALLS = {"raises", "warns", "fail", "deprecated_call"}  # pytest.raises(...) and the like


def _called_names(node: ast.AST) -> set[str]:
    names = set()
    for call in ast.walk(node):
        if isinstance(call, ast.Call):
            func = call.func
            names.add(func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", ""))
    return names


def _checks_directly(node: ast.AST) -> bool:
    return any(isinstance(n, ast.Assert) for n in ast.walk(node)) or bool(_called_names(node) & CHECKING_CALLS)


def _functions(tree: ast.Module) -> list[ast.FunctionDef]:
    return [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]


def asserting_helpers(trees: list[ast.Module]) -> set[str]:
    """Names of the suite's functions that assert, directly or through another such function."""
    functions = [f for tree in trees for f in _functions(tree)]
    checking = {f.name for f in functions if _checks_directly(f)}
    changed = True
    while changed:
        more = {f.name for f in functions if f.name not in checking and _called_names(f) & checking}
        changed = bool(more)
        checking |= more
    return checking


def find_tests_asserting_nothing(folder: Path = TESTS) -> list[str]:
    """``file::test`` for every test function in ``folder`` that asserts nothing."""
    trees = {path: ast.parse(path.read_text(encoding="utf-8")) for path in sorted(folder.glob("*.py"))}
    helpers = asserting_helpers(list(trees.values()))
    empty = []
    for path, tree in trees.items():
        if not path.name.startswith("test_"):
            continue
        for function in _functions(tree):
            if function.name.startswith("test_") and not (
                _checks_directly(function) or _called_names(function) & helpers
            ):
                empty.append(f"{path.name}::{function.name}")
    return empty


def test_every_test_asserts_something():
    assert find_tests_asserting_nothing() == []


def test_the_scan_finds_a_test_that_asserts_nothing(tmp_path):
    (tmp_path / "helpers.py").write_text("def check(x):\n    assert x\n\ndef indirect(x):\n    check(x)\n")
    (tmp_path / "test_example.py").write_text(
        "import pytest\n"
        "def test_asserts():\n    assert 1\n"
        "def test_raises():\n    with pytest.raises(ValueError):\n        int('x')\n"
        "def test_through_a_helper():\n    indirect(1)\n"
        "def test_only_runs():\n    print(sorted([2, 1]))\n"
    )
    assert find_tests_asserting_nothing(tmp_path) == ["test_example.py::test_only_runs"]
