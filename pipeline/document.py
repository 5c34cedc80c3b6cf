"""The data model: a Document and the Edits that turned its input into its text.

Stages never write text; they return :class:`Edit` objects whose offsets refer to the text the
stage was given. The runner applies them (right to left), keeps them in order, and can map any
position back to the original input. The report is a view of that log.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np

from .errors import StageError
from .pieces import code_units, replaced_units


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


@dataclass(slots=True, eq=False)
class Substitutions:
    """Many one-character edits of one rule at once: ``before`` replaced by ``after`` (one character
    each) at every offset in ``positions`` (sorted, in the text the stage received).

    What a stage returns, beside :class:`Edit`, for a change it makes at tens of thousands of places
    (a half-width comma made full-width): no length changes, so nothing to map, one record to keep.
    ``step`` and ``input_positions`` (the positions in the document's input) are set by the runner.
    """

    stage: str
    rule_id: str
    before: str
    after: str
    reason: str
    positions: np.ndarray
    step: int = -1
    input_positions: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.positions)

    def edits(self) -> Iterator[Edit]:
        """The ordinary edits these stand for, by position.

        >>> [e[:6] for e in Substitutions("s", "r", ",", "，", "", np.array([1, 3])).edits()]
        [('s', 'r', 1, 2, ',', '，'), ('s', 'r', 3, 4, ',', '，')]
        """
        inputs = self.input_positions if self.input_positions is not None else np.full(len(self.positions), -1)
        fields = (self.stage, self.rule_id)
        tail = (self.before, self.after, self.reason, None, 1.0, self.step)
        make = tuple.__new__
        for pos, at in zip(self.positions.tolist(), inputs.tolist(), strict=True):
            yield make(Edit, (*fields, pos, pos + 1, *tail, at, at + 1 if at >= 0 else -1))


AnyEdit = Edit | Substitutions


def _code_points(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


def split_substitutions(edits: Iterable[AnyEdit]) -> tuple[list[Edit], list[Substitutions]]:
    """The ordinary edits and the :class:`Substitutions` of a stage's result, apart."""
    plain: list[Edit] = []
    subs: list[Substitutions] = []
    for edit in edits:
        (subs if isinstance(edit, Substitutions) else plain).append(edit)  # type: ignore[arg-type]
    return plain, subs


def check_edits(text: str, edits: Sequence[AnyEdit], stage: str) -> list[AnyEdit]:
    """Return the edits sorted by position (any :class:`Substitutions` after them); raise StageError if
    they overlap or do not fit text."""
    plain, subs = split_substitutions(edits)
    ordered: list[AnyEdit] = sorted(plain, key=lambda e: (e.start, e.end))
    last_end = -1
    last_start = -1
    for edit in ordered:
        if not 0 <= edit.start <= edit.end <= len(text):  # type: ignore[union-attr]
            raise StageError(stage, f"edit {edit.rule_id} spans {edit.start}:{edit.end} outside the text")  # type: ignore[union-attr]
        if text[edit.start : edit.end] != edit.before:  # type: ignore[union-attr]
            raise StageError(stage, f"edit {edit.rule_id} at {edit.start} does not match the text it replaces")  # type: ignore[union-attr]
        if edit.start < last_end or (edit.start == last_start and edit.start == edit.end):  # type: ignore[union-attr]
            raise StageError(stage, f"edit {edit.rule_id} at {edit.start} overlaps another edit")  # type: ignore[union-attr]
        last_end = edit.end  # type: ignore[union-attr]
        last_start = edit.start  # type: ignore[union-attr]
    if subs:
        _check_substitutions(text, ordered, subs, stage)  # type: ignore[arg-type]
    return [*ordered, *subs]


def _check_substitutions(text: str, plain: list[Edit], subs: list[Substitutions], stage: str) -> None:
    cps = code_units(text)  # 16-bit where the text allows: half the memory of its code points
    for sub in subs:
        positions = sub.positions
        if len(sub.before) != 1 or len(sub.after) != 1:
            raise StageError(stage, f"substitution {sub.rule_id} is not one character for one")
        if len(positions) and (positions[0] < 0 or positions[-1] >= len(cps) or np.any(np.diff(positions) <= 0)):
            raise StageError(stage, f"substitution {sub.rule_id}: positions unsorted or outside the text")
        if np.any(cps[positions].astype(np.uint32) != ord(sub.before)):
            raise StageError(stage, f"substitution {sub.rule_id} does not match the text it replaces")
    del cps
    taken = np.sort(np.concatenate([sub.positions for sub in subs]))
    if np.any(taken[1:] == taken[:-1]):
        raise StageError(stage, "two substitutions at one position")
    if plain and len(taken):
        starts = np.fromiter((e.start for e in plain), dtype=np.int64, count=len(plain))
        ends = np.fromiter((e.end for e in plain), dtype=np.int64, count=len(plain))
        i = np.searchsorted(starts, taken, side="right") - 1
        if np.any((i >= 0) & (taken < ends[np.clip(i, 0, None)])):
            raise StageError(stage, "a substitution overlaps another edit")


def apply_edits(text: str, edits: Sequence[AnyEdit]) -> str:
    """Apply non-overlapping edits (offsets into ``text``) and return the new text.

    >>> apply_edits("ab,c", [Edit("s", "r", 2, 3, ",", "，", "")])
    'ab，c'
    """
    plain, subs = split_substitutions(edits)
    if subs:
        replaced = replaced_units(text, [sub.positions for sub in subs], [sub.after for sub in subs])
        if replaced is None:  # a character outside the BMP (or a lone surrogate): 32-bit code points
            cps = _code_points(text).copy()
            for sub in subs:
                cps[sub.positions] = ord(sub.after)
            replaced = cps.tobytes().decode("utf-32-le", "surrogatepass")
        text = replaced
    parts: list[str] = []
    cursor = 0
    for edit in sorted(plain, key=lambda e: (e.start, e.end)):
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

    >>> offsets = OffsetMap([Edit("s", "r", 2, 3, ",", "，", ""), Edit("s", "r", 4, 6, "xx", "", "")])
    >>> offsets.to_input(2), offsets.to_input(2, end=True), offsets.to_input(4), offsets.to_input(4, end=True)
    (2, 2, 6, 4)
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
        """Input offsets of many output offsets at once.

        A start maps to where the character at it came from, an end to where the character before
        it came from: text deleted next to a span stays outside it.
        """
        if not len(self._out_starts):
            return positions
        chars = positions - 1 if end else positions
        i = np.searchsorted(self._out_starts, chars, side="right") - 1
        valid = i >= 0
        k = np.clip(i, 0, None)
        out_end = self._out_ends[k]
        inside = chars < out_end  # the character is part of edit k's replacement
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

    def iter_paragraphs(self) -> Iterator[str]:
        """The :attr:`paragraphs` one at a time, without a list of them all (a copy of a long text).

        >>> list(Document("s", "", text="一\\n\\n 二\\n").iter_paragraphs())
        ['一', ' 二']
        """
        text = self.text
        start = 0
        while start <= len(text):
            end = text.find("\n", start)
            end = len(text) if end == -1 else end
            line = text[start:end]
            if line and not line.isspace():
                yield line
            start = end + 1

    @property
    def paragraph_count(self) -> int:
        """How many :attr:`paragraphs` there are (counted, not listed)."""
        return sum(1 for _ in self.iter_paragraphs())
