"""The confirming pass skips the steps that have settled (pipeline/runner.py, ``SettledSteps``).

A step is skipped when it changed nothing on the current text, or when it settled earlier (it
changed nothing, or changed the text and is declared ``settles``) and every change since is of a kind
it is declared ``unaffected_by``. These tests check that the skip changes no output, and check each
declaration on its own:

* cleaning with the skip gives the same text, edits, suggestions, warnings and metadata as cleaning
  that re-runs every step in every pass (generated documents and the real-page fixtures);
* a step declared ``settles`` has nothing left to do after one run, on every text it meets while
  cleaning;
* a step declared unaffected by ``TEXT_END_TRIMMED`` that has nothing to do on a text has nothing to
  do once the blank space at the text's end is removed.
"""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from test_properties import PROFILE, scraped_like, simplify

from pipeline.document import Edit, apply_edits
from pipeline.rules import load_rules
from pipeline.runner import (
    CLEANING_STEPS,
    TEXT_END_TRIMMED,
    Step,
    change_kind,
    clean_text,
    run_step,
)

RULES = load_rules()
ROOT = Path(__file__).resolve().parent.parent
# Real texts to check the declarations on: the sample and the tuning pages (never the held-out ones).
REAL_TEXTS = sorted(
    [ROOT / "samples" / "wangxin_scraped_diyiwenku.txt"]
    + [
        p
        for d in ("real_tuning", "real", "paragraphs_tuning")
        for p in (ROOT / "tests" / "fixtures" / d).rglob("*.txt")
    ]
)
SETTLING = [step for step in CLEANING_STEPS if step.settles]
BLIND_TO_END = [step for step in CLEANING_STEPS if TEXT_END_TRIMMED in step.unaffected_by]
trailing_blank = st.text(alphabet=" \t\u3000\n", min_size=1, max_size=4)


def _options(to_simplified: bool) -> dict:
    return {"to_simplified": True} if to_simplified else {}


def _same_cleaning(text: str, metadata: dict) -> None:
    skipping = clean_text(text, rules=RULES, metadata=metadata)
    every = clean_text(text, rules=RULES, metadata=metadata, rerun_every_step=True)
    assert skipping.text == every.text
    assert list(skipping.edits) == list(every.edits)
    assert skipping.suggestions == every.suggestions
    assert skipping.warnings == every.warnings
    assert skipping.metadata == every.metadata


@PROFILE
@given(scraped_like, simplify)
def test_skipping_settled_steps_changes_no_output(text: str, to_simplified: bool) -> None:
    _same_cleaning(text, _options(to_simplified))


@pytest.mark.parametrize("path", REAL_TEXTS, ids=lambda p: p.name)
def test_skipping_settled_steps_changes_no_output_on_real_pages(path: Path) -> None:
    _same_cleaning(path.read_text(encoding="utf-8"), {})


def _step_inputs(text: str, metadata: dict) -> list[tuple[Step, str, dict]]:
    """Each step's input text and metadata in the first two passes of cleaning ``text`` (every step run)."""
    seen = []
    metadata = dict(metadata)
    for _ in range(2):
        for step in CLEANING_STEPS:
            seen.append((step, text, copy.deepcopy(metadata)))
            edits = run_step(step, text, rules=RULES, metadata=metadata)
            if edits:
                text = apply_edits(text, edits)
    return seen


def _settles(step: Step, text: str, metadata: dict) -> None:
    metadata = copy.deepcopy(metadata)
    edits = run_step(step, text, rules=RULES, metadata=metadata)
    if edits:
        again = run_step(step, apply_edits(text, edits), rules=RULES, metadata=metadata)
        assert again == [], f"{step.name} has more to do after one run: {again[:3]}"


def _blind_to_end(step: Step, text: str, metadata: dict, blank: str) -> None:
    text = text.rstrip(" \t\u3000\n") + blank
    if not run_step(step, text, rules=RULES, metadata=copy.deepcopy(metadata)):
        trimmed = text.rstrip(" \t\u3000\n")
        assert run_step(step, trimmed, rules=RULES, metadata=copy.deepcopy(metadata)) == [], step.name


@PROFILE
@given(scraped_like, simplify)
def test_steps_declared_settling_have_nothing_left_after_one_run(text: str, to_simplified: bool) -> None:
    assert SETTLING
    for step, seen, metadata in _step_inputs(text, _options(to_simplified)):
        if step in SETTLING:
            _settles(step, seen, metadata)


@PROFILE
@given(scraped_like, simplify, trailing_blank)
def test_steps_blind_to_the_text_end_find_no_work_when_it_is_trimmed(
    text: str, to_simplified: bool, blank: str
) -> None:
    assert BLIND_TO_END
    for step, seen, metadata in _step_inputs(text, _options(to_simplified)):
        if step in BLIND_TO_END:
            _blind_to_end(step, seen, metadata, blank)


@pytest.mark.parametrize("path", REAL_TEXTS, ids=lambda p: p.name)
def test_declarations_hold_on_real_pages(path: Path) -> None:
    for step, seen, metadata in _step_inputs(path.read_text(encoding="utf-8"), {}):
        if step in SETTLING:
            _settles(step, seen, metadata)
        if step in BLIND_TO_END:
            _blind_to_end(step, seen, metadata, "\n")


def test_change_kind_names_a_trim_of_the_text_end_only() -> None:
    step = CLEANING_STEPS[-1]
    text = "第一条\n第二条 \n\n"
    end = Edit("normalise", "normalise.whitespace", 7, 10, " \n\n", "", "trailing blank space removed")
    middle = Edit("normalise", "normalise.whitespace", 3, 4, "\n", "", "line joined")
    assert change_kind(step, text, [end]) == TEXT_END_TRIMMED
    assert change_kind(step, text, [middle, end]) == step.name
    assert change_kind(step, text, [Edit("x", "y", 9, 10, "\n", "。", "not a removal")]) == step.name


def test_skipping_saves_runs_on_a_document_whose_last_change_trims_its_end() -> None:
    runs: list[str] = []

    def counted(name: str):
        def run(text: str, *, rules, metadata) -> list[Edit]:
            runs.append(name)
            if name == "trim" and text != text.rstrip("\n"):
                end = len(text.rstrip("\n"))
                return [Edit("t", "trim", end, len(text), text[end:], "", "trailing blank space removed")]
            return []

        return run

    steps = (
        Step("t", "scan", counted("scan"), unaffected_by=frozenset({TEXT_END_TRIMMED})),
        Step("t", "other", counted("other")),
        Step("t", "trim", counted("trim"), settles=True, unaffected_by=frozenset({TEXT_END_TRIMMED})),
    )
    clean_text("正文\n\n", rules=RULES, steps=steps)
    assert runs == ["scan", "other", "trim", "other"]
    runs.clear()
    clean_text("正文\n\n", rules=RULES, steps=steps, rerun_every_step=True)
    assert runs == ["scan", "other", "trim", "scan", "other", "trim"]
