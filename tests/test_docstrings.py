"""The before/after examples in the package's docstrings run as tests (ftfy-style: an example that
drifts from what the code does fails here)."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import docmend
import pipeline

MODULES = sorted(info.name for info in pkgutil.walk_packages(pipeline.__path__, prefix="pipeline.")) + sorted(
    ["docmend", *(i.name for i in pkgutil.walk_packages(docmend.__path__, prefix="docmend.") if i.name != "docmend.__main__")]
)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples in {name} fail"


def test_the_examples_are_there():
    finder = doctest.DocTestFinder()
    examples = sum(
        len(test.examples) for name in MODULES for test in finder.find(importlib.import_module(name), name)
    )
    assert examples >= 20
