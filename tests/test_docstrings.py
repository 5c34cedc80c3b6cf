"""The before/after examples in the package's docstrings run as tests (ftfy-style: an example that
drifts from what the code does fails here). Only modules whose source holds examples are run, and
each run must attempt every one of them: a module whose examples stop being found (a broken prompt,
docstrings stripped) fails instead of passing empty."""

from __future__ import annotations

import doctest
import importlib
import pkgutil
from pathlib import Path

import pytest
import regex

import docmend
import pipeline

ALL_MODULES = sorted(info.name for info in pkgutil.walk_packages(pipeline.__path__, prefix="pipeline.")) + sorted(
    ["docmend", *(i.name for i in pkgutil.walk_packages(docmend.__path__, prefix="docmend.") if i.name != "docmend.__main__")]
)
RE_PROMPT = regex.compile(r"^\s*>>>", regex.MULTILINE)
FINDER = doctest.DocTestFinder()


def prompts_in_source(name: str) -> int:
    """How many ``>>>`` lines the module's source has (what a reader sees as examples)."""
    source = Path(importlib.import_module(name).__file__ or "").read_text(encoding="utf-8")
    return len(RE_PROMPT.findall(source))


def examples_found(name: str) -> int:
    """How many examples doctest finds in the module."""
    return sum(len(test.examples) for test in FINDER.find(importlib.import_module(name), name))


MODULES = [name for name in ALL_MODULES if prompts_in_source(name)]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0, f"{name} has examples in its source but none ran"
    assert result.attempted == examples_found(name) == prompts_in_source(name), f"{name}: not every example ran"
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples in {name} fail"


def test_the_examples_are_there():
    assert len(MODULES) >= 8
    assert sum(examples_found(name) for name in MODULES) >= 20
