"""Letter-spaced, doubled and table-of-contents lines.

    政 　 府 　 工 　 作   →   政府工作
    政政府府工工作作       →   政府工作
    第一章 总则……………………1   →   第一章 总则
"""

from __future__ import annotations

import bisect
import itertools
import re
from functools import lru_cache
from typing import Any

import numpy as np

from ...document import Edit, make_edit
from ...language import HAN_CLASS, RE_HAN
from ...pieces import PIECE_CHARS, code_units
from ...rules import RuleSet
from .shared import SPACE, STAGE, is_periodic, line_spans, non_overlapping, setting

RE_SPACED_CANDIDATE = re.compile(f"[{SPACE}]+[{HAN_CLASS}][{SPACE}]+[{HAN_CLASS}]")
RE_SPACED_LINE = re.compile(f"[{SPACE}]*((?:[{HAN_CLASS}0-9][{SPACE}]+){{2,}}[{HAN_CLASS}0-9])[{SPACE}]*")
RE_DOUBLED_LINE = re.compile(f"[{SPACE}]*((?:([^\\s])\\2)+)[{SPACE}]*")
RE_TWICE_LINE = re.compile(f"[{SPACE}]*(\\S.*?)[{SPACE}]*\\1[{SPACE}]*")
LEADER_CHARS = ".．…⋯·・•∙"
RE_LEADER = re.compile(f"[{re.escape(LEADER_CHARS)}][{re.escape(LEADER_CHARS)}{SPACE}]*[{re.escape(LEADER_CHARS)}]")
RE_TOC_TAIL = re.compile(
    f"([{SPACE}]*[{re.escape(LEADER_CHARS)}][{re.escape(LEADER_CHARS)}{SPACE}]*"
    f"(?:\\d{{1,4}}|[ivxlcIVXLC]{{1,6}})?[{SPACE}]*)$"
)
RE_SENTENCE_PUNCT = re.compile(r"[。！？；，,;!?]")


def fix_spaced_headings(text: str, *, rules: RuleSet, metadata: dict[str, Any]) -> list[Edit]:
    """Edits repairing heading lines: letter-spaced (``政 　 府``), doubled (``政政府府``, or the whole
    heading twice) and table-of-contents entries with dot leaders and page numbers.

    Only short lines (``max_heading_chars``) are touched; a dot leader counts only on a line that
    looks like a TOC entry: no sentence punctuation before the leader, and a heading marker
    (``第一章``, ``一、`` …) or at least ``min_toc_lines`` such lines in the document.

    >>> from pipeline.rules import load_rules
    >>> from pipeline.document import apply_edits
    >>> t = "目录\\n第一章 总则……………………1\\n一、指导思想.........3"
    >>> apply_edits(t, fix_spaced_headings(t, rules=load_rules(), metadata={}))
    '目录\\n第一章 总则\\n一、指导思想'
    """
    if not RE_HAN.search(text):
        return []
    max_chars = int(setting(rules, "damage_headings", "max_heading_chars", 30))
    spans = line_spans(text)
    starts = [start for start, _ in spans]

    def line_at(pos: int) -> tuple[int, int]:
        return spans[bisect.bisect_right(starts, pos) - 1]

    candidates = {line_at(m.start()) for m in RE_SPACED_CANDIDATE.finditer(text)}
    candidates.update(line_at(pos) for pos in _doubled_positions(text))
    limit = 2 * max_chars + 8
    for start, end in spans:  # a heading written twice: its first characters come again
        if 8 <= end - start <= limit:
            core = text[start:end].strip(SPACE)
            if core[:2] in core[2:]:
                candidates.add((start, end))
    edits: list[Edit] = []
    done: set[int] = set()
    for start, end in sorted(candidates):
        line = text[start:end]
        core = line.strip(SPACE)
        if len(core) > SPACED_WIDTH * max_chars:  # no short heading, even letter-spaced or doubled
            continue
        repaired, kinds = _repair_heading(core, max_chars)
        if not kinds:
            continue
        done.add(start)
        lead = len(line) - len(line.lstrip(SPACE))
        rule_id = "damage.letter-spaced-heading" if kinds == ["letter-spaced"] else "damage.doubled-heading"
        reason = "; ".join(HEADING_REASONS[kind] for kind in kinds)
        edits.append(make_edit(STAGE, rule_id, text, start + lead, start + lead + len(core), repaired, reason))
    edits.extend(_toc_entries(text, rules, done, line_at))
    return non_overlapping(edits)


SPACED_WIDTH = 6  # a letter-spaced heading takes at most this many characters per character it holds
HEADING_REASONS = {
    "letter-spaced": "letter-spaced heading closed up",
    "doubled": "heading with every character doubled (fake bold) undoubled",
    "twice": "heading written twice on one line: once kept",
}


def _repair_heading(core: str, max_chars: int) -> tuple[str, list[str]]:
    """A short line repaired until stable: letter spacing closed up, doubled characters and a
    heading written twice made single. Returns the line and what was repaired (in order)."""
    kinds: list[str] = []
    for _ in range(4):
        spaced = RE_SPACED_LINE.fullmatch(core)
        if spaced is not None:
            chars = "".join(c for c in spaced.group(1) if c not in SPACE)
            if len(chars) <= max_chars:
                core = chars
                kinds.append("letter-spaced")
                continue
        doubled = RE_DOUBLED_LINE.fullmatch(core)
        if doubled is not None:
            single = doubled.group(1)[0::2]
            if (
                3 <= len(single) <= max_chars
                and RE_HAN.search(single)
                and not any(a == b for a, b in itertools.pairwise(single))
            ):
                core = single
                kinds.append("doubled")
                continue
        twice = RE_TWICE_LINE.fullmatch(core)
        if twice is not None:
            once = twice.group(1)
            if (
                4 <= len(once) <= max_chars + 8
                and not RE_SENTENCE_PUNCT.search(once)
                and not RE_LEADER.search(once)
                and RE_HAN.search(once)
                and not is_periodic(once)
            ):
                core = once.strip(SPACE)
                kinds.append("twice")
                continue
        break
    return core, kinds


def _doubled_positions(text: str, piece_chars: int = PIECE_CHARS) -> list[int]:
    """Where three characters in a row are each written twice (``政政府府工工``), found in pieces of
    ``piece_chars`` characters that overlap by five (a hit reads the five characters after it).

    >>> _doubled_positions("标题：政政府府工工作作报告", 4)
    [3, 5]
    """
    hits: list[int] = []
    for offset in range(0, len(text), piece_chars):
        cps = code_units(text[offset : offset + piece_chars + 5])
        if len(cps) < 6:
            break
        same = cps[:-1] == cps[1:]
        found = np.flatnonzero(same[:-4] & same[2:-2] & same[4:])
        hits += (found + offset).tolist()
    return hits


def _toc_entries(text: str, rules: RuleSet, done: set[int], line_at: Any) -> list[Edit]:
    if not any(ch in text for ch in LEADER_CHARS):
        return []
    min_leader = int(setting(rules, "damage_headings", "min_leader_chars", 3))
    min_lines = int(setting(rules, "damage_headings", "min_toc_lines", 3))
    markers = toc_markers(
        tuple(setting(rules, "damage_headings", "toc_markers", [])), tuple(rules.setting("headings", "patterns", []))
    )
    candidates = []
    seen: set[int] = set()
    for match in RE_LEADER.finditer(text):
        start, end = line_at(match.start())
        if start in seen or start in done:
            continue
        seen.add(start)
        line = text[start:end]
        tail = RE_TOC_TAIL.search(line)
        if tail is None:
            continue
        leader = tail.group(1)
        if sum(ch in LEADER_CHARS for ch in leader) < min_leader:
            continue
        entry = line[: tail.start(1)].strip(SPACE)
        if not entry or len(entry) > 60 or RE_SENTENCE_PUNCT.search(entry) or not RE_HAN.search(entry):
            continue
        if RE_LEADER.search(entry):  # two entries on one line: leave it
            continue
        has_page = bool(re.search(r"[0-9ivxlcIVXLC][" + SPACE + r"]*$", leader))
        candidates.append((start, tail.start(1), end, bool(markers.match(entry)), has_page))
    edits = []
    for start, cut, end, marked, has_page in candidates:
        if not (marked or len(candidates) >= min_lines):
            continue
        if not (has_page or marked):
            continue
        done.add(start)
        reason = (
            "dot leader and page number of a table-of-contents entry removed"
            if has_page
            else ("dot leader of a table-of-contents entry removed")
        )
        edits.append(make_edit(STAGE, "damage.toc-leader", text, start + cut, end, "", reason))
    return edits


@lru_cache(maxsize=8)
def toc_markers(extra: tuple[str, ...], headings: tuple[str, ...]) -> re.Pattern[str]:
    import regex

    patterns = [*headings, *extra] or ["(?!)"]
    return regex.compile("[ \\t\\u3000]*(?:" + "|".join(f"(?:{p})" for p in patterns) + ")")
