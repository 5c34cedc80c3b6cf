"""What the damage steps share: settings, line spans, whole-line removals, overlap handling, and
repeating a search until the text it leaves is stable.
"""

from __future__ import annotations

import re
from dataclasses import fields
from typing import Any, TypeVar

from ...document import Edit, apply_edits, make_edit
from ...rules import RuleSet

STAGE = "damage"
T = TypeVar("T")
SPACE = " \t\u3000"


def setting(rules: RuleSet, table: str, key: str, default: Any) -> Any:
    return rules.setting(table, key, default)


def line_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each line, newline excluded."""
    spans = []
    start = 0
    for match in RE_NEWLINE.finditer(text):
        spans.append((start, match.start()))
        start = match.end()
    spans.append((start, len(text)))
    return spans


RE_NEWLINE = re.compile("\n")


Drop = tuple[int, int, str, str]  # a whole line to remove: (start, end without its line break, rule id, reason)


def line_drop_edits(text: str, drops: list[Drop]) -> list[Edit]:
    """Edits removing whole lines, each with one line break: the one after it, or — for the lines
    that end the text — the one before it (so back-to-back removals never overlap)."""
    ordered = sorted(set(drops))
    tail = len(ordered)
    cursor = len(text)
    while tail > 0 and not text[ordered[tail - 1][1] : cursor].strip("\n"):
        tail -= 1
        cursor = ordered[tail][0]
    edits = []
    for i, (start, end, rule_id, reason) in enumerate(ordered):
        if i >= tail and start > 0:
            edits.append(make_edit(STAGE, rule_id, text, start - 1, end, "", reason))
        else:
            edits.append(make_edit(STAGE, rule_id, text, start, min(end + 1, len(text)), "", reason))
    return edits


def non_overlapping(edits: list[Edit]) -> list[Edit]:
    """The edits sorted by position, dropping any that overlaps one already kept."""
    kept: list[Edit] = []
    last_end = -1
    for edit in sorted(edits, key=lambda e: (e.start, -(e.end - e.start))):
        if edit.start >= last_end and edit.end > edit.start:
            kept.append(edit)
            last_end = edit.end
    return kept


def until_stable(text: str, find: Any, rounds: int) -> list[Edit]:
    """The deletions ``find`` returns for ``text``, then for the text without them, and so on until
    nothing more is found (at most ``rounds`` looks): removing one thing changes what is around
    another, and the step run on its own output must find nothing."""
    removed: list[Edit] = find(text)
    for _ in range(rounds - 1):
        if not removed:
            break
        found = find(apply_edits(text, removed))
        if not found:
            break
        more = [piece for edit in found for piece in mapped_back(text, removed, edit)]
        removed = sorted(removed + more, key=lambda e: (e.start, e.end))
    return removed


def mapped_back(text: str, removed: list[Edit], edit: Edit) -> list[Edit]:
    """A deletion found in ``apply_edits(text, removed)`` (``removed``: sorted deletions) as
    deletions of ``text``, split around the spans already removed."""

    def original(pos: int, *, end: bool) -> int:
        shift = 0
        for r in removed:
            at = r.start - shift  # where r's span was, in the cleaned text
            if at < pos or (at == pos and not end):
                shift += r.end - r.start
            else:
                break
        return pos + shift

    start, end = original(edit.start, end=False), original(edit.end, end=True)
    pieces = []
    cursor = start
    for r in removed:
        if r.end <= cursor or r.start >= end:
            continue
        if r.start > cursor:
            pieces.append((cursor, r.start))
        cursor = max(cursor, r.end)
    if cursor < end:
        pieces.append((cursor, end))
    return [
        make_edit(STAGE, edit.rule_id, text, a, b, "", edit.reason, evidence=edit.evidence, confidence=edit.confidence)
        for a, b in pieces
    ]


def is_periodic(s: str) -> bool:
    """True if ``s`` is a shorter string repeated (``哈哈``, ``谢谢谢谢``)."""
    return (s + s).find(s, 1) < len(s)


def read_table(cls: type[T], rules: RuleSet, table: str) -> T:
    """An instance of the settings dataclass ``cls`` with each field read from ``[table]`` of the
    rule files (cast to the type of its default), the default where the table lacks it."""
    return cls(**{f.name: type(f.default)(rules.setting(table, f.name, f.default)) for f in fields(cls)})  # type: ignore[call-arg]
