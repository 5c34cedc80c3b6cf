"""The run's edit log, compact: one record per rule for mass single-character substitutions.

A 10 MB scrape makes well over 100,000 edits, most of them one half-width mark made full-width.
Such an edit changes no length, so it shifts no offset and needs no offset map; kept one object
each, they cost most of the run's time and memory and most of the report. :class:`Substitutions`
holds every such edit of one step, rule and character pair as one array of positions;
:class:`EditLog` holds a run's steps (ordinary edits and substitutions) and reads as the plain
sequence of :class:`Edit` it stands for, in the order they were applied.
"""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, overload

import numpy as np
import orjson

from .document import AnyEdit, Edit, OffsetMap, Substitutions, apply_edits

MIN_GROUP = 8  # fewer substitutions of a kind stay ordinary edits (each with its context in the report)


def compact(edits: Sequence[AnyEdit]) -> tuple[list[Edit], list[Substitutions]]:
    """Split checked, sorted edits into ordinary edits and substitution groups.

    An edit joins a group when it replaces one character with one other, without evidence and at full
    confidence; a stage's :class:`Substitutions` join theirs. A group of fewer than ``MIN_GROUP``
    becomes ordinary edits (each with its context in the report).

    >>> plain, subs = compact([Edit("n", "r", i, i + 1, ",", "，", "width") for i in range(0, 20, 2)])
    >>> plain, [(s.rule_id, s.before, s.after, s.positions.tolist()) for s in subs]
    ([], [('r', ',', '，', [0, 2, 4, 6, 8, 10, 12, 14, 16, 18])])
    """
    groups: dict[tuple[str, str, str, str, str], list[np.ndarray]] = {}
    singles: dict[tuple[str, str, str, str, str], list[int]] = {}
    plain: list[Edit] = []
    for edit in edits:
        if isinstance(edit, Substitutions):
            key = (edit.stage, edit.rule_id, edit.before, edit.after, edit.reason)
            groups.setdefault(key, []).append(np.asarray(edit.positions, dtype=np.int64))
            continue
        stage, rule, start, end, before, after, reason, evidence, confidence = edit[:9]
        if end - start == 1 and len(after) == 1 and evidence is None and confidence == 1.0:
            singles.setdefault((stage, rule, before, after, reason), []).append(start)
        else:
            plain.append(edit)
    for key, positions in singles.items():
        groups.setdefault(key, []).append(np.array(positions, dtype=np.int64))
    subs = []
    returned = False
    for (stage, rule, before, after, reason), arrays in groups.items():
        positions = np.sort(np.concatenate(arrays)) if len(arrays) > 1 else arrays[0]
        if len(positions) < MIN_GROUP:
            plain.extend(Edit(stage, rule, p, p + 1, before, after, reason) for p in positions.tolist())
            returned = True
        else:
            subs.append(Substitutions(stage, rule, before, after, reason, positions))
    if returned:
        plain.sort(key=lambda e: (e.start, e.end))
    return plain, subs


class EditLog(Sequence[Edit]):
    """A run's edits, one group per step (ordinary edits and substitutions), able to map offsets back
    to the input. Reads as the sequence of every :class:`Edit`, in step order and by position."""

    def __init__(self) -> None:
        self.maps: list[OffsetMap] = []
        self.steps: list[tuple[list[Edit], list[Substitutions]]] = []
        self._count = 0
        self._flat: list[Edit] | None = None

    def to_input(self, positions: Sequence[int] | np.ndarray, *, end: bool = False) -> list[int]:
        """Offsets in the original input of offsets in the current text."""
        return self.to_input_array(np.asarray(positions, dtype=np.int64), end=end).tolist()

    def to_input_array(self, positions: np.ndarray, *, end: bool = False) -> np.ndarray:
        mapped = positions
        for offset_map in reversed(self.maps):
            mapped = offset_map.to_input_many(mapped, end=end)
        return mapped

    def located(self, edits: Sequence[Edit], step: int) -> list[Edit]:
        """The edits with ``step`` and their span in the original input filled in."""
        count = len(edits)
        starts = self.to_input(np.fromiter((e.start for e in edits), dtype=np.int64, count=count))
        ends = self.to_input(np.fromiter((e.end for e in edits), dtype=np.int64, count=count), end=True)
        make = tuple.__new__  # Edit(...) without the keyword handling: this runs once per edit
        return [
            make(Edit, (*e[:9], step, start, max(start, stop) if e.end > e.start else start))
            for e, start, stop in zip(edits, starts, ends, strict=True)
        ]

    def record(self, edits: Sequence[Edit], subs: Sequence[Substitutions] = ()) -> None:
        """Log one step's checked, sorted edits and its substitutions."""
        step = len(self.maps)
        located_subs = []
        for sub in subs:
            sub.step = step
            sub.input_positions = self.to_input_array(sub.positions)
            located_subs.append(sub)
        self.steps.append((self.located(edits, step), located_subs))
        self.maps.append(OffsetMap(edits, ordered=True))
        self._count += len(edits) + sum(len(s) for s in subs)
        self._flat = None

    def apply_and_record(self, text: str, edits: Sequence[AnyEdit]) -> str:
        """Compact a step's checked edits, apply them to ``text``, log them; return the new text."""
        plain, subs = compact(edits)
        out = apply_edits(text, [*plain, *subs])
        self.record(plain, subs)
        return out

    # --- the sequence of Edits ---------------------------------------------------------------

    def __len__(self) -> int:
        return self._count

    def __iter__(self) -> Iterator[Edit]:
        for plain, subs in self.steps:
            if not subs:
                yield from plain
            else:
                yield from heapq.merge(plain, *(s.edits() for s in subs), key=lambda e: (e.start, e.end))

    @overload
    def __getitem__(self, index: int) -> Edit: ...
    @overload
    def __getitem__(self, index: slice) -> list[Edit]: ...
    def __getitem__(self, index: int | slice) -> Edit | list[Edit]:
        if self._flat is None:
            self._flat = list(self)
        return self._flat[index]

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Sequence) and not isinstance(other, str):
            return len(self) == len(other) and list(self) == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"EditLog({len(self)} edits in {len(self.steps)} steps)"

    # --- compact views -------------------------------------------------------------------------

    def ordinary(self) -> Iterator[Edit]:
        """The edits not held as substitutions (every edit that changes a length is one)."""
        for plain, _ in self.steps:
            yield from plain

    def substitutions(self) -> Iterator[Substitutions]:
        for _, subs in self.steps:
            yield from subs

    def counts(self, key: str) -> Counter[str]:
        """How many edits per ``stage`` or per ``rule_id``, without expanding the substitutions."""
        counter: Counter[str] = Counter(getattr(e, key) for e in self.ordinary())
        for sub in self.substitutions():
            counter[getattr(sub, key)] += len(sub)
        return counter


def length_changing(edits: Iterable[Edit]) -> Iterable[Edit]:
    """The edits that may change a length: all of them, unless ``edits`` is an :class:`EditLog`."""
    return edits.ordinary() if isinstance(edits, EditLog) else edits


def as_json(sub: Substitutions) -> bytes:
    """The JSON of :func:`as_dict` (as ``orjson.dumps`` writes it), made from the position arrays
    themselves: no list of Python integers, 40 bytes each, for a group of 100,000 positions."""
    record = as_dict(sub, arrays=True)
    for key in ("positions", "input_positions"):
        if record[key] is not None:
            record[key] = np.ascontiguousarray(record[key], dtype=np.int64)
    return orjson.dumps(record, option=orjson.OPT_SERIALIZE_NUMPY)


def as_dict(sub: Substitutions, *, arrays: bool = False) -> dict[str, Any]:
    """The report record of a substitution group (its positions as lists, or as the arrays with ``arrays``)."""
    return {
        "stage": sub.stage,
        "rule": sub.rule_id,
        "before": sub.before,
        "after": sub.after,
        "reason": sub.reason,
        "step": sub.step,
        "count": len(sub),
        "positions": sub.positions if arrays else sub.positions.tolist(),
        "input_positions": (
            None if sub.input_positions is None else sub.input_positions if arrays else sub.input_positions.tolist()
        ),
    }
