"""Stage 2: strip the lines and spans that document-sharing sites add around the body.

Every matcher comes from the rule files (``rules/sites/*.toml``, ``rules/common/boilerplate.toml``):
``line`` rules drop whole lines, ``span`` rules drop (or replace) text glued to the body, ``tail``
rules drop everything from a marker to the end. A header naming the document (``《X.docx》由会员分享…``)
also gives the document's title and site.

Before::

    《在调研网信工作强调要求.docx》由会员分享,可在线阅读,更多相关《在调研网信工作强调要求.docx(5页珍藏版)》请在第一文库网上搜索。
    1、在调研网信工作强调要求*月*日至*日召开的…

After::

    1、在调研网信工作强调要求*月*日至*日召开的…
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import Any

import numpy as np
import regex
from ahocorasick_rs import BytesAhoCorasick, MatchKind

from ..document import Edit, make_edit
from ..pieces import PIECE_CHARS
from ..rules import Rule, RuleSet
from .text import FILE_EXTENSIONS

STAGE = "boilerplate"
RE_FILE_SUFFIX = regex.compile(rf"\s*[.．]{FILE_EXTENSIONS}\s*$", regex.IGNORECASE)
RE_PAGE_COUNT = regex.compile(r"\s*[（(]\s*\d+\s*页[^()（）]*[)）]\s*$")


def clean_title(raw: str) -> str:
    """Title text from a header capture: file suffix and page-count note removed, and half-width
    brackets in a Chinese title made full-width (as the normalise stage will make them in the body).

    >>> clean_title("在调研网信工作强调要求.docx(5页珍藏版)")
    '在调研网信工作强调要求'
    >>> clean_title("中华人民共和国著作权法(2020修正)")
    '中华人民共和国著作权法（2020修正）'
    >>> clean_title("《linux内核》PPT课件.ppt")
    '《linux内核》PPT课件'
    """
    title = raw.strip(" \u3000")
    while title.startswith("《") and title.endswith("》") and _outer_pair(title):
        title = title[1:-1].strip(" \u3000")
    title = RE_FILE_SUFFIX.sub("", RE_PAGE_COUNT.sub("", title)).strip(" \u3000")
    if RE_HAN.search(title):
        title = title.translate(FULL_WIDTH_BRACKETS)
    return title


def _outer_pair(title: str) -> bool:
    """Whether the ``《`` opening ``title`` is closed by the ``》`` ending it (not by one inside)."""
    depth = 0
    for i, ch in enumerate(title):
        depth += (ch == "《") - (ch == "》")
        if depth == 0:
            return i == len(title) - 1
    return False


RE_HAN = regex.compile(r"\p{Han}")
FULL_WIDTH_BRACKETS = str.maketrans({"(": "（", ")": "）"})


def _line_spans(text: str) -> list[tuple[int, int, int]]:
    """(start, end without newline, end with newline) of each line."""
    spans = []
    start = 0
    length = len(text)
    while start < length:
        newline = text.find("\n", start)
        if newline == -1:
            spans.append((start, length, length))
            break
        spans.append((start, newline, newline + 1))
        start = newline + 1
    return spans


def _remember_title(rule: Rule, match: regex.Match[str], metadata: dict[str, Any]) -> None:
    if rule.title_group and not metadata.get("title"):
        captured = match.group(rule.title_group)
        if captured:
            title = clean_title(captured)
            if title:
                metadata["title"] = title
                metadata["title_source"] = rule.id
    if rule.site and not metadata.get("site"):
        metadata["site"] = rule.site


def _prefilter(rules: list[Rule], text: str) -> list[Rule]:
    """The rules that can match somewhere in ``text`` (one of their required literals occurs in it),
    found in one scan of the text for all their literals."""
    literals = tuple(sorted({lit for rule in rules if rule.literals for lit in rule.literals}))
    if not literals:
        return list(rules)
    present = {literals[index] for index, _ in literal_occurrences(literals, text)}
    return [rule for rule in rules if rule.literals is None or not present.isdisjoint(rule.literals)]


SCAN_CHARS = 1 << 18  # the automaton scans this much text at a time: its tables grow with the text


def literal_occurrences(literals: tuple[str, ...], text: str) -> Iterator[tuple[int, int]]:
    """(literal index, start) of every occurrence of the literals in ``text``, overlapping ones too.

    The scan runs over UTF-8 bytes (several times faster than over ``str``) in pieces of
    ``SCAN_CHARS`` characters that overlap by the longest literal, so that its memory stays small on
    a large text; an occurrence is reported from the piece it starts in, at its character offset.

    >>> sorted(literal_occurrences(("上传", "上传人"), "由上传人上传"))
    [(0, 1), (0, 4), (1, 1)]
    """
    automaton = _bytes_automaton(literals)
    overlap = max(map(len, literals)) - 1
    for offset in range(0, max(1, len(text)), SCAN_CHARS):
        piece = text[offset : offset + SCAN_CHARS + overlap]
        data = piece.encode("utf-8", "surrogatepass")
        found = automaton.find_matches_as_indexes(data, overlapping=True)
        if not found:
            continue
        if len(data) == len(piece):
            chars = [start for _, start, _ in found]
        else:  # byte offsets to character offsets: count the characters that start before each
            char_starts = np.flatnonzero((np.frombuffer(data, dtype=np.uint8) & 0xC0) != 0x80)
            chars = np.searchsorted(char_starts, [start for _, start, _ in found]).tolist()
        last = offset + SCAN_CHARS >= len(text)
        for (index, _, _), start in zip(found, chars, strict=True):
            if last or start < SCAN_CHARS:
                yield index, offset + start


@lru_cache(maxsize=16)
def _bytes_automaton(literals: tuple[str, ...]) -> BytesAhoCorasick:
    """An Aho-Corasick automaton of the literals' UTF-8 bytes: every occurrence of each, overlapping ones
    too, in one scan (``上传`` inside ``上传人`` is found as well)."""
    return BytesAhoCorasick([lit.encode("utf-8", "surrogatepass") for lit in literals], matchkind=MatchKind.Standard)


def _lines_by_literal(short_text: str, starts: list[int], rules: list[Rule]) -> dict[str, set[int]]:
    """For each required literal of the rules, the (short) lines holding it, in one scan."""
    literals = tuple(sorted({lit for rule in rules if rule.literals for lit in rule.literals}))
    found: dict[str, set[int]] = {lit: set() for lit in literals}
    if not literals:
        return found
    for index, start in literal_occurrences(literals, short_text):
        found[literals[index]].add(bisect.bisect_right(starts, start) - 1)
    return found


def _line_matches(
    text: str, spans: list[tuple[int, int, int]], line_rules: list[Rule], max_line: int
) -> list[tuple[int, Rule]]:
    """(line index, first rule whose pattern fully matches the trimmed line), in line order.

    Only lines of at most ``max_line`` characters are tried; they are joined into strings of about
    ``PIECE_CHARS`` characters so each rule's literals are searched once a string, over far less text
    than the whole document (and never a copy of all of it).
    """
    found: list[tuple[int, Rule]] = []
    short: list[tuple[int, str]] = []
    size = 0
    for i, (start, end, _) in enumerate(spans):
        if end - start <= max_line * 2:
            stripped = text[start:end].strip()
            if stripped and len(stripped) <= max_line:
                short.append((i, stripped))
                size += len(stripped) + 1
                if size >= PIECE_CHARS:
                    found += _short_line_matches(short, line_rules)
                    short, size = [], 0
    return found + _short_line_matches(short, line_rules)


def _short_line_matches(short: list[tuple[int, str]], line_rules: list[Rule]) -> list[tuple[int, Rule]]:
    """:func:`_line_matches` for some short lines: (line index, trimmed line) in line order."""
    if not short:
        return []
    starts = []
    offset = 0
    for _, line in short:
        starts.append(offset)
        offset += len(line) + 1
    short_text = "\n".join(line for _, line in short)
    by_literal = _lines_by_literal(short_text, starts, line_rules)
    del short_text
    chosen: dict[int, int] = {}
    for order, rule in enumerate(line_rules):
        if rule.literals is None:
            candidates: Iterable[int] = range(len(short))
        else:
            candidates = sorted(set().union(*(by_literal[lit] for lit in rule.literals)))
        for k in candidates:
            if k in chosen and chosen[k] < order:
                continue
            if rule.pattern.fullmatch(short[k][1]):
                chosen[k] = order
    return [(short[k][0], line_rules[chosen[k]]) for k in sorted(chosen)]


class _Spans:
    """Non-overlapping spans already taken by an edit, sorted, for overlap checks in O(log n)."""

    def __init__(self) -> None:
        self.starts: list[int] = []
        self.ends: list[int] = []

    def free(self, start: int, end: int) -> bool:
        """Whether ``[start, end)`` overlaps none of the spans."""
        at = bisect.bisect_right(self.starts, start)
        if at and self.ends[at - 1] > start:
            return False
        return at == len(self.starts) or self.starts[at] >= end

    def add(self, start: int, end: int) -> None:
        at = bisect.bisect_right(self.starts, start)
        self.starts.insert(at, start)
        self.ends.insert(at, end)


def strip_boilerplate(text: str, *, rules: RuleSet, metadata: dict[str, Any]) -> list[Edit]:
    """Edits removing site boilerplate; fills ``metadata['title']`` and ``metadata['site']``.

    ``line`` rules remove the whole line (and its newline) when the trimmed line fully matches;
    ``span`` rules replace each match; ``tail`` rules remove from the first match to the end.
    """
    stage_rules = rules.for_stage(STAGE)
    # line rules find their candidate lines by their literals; span and tail rules are skipped
    # outright when the text lacks their literals
    active = [r for r in stage_rules if r.kind == "line"] + _prefilter(
        [r for r in stage_rules if r.kind != "line"], text
    )
    if not active:
        return []
    taken = _Spans()
    edits: list[Edit] = []

    tail_start = len(text)
    for rule in (r for r in active if r.kind == "tail"):
        match = rule.pattern.search(text)
        if match and match.start() < tail_start:
            line_start = text.rfind("\n", 0, match.start()) + 1
            cut = line_start if not text[line_start : match.start()].strip() else match.start()
            tail_start = cut
            tail_rule = rule
    if tail_start < len(text):
        tail_start = tail_start - 1 if tail_start > 0 and text[tail_start - 1] == "\n" else tail_start
        edits.append(make_edit(STAGE, tail_rule.id, text, tail_start, len(text), "", tail_rule.description))
        taken.add(tail_start, len(text))

    line_rules = [r for r in active if r.kind == "line"]
    max_line = int(rules.setting("boilerplate", "max_line_chars", 300))
    if line_rules:
        spans = [span for span in _line_spans(text) if span[0] < tail_start]
        for i, rule in _line_matches(text, spans, line_rules, max_line):
            start, end, end_nl = spans[i]
            match = rule.pattern.fullmatch(text[start:end].strip())
            if match:
                _remember_title(rule, match, metadata)
                edits.append(make_edit(STAGE, rule.id, text, start, min(end_nl, tail_start), "", rule.description))
                taken.add(start, end_nl)

    for rule in (r for r in active if r.kind == "span"):
        for match in rule.pattern.finditer(text, 0, tail_start):
            if match.end() == match.start() or not taken.free(match.start(), match.end()):
                continue
            _remember_title(rule, match, metadata)
            replacement = match.expand(rule.replace) if rule.replace else ""
            edits.append(make_edit(STAGE, rule.id, text, match.start(), match.end(), replacement, rule.description))
            taken.add(match.start(), match.end())
    return edits
