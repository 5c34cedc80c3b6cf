"""Shared fixtures: the packaged rules, the shipped sample pair, a helper to run one step."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.document import apply_edits
from pipeline.rules import RuleSet, load_rules

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
SCRAPED = SAMPLES / "wangxin_scraped_diyiwenku.txt"
REFERENCE = SAMPLES / "wangxin_reference.txt"


@pytest.fixture(scope="session")
def rules() -> RuleSet:
    return load_rules()


@pytest.fixture(scope="session")
def scraped_text() -> str:
    return SCRAPED.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def reference_text() -> str:
    return REFERENCE.read_text(encoding="utf-8")


def run(step, text: str, rules: RuleSet, metadata: dict | None = None) -> str:
    """Apply one stage function's edits to text."""
    return apply_edits(text, step(text, rules=rules, metadata=metadata if metadata is not None else {}))


def assert_gone(text: str, *snippets: str) -> None:
    """Assert that none of the snippets (site chrome, boilerplate) is left in ``text``; name those that are."""
    left = [snippet for snippet in snippets if snippet in text]
    assert not left, f"still in the text: {left}"
