"""Must-drop / must-keep scores of the real-page fixtures: how much chrome is left, how much body is lost.

Used by the quality gate (tests/test_real_quality_gate.py) and by ``python tests/real_scores.py`` to print the
figures of each half.
"""

from __future__ import annotations

import sys
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.rules import RuleSet, load_rules
from pipeline.runner import CLEANING_STEPS, Step, clean_text

FIXTURES = Path(__file__).parent / "fixtures"
HALVES = ("real_tuning", "real_heldout")


@dataclass
class Scores:
    """Counts over one set of pages, and which snippets failed."""

    drop_total: int = 0
    drop_left: list[tuple[str, str]] = field(default_factory=list)
    keep_total: int = 0
    keep_lost: list[tuple[str, str]] = field(default_factory=list)

    @property
    def drop_left_share(self) -> float:
        return len(self.drop_left) / self.drop_total if self.drop_total else 0.0

    def line(self) -> str:
        return (
            f"must-drop left {len(self.drop_left)}/{self.drop_total} ({self.drop_left_share:.1%}), "
            f"must-keep lost {len(self.keep_lost)}/{self.keep_total}"
        )


def pages(half: str) -> list[Path]:
    """The raw page files of one half (each has a NAME.expect.toml beside it)."""
    return sorted((FIXTURES / half).glob("*.txt"))


def expectations(page: Path) -> dict[str, list[str]]:
    return tomllib.loads(page.with_suffix(".expect.toml").read_text(encoding="utf-8"))


def score(half: str, rules: RuleSet | None = None, steps: Sequence[Step] = CLEANING_STEPS) -> Scores:
    """Clean every page of ``half`` and count the must-drop snippets left and the must-keep snippets lost."""
    rules = rules if rules is not None else load_rules()
    result = Scores()
    for page in pages(half):
        expect = expectations(page)
        text = clean_text(page.read_text(encoding="utf-8"), rules=rules, source=page.name, steps=steps).text
        result.drop_total += len(expect["must_drop"])
        result.keep_total += len(expect["must_keep"])
        result.drop_left += [(page.stem, s) for s in expect["must_drop"] if s in text]
        result.keep_lost += [(page.stem, s) for s in expect["must_keep"] if s not in text]
    return result


def main(argv: list[str]) -> int:
    """Print each half's figures; ``-v`` lists the snippets left and lost of the tuning half only (the
    held-out half is measured, never read: its snippets are never printed)."""
    verbose = "-v" in argv
    rules = load_rules()
    for half in HALVES:
        scores = score(half, rules)
        print(f"{half}: {scores.line()}")
        if verbose and half != "real_heldout":
            for name, snippet in scores.drop_left:
                print(f"  left  {name}: {snippet}")
            for name, snippet in scores.keep_lost:
                print(f"  LOST  {name}: {snippet}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
