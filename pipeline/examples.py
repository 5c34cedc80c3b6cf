"""Run the before/after examples written in the rule files through their stages.

Each rule's examples run with that rule alone (plus the stage settings); file-level examples run
with every rule loaded. A failing example is reported with its file, rule and both texts.
"""

from __future__ import annotations

from .document import apply_edits
from .rules import Example, RuleSet


def run_example(example: Example, ruleset: RuleSet) -> str:
    """The text a rule example's ``before`` becomes when run through its stage's steps."""
    from .runner import CLEANING_STEPS, MAX_PASSES, run_step

    rules = ruleset.only(example.rule_id) if example.rule_id else ruleset
    # a rule's own examples show that rule: the generic chrome scorer (not a rule) stays out of them
    steps = [
        s for s in CLEANING_STEPS if s.stage == example.stage and not (example.rule_id and s.name == "strip_chrome")
    ]
    text = example.before
    for _ in range(MAX_PASSES):
        changed = False
        for step in steps:
            edits = run_step(step, text, rules=rules, metadata={})
            if edits:
                text = apply_edits(text, edits)
                changed = True
        if not changed:
            break
    return text


def run_examples(ruleset: RuleSet) -> list[str]:
    """One line per failing example (empty when all pass). Restore examples are run by its tests."""
    failures = []
    for example in ruleset.examples:
        if example.stage == "restore":
            continue
        got = run_example(example, ruleset)
        if got != example.after:
            where = f"{example.path.name} [{example.rule_id or 'example'}]"
            failures.append(f"{where}: {example.before!r} became {got!r}, expected {example.after!r}")
    return failures
