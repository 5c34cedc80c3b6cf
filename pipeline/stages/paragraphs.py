"""Stage 4: repair paragraphs — one paragraph per line, the title first.

Two steps, each returning edits:

* :func:`join_broken_lines` rejoins lines that the page width broke::

      当前，互联网已成为意识形态斗争的主     →   当前，互联网已成为意识形态斗争的主阵地、…
      阵地、文化繁荣发展的新空间…

* :func:`split_paragraphs` splits flattened text at headings, between a heading and the body glued
  to it, and after the title::

      在调研网信工作强调要求1月4日召开的…。一、深刻认识…   →   在调研网信工作强调要求
                                                            1月4日召开的…。
                                                            一、深刻认识…

  Without any heading, flattened text is also split at the document's own cues (a salutation, a
  lead-in, enumerated paragraphs, paragraph openers): see :mod:`pipeline.stages.paragraph_cues`;
  then between sentences where a small model of paragraph length and sentence starts and ends finds
  a paragraph break likely: see :mod:`pipeline.stages.paragraph_model` (off by default); then, in a run
  far longer than the document's typical paragraph, at the sentence ends that best fit that length:
  see :mod:`pipeline.stages.paragraph_lengths` (not with a reference, whose breaks win).

Heading patterns, paragraph-opening phrases and layout thresholds come from
``rules/common/paragraphs.toml``.
"""

from __future__ import annotations

import bisect
import dataclasses
import re
from collections import Counter
from functools import lru_cache
from typing import Any

import regex

from ..document import Edit, make_edit
from ..rules import RuleSet
from .paragraph_cues import cue_paragraph_starts
from .paragraph_lengths import Typical, length_paragraph_starts, length_prior, typical_paragraph
from .paragraph_model import model_paragraph_starts, surviving_paragraph_chars
from .text import FILE_EXTENSIONS, joiner

STAGE = "paragraphs"
RE_BODY = regex.compile(r"[\p{Han}\p{L}\p{N}]")
RE_PUNCT = re.compile(r"[，。！？；：,.!?;:]")


@lru_cache(maxsize=16)
def _heading_patterns(
    patterns: tuple[str, ...], inline: tuple[int, ...], split_after: str
) -> tuple[regex.Pattern[str], regex.Pattern[str] | None]:
    at_start = regex.compile(r"[ \t\u3000]*(?:" + "|".join(f"(?:{p})" for p in patterns) + ")")
    chosen = [patterns[i] for i in inline if 0 <= i < len(patterns)]
    if not chosen:
        return at_start, None
    ends = regex.escape(split_after)
    inline_re = regex.compile(
        rf"(?<=[{ends}]|[。！？]”)[ \t\u3000]*(?=(?:" + "|".join(f"(?:{p})" for p in chosen) + "))"
    )
    return at_start, inline_re


def heading_patterns(rules: RuleSet) -> tuple[regex.Pattern[str], regex.Pattern[str] | None]:
    """(heading at a line start, inline split point before a heading) compiled from the rules."""
    return _heading_patterns(
        tuple(rules.setting("headings", "patterns", [])),
        tuple(rules.setting("headings", "inline", [])),
        rules.setting("headings", "split_after", "。！？；"),
    )


def _line_bounds(text: str) -> list[tuple[int, int]]:
    bounds = []
    start = 0
    for line in text.split("\n"):
        bounds.append((start, start + len(line)))
        start += len(line) + 1
    return bounds


def _common_width(lengths: list[int], rules: RuleSet) -> int | None:
    """The width a layout wrapped lines at, if the lines show one clearly."""
    min_chars = int(rules.setting("layout", "min_line_chars", 10))
    long_lines = [n for n in lengths if n >= min_chars]
    if len(long_lines) < int(rules.setting("layout", "min_lines", 4)):
        return None
    counts = Counter(long_lines)
    width, _ = max(counts.items(), key=lambda kv: (sum(counts.get(kv[0] + d, 0) for d in range(-2, 3)), kv[0]))
    near = sum(counts.get(width + d, 0) for d in range(-2, 3))
    if near < float(rules.setting("layout", "min_width_share", 0.3)) * len(long_lines) or near < 2:
        return None
    if width > int(rules.setting("layout", "max_width", 120)):
        return None
    longer = sum(1 for n in long_lines if n > width + 2)  # a page width wraps every line at or before it
    if longer > float(rules.setting("layout", "max_longer_share", 0.25)) * len(long_lines):
        return None
    return max(n for n in long_lines if abs(n - width) <= 2)


RE_CLAUSE_MARK = regex.compile(r"[，。；：！？,;:!?]")


def join_broken_lines(text: str, *, rules: RuleSet, metadata: dict[str, Any]) -> list[Edit]:
    """Edits joining lines the layout broke: a full-width line, or one ending mid-clause, continues.

    Never joins into or out of a heading, the title, an indented line or a line that ends a sentence.
    """
    bounds = _line_bounds(text)
    if len(bounds) < 2:
        return []
    lines = [text[s:e] for s, e in bounds]
    heading_at_start, _ = heading_patterns(rules)
    sentence_end = rules.setting("punctuation", "sentence_end", "。！？；：…”’」』）)】!?;:.")
    continues_after = rules.setting("layout", "continues_after", "，、,")
    indent = tuple(rules.setting("layout", "indent", ["\u3000", "  ", "\t"]))
    width = _common_width([len(line.strip()) for line in lines], rules)
    full_share = float(rules.setting("layout", "full_line_share", 0.8))
    title = (metadata.get("title") or "").strip()
    edits = []
    for i in range(len(lines) - 1):
        left = lines[i].rstrip()
        right = lines[i + 1]
        if not left.strip() or not right.strip() or left.strip() == title:
            continue
        if right.startswith(indent) or (heading_at_start.match(right) and _is_heading_line(right, heading_at_start)):
            continue
        if left[-1] in sentence_end:
            continue
        # a line longer than the page width was not wrapped by it
        full = width is not None and full_share * width <= len(left.strip()) <= width
        if not (full or left[-1] in continues_after):
            continue
        if i == 0 and not title and not RE_CLAUSE_MARK.search(left):
            continue  # a first line without a clause in it reads as the title (as this cleaner writes it)
        if _is_heading_line(left, heading_at_start):
            continue
        start = bounds[i][0] + len(left)
        end = bounds[i + 1][0] + (len(right) - len(right.lstrip()))
        reason = "line broken by the page width rejoined" if full else "line broken mid-clause rejoined"
        edits.append(
            make_edit(STAGE, "paragraphs.join-layout-line", text, start, end, joiner(left, right.lstrip()), reason)
        )
    return edits


def _is_heading_line(line: str, heading_at_start: regex.Pattern[str]) -> bool:
    stripped = line.strip()
    return bool(heading_at_start.match(stripped)) and len(stripped) <= 60 and "。" not in stripped[:-1]


def split_paragraphs(text: str, *, rules: RuleSet, metadata: dict[str, Any]) -> list[Edit]:
    """Edits inserting paragraph breaks: before inline headings, after a heading glued to its body,
    and after the title; the title is put first when the body lacks it."""
    edits: list[Edit] = []
    heading_at_start, heading_inline = heading_patterns(rules)
    openers = rules.setting("openers", "phrases", [])
    title = (metadata.get("title") or "").strip()
    taken: set[int] = set()

    def add(pos: int, end: int, rule_id: str, reason: str) -> None:
        if pos in taken or pos <= 0 or pos >= len(text):
            return
        taken.add(pos)
        edits.append(make_edit(STAGE, rule_id, text, pos, end, "\n", reason))

    if title and RE_BODY.search(text) and _title_edits(text, title, add, edits, insert=TITLE_INSERTED not in metadata):
        metadata[TITLE_INSERTED] = True
    if heading_inline is not None:
        for match in heading_inline.finditer(text):
            if text[match.start() - 1] != "\n":
                add(match.start(), match.end(), "paragraphs.split-at-heading", "a heading starts a new paragraph")
    for pos, rule_id, reason in _parallel_sentence_starts(text, rules):
        add(pos, pos, rule_id, reason)
    bounds = _line_bounds(text)
    for pos, reason in _bullet_starts(text, bounds, rules):
        add(pos, pos, "paragraphs.split-at-bullet", reason)
    split_points = sorted(taken)
    for start, end in bounds:
        _split_heading_body(text, start, end, split_points, heading_at_start, openers, add, rules)
    body_start = _body_start(text, title)
    if PARAGRAPH_CHARS not in metadata:  # measured once, before this stage's own breaks can count as kept ones
        metadata[PARAGRAPH_CHARS] = surviving_paragraph_chars(text)
    typical = metadata[PARAGRAPH_CHARS]
    cues = cue_paragraph_starts(
        text,
        rules=rules,
        heading_at_start=heading_at_start,
        split_points=sorted(taken),
        body_start=body_start,
        typical=typical,
    )
    for pos, rule_id, reason in cues:
        add(pos, pos, rule_id, reason)
    known = sorted(taken)
    model_starts = model_paragraph_starts(text, rules=rules, known=known, body_start=body_start, typical=typical)
    for pos, rule_id, reason in model_starts:
        add(pos, pos, rule_id, reason)
    prior = length_prior(rules)
    if prior is not None and not metadata.get(REFERENCE_GIVEN):  # with a reference, its breaks win
        known = sorted(taken)
        if LENGTH_TYPICAL not in metadata:  # measured once, before these breaks could count
            metadata[LENGTH_TYPICAL] = list(dataclasses.astuple(typical_paragraph(text, known, body_start, prior)))
        typical_now = Typical(*metadata[LENGTH_TYPICAL])
        for pos, rule_id, reason in length_paragraph_starts(
            text, rules=rules, known=known, body_start=body_start, typical=typical_now
        ):
            add(pos, pos, rule_id, reason)
    return edits


def _body_start(text: str, title: str) -> int:
    """Where the body starts: after the title when the text opens with it, else at the first character."""
    lead = RE_LEAD.match(text).end()  # type: ignore[union-attr]
    if title and _same_title(text[lead : lead + len(title)], title):
        return lead + len(title)
    return lead


def _bullet_starts(text: str, bounds: list[tuple[int, int]], rules: RuleSet) -> list[tuple[int, str]]:
    """Where a flattened bullet list starts its items: before each bullet of a line that holds at least
    ``min_count`` of them, each followed by ``min_chars`` or more characters (``本次培训旨在•提高…•规范…•优化…``).
    Two or three dots between names (``让•雅克•卢梭``) are no list."""
    marks = str(rules.setting("bullets", "marks", ""))
    if not marks or not any(mark in text for mark in marks):
        return []
    min_count = int(rules.setting("bullets", "min_count", 3))
    min_chars = int(rules.setting("bullets", "min_chars", 4))
    bullet = regex.compile(f"[{regex.escape(marks)}]")
    found: list[tuple[int, str]] = []
    for start, end in bounds:
        positions = [m.start() for m in bullet.finditer(text, start, end)]
        if len(positions) < min_count:
            continue
        items = [*positions, end]
        if all(items[k + 1] - items[k] - 1 >= min_chars for k in range(len(positions))):
            reason = f"one of {len(positions)} bullets of a flattened list: each item opens a paragraph"
            found.extend((pos, reason) for pos in positions if pos > start)
    return found


RE_SENTENCE_START = regex.compile(r"(?<=[。！？](?:[”’」』])?)(?=[^\n])")


def _parallel_sentence_starts(text: str, rules: RuleSet) -> list[tuple[int, str, str]]:
    """Starts of sentences that evidently open paragraphs: parallel lead or topic sentences."""
    found: list[tuple[int, str, str]] = []
    patterns = tuple(rules.setting("lead_sentences", "patterns", []))
    min_leads = int(rules.setting("lead_sentences", "min_count", 3))
    for pattern in _compiled(patterns):
        starts = [m.start() for m in pattern.finditer(text) if _after_sentence_end(text, m.start())]
        if len(starts) >= min_leads:
            reason = f"one of {len(starts)} parallel lead sentences: each opens a paragraph"
            found.extend((pos, "paragraphs.split-lead-sentence", reason) for pos in starts)
    prefix_chars = int(rules.setting("parallel_sentences", "prefix_chars", 6))
    max_chars = int(rules.setting("parallel_sentences", "max_chars", 40))
    min_count = int(rules.setting("parallel_sentences", "min_count", 3))
    groups: dict[str, list[int]] = {}
    for match in RE_SHORT_SENTENCE.finditer(text):
        sentence = match.group(1)
        if len(sentence) <= max_chars:
            groups.setdefault(sentence[:prefix_chars], []).append(match.start(1))
    for prefix, starts in groups.items():
        if len(starts) >= min_count and len(prefix) == prefix_chars and regex.fullmatch(r"\p{Han}+", prefix):
            reason = f"one of {len(starts)} parallel topic sentences opening with {prefix!r}: each opens a paragraph"
            found.extend((pos, "paragraphs.split-parallel-sentence", reason) for pos in starts)
    return found


# a sentence with no comma inside, right after the end of another (stdlib re: a fast scan)
RE_SHORT_SENTENCE = re.compile(r"[。！？](?=([^，,；;。！？\n]{4,80}[。！？]))")


@lru_cache(maxsize=16)
def _compiled(patterns: tuple[str, ...]) -> tuple[regex.Pattern[str], ...]:
    return tuple(regex.compile(p) for p in patterns)


def _after_sentence_end(text: str, pos: int) -> bool:
    """True if ``pos`` follows the end of a sentence on the same line (not a line start)."""
    return pos > 0 and text[pos - 1] in "。！？"


RE_LEAD = regex.compile(r"\s*")
RE_GAP = regex.compile(r"[ \t\u3000]*")
RE_FILE_NAME_TAIL = regex.compile(
    rf"[ \t\u3000]*[.．]{FILE_EXTENSIONS}(?:[ \t\u3000]*[（(]\d+页[^)）\n]*[)）])?[ \t\u3000]*(?=\n|$)",
    regex.IGNORECASE,
)


BRACKETS_FOLDED = str.maketrans("（）", "()")


def _same_title(piece: str, title: str) -> bool:
    """Whether ``piece`` is the title, but for the width of its brackets: the title from a header has
    full-width ones already, the body gets them only from the normalise stage, later in the pass."""
    return piece == title or piece.translate(BRACKETS_FOLDED) == title.translate(BRACKETS_FOLDED)


# metadata: the median length of the paragraphs that kept their breaks in the text this stage first saw
# (None when fewer than three did); later passes see the breaks it put in, which must not count as kept
PARAGRAPH_CHARS = "kept_paragraph_chars"
# metadata: the typical paragraph of the length prior [chars, measured], taken when this stage first saw the text
LENGTH_TYPICAL = "length_prior_typical"
# metadata: a reference will restore the paragraph breaks, so the length prior puts none in
REFERENCE_GIVEN = "reference_given"
TITLE_INSERTED = "title_inserted"  # metadata: the title was put first once; a later stage may change it


def _title_edits(text: str, title: str, add: Any, edits: list[Edit], *, insert: bool = True) -> bool:
    """Edits separating the title from the body; returns True when it puts the title first (only
    with ``insert``: once a document's title has been inserted, a stage that edits it later — a
    page footer caught inside it — must not make it come back on every pass)."""
    lead = RE_LEAD.match(text).end()  # type: ignore[union-attr]
    if _same_title(text[lead : lead + len(title)], title):
        after_title = lead + len(title)
        suffix = RE_FILE_NAME_TAIL.match(text, after_title)
        if suffix and suffix.end() > after_title:  # the title line is the file's name: 在调研….docx
            reason = "file-name suffix after the title removed"
            edits.append(make_edit(STAGE, "paragraphs.title-file-suffix", text, after_title, suffix.end(), "", reason))
        elif after_title < len(text) and text[after_title] != "\n":
            gap_end = RE_GAP.match(text, after_title).end()  # type: ignore[union-attr]
            add(after_title, gap_end, "paragraphs.split-after-title", "the title was glued to the first sentence")
        return False
    line_end = text.find("\n", lead)
    first_line = text[lead : line_end if line_end >= 0 else len(text)].strip()
    if insert and not _same_title(first_line, title):
        edits.append(
            make_edit(
                STAGE,
                "paragraphs.insert-title",
                text,
                lead,
                lead,
                title + "\n",
                "the document title (from the site header) put on the first line",
            )
        )
        return True
    return False


def _split_heading_body(
    text: str,
    start: int,
    end: int,
    split_points: list[int],
    heading_at_start: regex.Pattern[str],
    openers: list[str],
    add: Any,
    rules: RuleSet,
) -> None:
    """Split a heading from its body at an opening phrase (or pattern: a year, ``在…的同时，``) that
    stands before any punctuation."""
    opener_patterns = _compiled(tuple(rules.setting("openers", "patterns", [])))
    inside = split_points[bisect.bisect_right(split_points, start) : bisect.bisect_left(split_points, end)]
    for k, seg_start in enumerate([start, *inside]):
        match = heading_at_start.match(text, seg_start, end)
        if not match:
            continue
        seg_end = inside[k] if k < len(inside) else end
        segment = text[match.end() : seg_end]
        first_punct = RE_PUNCT.search(segment)
        limit = first_punct.start() + 1 if first_punct else len(segment)
        best = None
        for phrase in openers:
            pos = segment.find(phrase, 0, limit + len(phrase))
            if 0 < pos < limit and (best is None or pos < best):
                best = pos
        for pattern in opener_patterns:
            found = pattern.search(segment, 1, limit + 1)
            if found and found.end() <= limit + 1 and (best is None or found.start() < best):
                best = found.start()
        if best is not None:
            add(
                match.end() + best,
                match.end() + best,
                "paragraphs.split-heading-body",
                "a heading was glued to the body of its section",
            )
