"""The before/after examples in the package's docstrings run as tests (ftfy-style: an example that
drifts from what the code does fails here). Only modules that have examples are run, and each run
must attempt them: a module whose examples stop being found fails instead of passing empty."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import pipeline

ALL_MODULES = sorted(info.name for info in pkgutil.walk_packages(pipeline.__path__, prefix="pipeline."))
FINDER = doctest.DocTestFinder()


def examples_in(name: str) -> int:
    """How many docstring examples the module ``name`` holds."""
    return sum(len(test.examples) for test in FINDER.find(importlib.import_module(name), name))


MODULES = [name for name in ALL_MODULES if examples_in(name)]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted == examples_in(name) > 0, f"{name}: {result.attempted} examples run"
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples in {name} fail"


def test_the_examples_are_there():
    assert len(MODULES) >= 8
    assert sum(examples_in(name) for name in MODULES) >= 20
