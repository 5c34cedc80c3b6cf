"""The data model: a Document and the Edits that turned its input into its text.

Stages never write text; they return :class:`Edit` objects whose offsets refer to the text the
stage was given. The runner applies them (right to left), keeps them in order, and can map any
position back to the original input. The report is a view of that log.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np

from pipeline.errors import StageError


class Edit(NamedTuple):
    """One change: replace ``text[start:end]`` (== ``before``) with ``after``.

    ``start``/``end`` are offsets in the text the stage received. ``step`` is the index of the
    stage application in the run (set by the runner), ``input_start``/``input_end`` the same span
    mapped back to the document's original input (also set by the runner). A NamedTuple, not a
    dataclass: a large document makes hundreds of thousands of them.
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
        data = self._asdict()
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
    """Maps positions in a step's output back to its input, for one group of applied edits.

    A position inside a replacement maps to the start of the replaced span (or its end, for the
    end of a span); positions between edits shift by the length change of the edits before them.
    """

    def __init__(self, edits: Sequence[Edit], *, ordered: bool = False) -> None:
        """``ordered``: the edits are already sorted by position (as :func:`check_edits` returns them)."""
        if not ordered:
            edits = sorted(edits, key=lambda e: (e.start, e.end))
        count = len(edits)
        in_starts = np.fromiter((e.start for e in edits), dtype=np.int64, count=count)
        in_ends = np.fromiter((e.end for e in edits), dtype=np.int64, count=count)
        new_lengths = np.fromiter((len(e.after) for e in edits), dtype=np.int64, count=count)
        shift_before = np.concatenate(([0], np.cumsum(new_lengths - (in_ends - in_starts))[:-1]))
        self._in_starts = in_starts
        self._in_ends = in_ends
        self._out_starts = in_starts + shift_before
        self._out_ends = self._out_starts + new_lengths

    def to_input_many(self, positions: np.ndarray, *, end: bool = False) -> np.ndarray:
        """Input offsets of many output offsets at once."""
        if not len(self._out_starts):
            return positions
        i = np.searchsorted(self._out_starts, positions, side="right") - 1
        valid = i >= 0
        k = np.clip(i, 0, None)
        out_start, out_end = self._out_starts[k], self._out_ends[k]
        inside = (positions < out_end) | ((positions == out_start) & (positions == out_end))
        if end:
            inside |= (positions == out_end) & (positions > out_start)
        mapped_inside = self._in_ends[k] if end else self._in_starts[k]
        mapped = np.where(inside, mapped_inside, self._in_ends[k] + (positions - out_end))
        return np.where(valid, mapped, positions)

    def to_input(self, pos: int, *, end: bool = False) -> int:
        """Input offset of output offset ``pos``."""
        return int(self.to_input_many(np.array([pos], dtype=np.int64), end=end)[0])


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
    edits: Sequence[Edit] = field(default_factory=list)
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
