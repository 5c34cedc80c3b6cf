"""Traditional → simplified characters with OpenCC, only when asked (``--to-simplified``);
quoted classical text keeps its characters unless ``"all"`` is asked.
"""

from __future__ import annotations

import bisect
import re
from typing import Any

import numpy as np

from ...document import Edit
from ...language import RE_HAN, bigram_log_frequencies, code_points, han_mask, opencc_converter
from ...rules import RuleSet
from .shared import RE_NEWLINE, STAGE, line_spans, setting

RE_QUOTED = re.compile(r"「[^」\n]*」|“[^”\n]*”|『[^』\n]*』")


def to_simplified(text: str, *, rules: RuleSet, metadata: dict[str, Any]) -> list[Edit]:
    """Edits converting traditional characters to simplified (OpenCC ``t2s``), one per changed run.

    Off unless ``metadata["to_simplified"]`` is true. Classical text keeps its characters — quoted
    spans (「…」 “…” 『…』) and lines whose share of classical particles (之乎者也…) reaches
    ``classical_share`` — unless ``metadata["to_simplified"] == "all"``.
    """
    mode = metadata.get("to_simplified")
    if not mode or text.isascii() or not RE_HAN.search(text):
        return []
    converter = opencc_converter(str(setting(rules, "damage_simplified", "config", "t2s")))
    converted = converter.convert(text)
    if converted == text:
        return []
    gap = int(setting(rules, "damage_simplified", "join_gap", 2))
    if len(converted) == len(text):
        runs = _changed_spans(text, converted, gap)
    else:  # a conversion changed a length somewhere: compare line by line
        runs = []
        for start, end in line_spans(text):
            line = text[start:end]
            after = converter.convert(line) if line else line
            if after == line:
                continue
            pieces = _changed_spans(line, after, gap) if len(after) == len(line) else [(0, len(line), after)]
            runs.extend((start + a, start + b, piece) for a, b, piece in pieces)
    protected: list[tuple[int, int]] = []
    if mode != "all" and runs:
        breaks = [m.start() for m in RE_NEWLINE.finditer(text)]
        line_starts = np.r_[0, np.asarray(breaks, dtype=np.int64) + 1]
        line_ends = np.r_[np.asarray(breaks, dtype=np.int64), len(text)]
        touched = np.unique(np.searchsorted(line_starts, [r[0] for r in runs], side="right") - 1)
        protected = _classical_spans(
            text,
            list(zip(line_starts[touched].tolist(), line_ends[touched].tolist(), strict=True)),
            str(setting(rules, "damage_simplified", "classical_particles", "之乎者也矣焉哉兮曰歟耶其而於乃亦蓋夫")),
            float(setting(rules, "damage_simplified", "classical_share", 0.08)),
            int(setting(rules, "damage_simplified", "classical_min_chars", 6)),
            float(setting(rules, "damage_simplified", "classical_max_known", 0.45)),
        )
    reason = "traditional characters converted to simplified"
    return [
        Edit(STAGE, "damage.to-simplified", start, end, text[start:end], after, reason)
        for start, end, after in runs
        if not (protected and _overlaps(protected, start, end))
    ]


def _changed_spans(before: str, after: str, gap: int) -> list[tuple[int, int, str]]:
    """(start, end, replacement) for each run where two equal-length strings differ; runs at most
    ``gap`` unchanged Han characters apart make one (never across punctuation, so a run never
    reaches into a quotation)."""
    a, b = code_points(before), code_points(after)
    diff = np.flatnonzero(a != b)
    if not len(diff):
        return []
    han_before = np.r_[0, np.cumsum(han_mask(a))]
    hole = np.diff(diff) - 1  # unchanged characters between two changed ones
    joinable = (hole == 0) | ((hole <= gap) & (han_before[diff[1:]] - han_before[diff[:-1] + 1] == hole))
    cuts = np.flatnonzero(~joinable)
    starts = np.r_[diff[0], diff[cuts + 1]]
    ends = np.r_[diff[cuts] + 1, diff[-1] + 1]
    return [(s, e, after[s:e]) for s, e in zip(starts.tolist(), ends.tolist(), strict=True)]


def _overlaps(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    """True if [start, end) overlaps one of the sorted, disjoint ``spans``."""
    i = bisect.bisect_left(spans, (end, -1)) - 1  # the last span starting before ``end``
    return i >= 0 and spans[i][1] > start


def _classical_spans(
    text: str, lines: list[tuple[int, int]], particles: str, share: float, min_chars: int, max_known: float
) -> list[tuple[int, int]]:
    """In the given lines: quoted spans and whole lines of classical Chinese, sorted and merged.

    Classical: enough classical particles (之乎者也…), or — for longer spans — character pairs that
    are seldom modern words (verse, classical prose without particles)."""
    cps = code_points(text)
    han = han_mask(cps)
    pairs = han[:-1] & han[1:]
    known = np.zeros(len(pairs), dtype=bool)
    known[pairs] = bigram_log_frequencies(cps[:-1][pairs], cps[1:][pairs]) > -7.0
    pairs_before = np.r_[0, np.cumsum(pairs)]
    known_before = np.r_[0, np.cumsum(known)]

    def classical(s: str, start: int, end: int) -> bool:
        han_count = len(RE_HAN.findall(s))
        if han_count < min_chars:
            return False
        count = sum(s.count(p) for p in particles)
        if count >= 2 and count >= share * han_count:
            return True
        if han_count < 2 * min_chars:
            return False
        total = int(pairs_before[max(start, end - 1)] - pairs_before[start])
        return total >= 6 and int(known_before[max(start, end - 1)] - known_before[start]) < max_known * total

    spans: list[tuple[int, int]] = []
    for start, end in lines:
        line = text[start:end]
        quoted = [(start + m.start(), start + m.end()) for m in RE_QUOTED.finditer(line)]
        spans.extend((a, b) for a, b in quoted if classical(text[a:b], a, b))
        # the line itself, its quotations left out ("孔子說：「…」" converts outside the quote)
        rest = RE_QUOTED.sub("", line) if quoted else line
        if classical(rest, start, end) and (not quoted or _particles_or_verse(rest, particles, share, min_chars)):
            spans.append((start, end))
    return _merged(spans)


def _particles_or_verse(s: str, particles: str, share: float, min_chars: int) -> bool:
    """The particle test alone (for a line whose quotations were left out: its pair counts include them)."""
    han_count = len(RE_HAN.findall(s))
    count = sum(s.count(p) for p in particles)
    return han_count >= min_chars and count >= 2 and count >= share * han_count


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out
