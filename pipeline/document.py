"""The data model: a Document and the Edits that turned its input into its text.

Stages never write text; they return :class:`Edit` objects whose offsets refer to the text the
stage was given. The runner applies them (right to left), keeps them in order, and can map any
position back to the original input. The report is a view of that log.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from pipeline.errors import StageError


@dataclass(frozen=True, slots=True)
class Edit:
    """One change: replace ``text[start:end]`` (== ``before``) with ``after``.

    ``start``/``end`` are offsets in the text the stage received. ``step`` is the index of the
    stage application in the run (set by the runner), ``input_start``/``input_end`` the same span
    mapped back to the document's original input (also set by the runner).
    """

    stage: str
    rule_id: str
    start: int
    end: int
    before: str
    after: str
    reason: str
    evidence: str | None = None
    confidence: float = 1.0
    step: int = -1
    input_start: int = -1
    input_end: int = -1

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        if data["evidence"] is None:
            del data["evidence"]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Edit:
        return cls(**data)


def make_edit(
    stage: str,
    rule_id: str,
    text: str,
    start: int,
    end: int,
    after: str,
    reason: str,
    *,
    evidence: str | None = None,
    confidence: float = 1.0,
) -> Edit:
    """Build an Edit replacing ``text[start:end]`` with ``after`` (``before`` is read from text)."""
    return Edit(stage, rule_id, start, end, text[start:end], after, reason, evidence, confidence)


def check_edits(text: str, edits: Sequence[Edit], stage: str) -> list[Edit]:
    """Return the edits sorted by position; raise StageError if they overlap or do not fit text."""
    ordered = sorted(edits, key=lambda e: (e.start, e.end))
    last_end = -1
    last_start = -1
    for edit in ordered:
        if not 0 <= edit.start <= edit.end <= len(text):
            raise StageError(stage, f"edit {edit.rule_id} spans {edit.start}:{edit.end} outside the text")
        if text[edit.start : edit.end] != edit.before:
            raise StageError(stage, f"edit {edit.rule_id} at {edit.start} does not match the text it replaces")
        if edit.start < last_end or (edit.start == last_start and edit.start == edit.end):
            raise StageError(stage, f"edit {edit.rule_id} at {edit.start} overlaps another edit")
        last_end = edit.end
        last_start = edit.start
    return ordered


def apply_edits(text: str, edits: Sequence[Edit]) -> str:
    """Apply non-overlapping edits (offsets into ``text``) and return the new text.

    >>> apply_edits("ab,c", [Edit("s", "r", 2, 3, ",", "，", "")])
    'ab，c'
    """
    parts: list[str] = []
    cursor = 0
    for edit in sorted(edits, key=lambda e: (e.start, e.end)):
        parts.append(text[cursor : edit.start])
        parts.append(edit.after)
        cursor = edit.end
    parts.append(text[cursor:])
    return "".join(parts)


def replay(original: str, edits: Iterable[Edit]) -> str:
    """Re-apply a logged run to its input: edits grouped by ``step``, each group in one pass.

    This is how the report can be checked: ``replay(input, report_edits) == output``.
    """
    by_step: dict[int, list[Edit]] = {}
    for edit in edits:
        by_step.setdefault(edit.step, []).append(edit)
    text = original
    for step in sorted(by_step):
        text = apply_edits(text, by_step[step])
    return text


class OffsetMap:
    """Maps positions in a step's output back to its input, for one group of applied edits."""

    def __init__(self, edits: Sequence[Edit]) -> None:
        self._out_starts: list[int] = []
        self._out_ends: list[int] = []
        self._in_starts: list[int] = []
        self._in_ends: list[int] = []
        shift = 0
        for edit in sorted(edits, key=lambda e: (e.start, e.end)):
            out_start = edit.start + shift
            shift += len(edit.after) - (edit.end - edit.start)
            self._out_starts.append(out_start)
            self._out_ends.append(out_start + len(edit.after))
            self._in_starts.append(edit.start)
            self._in_ends.append(edit.end)

    def to_input(self, pos: int, *, end: bool = False) -> int:
        """Input offset of output offset ``pos`` (a position inside a replacement maps to its span)."""
        i = bisect.bisect_right(self._out_starts, pos) - 1
        if i < 0:
            return pos
        if pos < self._out_ends[i] or (end and pos == self._out_ends[i] and pos > self._out_starts[i]):
            return self._in_ends[i] if end else self._in_starts[i]
        if pos == self._out_starts[i] and pos == self._out_ends[i]:
            return self._in_ends[i] if end else self._in_starts[i]
        return self._in_ends[i] + (pos - self._out_ends[i])


@dataclass(slots=True)
class Document:
    """A document as read and as cleaned.

    ``original`` is the text ingest produced (the report's offsets refer to it); ``text`` the text
    after the stages ran; ``edits`` every change, in the order applied; ``metadata`` what was
    learnt on the way (title, site, encoding, page count, …).
    """

    source: str
    original: str
    text: str = ""
    edits: list[Edit] = field(default_factory=list)
    metadata: dict[str, Any] = field(default_factory=dict)
    suggestions: list[Edit] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def title(self) -> str | None:
        title = self.metadata.get("title")
        return title if isinstance(title, str) and title else None

    @property
    def paragraphs(self) -> list[str]:
        return [line for line in self.text.split("\n") if line.strip()]
