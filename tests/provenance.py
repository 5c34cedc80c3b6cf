"""An independent check of the report's input offsets: replay the log one step at a time, keeping for
every character of the text the span of the input it came from, and compare each edit's
``input_start``/``input_end`` with the span its ``before`` came from."""

from __future__ import annotations

from collections.abc import Sequence

from pipeline.document import Edit, apply_edits


def expected_input_span(spans: list[tuple[int, int]], edit: Edit, input_chars: int) -> tuple[int, int]:
    """Where ``edit.before`` came from in the input: from where its first character came from to where
    its last one did (an empty span where the text an insertion goes before came from)."""
    if edit.end > edit.start:
        return spans[edit.start][0], spans[edit.end - 1][1]
    at = spans[edit.start][0] if edit.start < len(spans) else input_chars
    return at, at


def check_input_offsets(original: str, edits: Sequence[Edit], suggestions: Sequence[Edit] = ()) -> None:
    """Assert that every edit's (and suggestion's) input span is exactly where its ``before`` came from,
    and that a ``before`` no earlier edit touched is found verbatim at its input span."""
    spans = [(i, i + 1) for i in range(len(original))]  # the input span each character came from
    untouched = [True] * len(original)
    by_step: dict[int, list[Edit]] = {}
    for edit in edits:
        by_step.setdefault(edit.step, []).append(edit)
    flags: dict[int, list[Edit]] = {}
    for flag in suggestions:
        flags.setdefault(flag.step, []).append(flag)
    text = original
    for step in sorted(by_step.keys() | flags.keys()):
        group = sorted(by_step.get(step, []), key=lambda e: (e.start, e.end))
        for edit in [*group, *flags.get(step, [])]:
            assert text[edit.start : edit.end] == edit.before, f"{edit.rule_id}: before is not the step's text"
            got = (edit.input_start, edit.input_end)
            want = expected_input_span(spans, edit, len(original))
            assert got == want, f"{edit.rule_id} {edit.before!r}: input span {got}, came from {want}"
            if all(untouched[edit.start : edit.end]) and edit.end - edit.start == got[1] - got[0]:
                assert original[got[0] : got[1]] == edit.before
        new_spans: list[tuple[int, int]] = []
        new_untouched: list[bool] = []
        cursor = 0
        for edit in group:
            new_spans += spans[cursor : edit.start]
            new_untouched += untouched[cursor : edit.start]
            new_spans += [expected_input_span(spans, edit, len(original))] * len(edit.after)
            new_untouched += [False] * len(edit.after)
            cursor = edit.end
        spans = new_spans + spans[cursor:]
        untouched = new_untouched + untouched[cursor:]
        text = apply_edits(text, group)
