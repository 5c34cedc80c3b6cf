"""Content blocks, classified as jusText classifies paragraphs, adapted to scraped Chinese text.

Each non-empty line is a block. Its own features give it a first class: ``good`` (long enough, with
sentence punctuation and enough Chinese function characters — 的 了 是 在 … — as prose has), ``near-good``
(some function characters), ``short``, or ``bad`` (chrome evidence of the line scorer, link-like, a short line
without any function character or punctuation, a longer one with hardly any). Then the context revises the
classes that cannot decide alone: a short or near-good line takes the class of its nearest decided
neighbours (the document's edges count as bad), and a line followed closely by good prose, with no chrome
line between, is a heading and stays body. The head (before the first good block), the tail (after the
last) and runs of at least ``inner_min_lines`` bad lines inside are the zones outside the body. In a zone
where lines with chrome evidence of their own are at least ``run_min_chrome`` and ``run_chrome_share`` of
its lines, a line bad by its own features for a strong reason (chrome evidence, link-like, short and bare)
is removed (``chrome.block``); a line bad only by its context, or for a weaker reason, or in a zone with
less chrome evidence, is only flagged. The first line, the title and a line the page repeats nearby (a
title in a breadcrumb) are never touched.

Before (the line scorer takes the link lines; six bare names, too many for its run rule, go here)::

    网站首页 | 新闻中心 | 关于我们
    娱乐
    科技
    汽车
    房产
    教育
    体育
    登录 | 注册
    当前位置：首页 > 科技
    在这个过程中，我们发现了一个重要的问题，那就是数据的质量往往决定了模型的效果。

After::

    在这个过程中，我们发现了一个重要的问题，那就是数据的质量往往决定了模型的效果。
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import regex

from ...rules import RuleSet
from ..damage.shared import read_table
from .score import RE_SENTENCE_PUNCT, RE_URL, Scored

GOOD, NEAR, SHORT, BAD = "good", "near-good", "short", "bad"
SHORT_BARE = "short, no function character or punctuation"
# what makes a line bad enough on its own to be removed (a longer line with few function characters, as a
# title without any, is only flagged)
STRONG_REASONS = ("chrome evidence", "link-like", SHORT_BARE)
RE_HAN_CHAR = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")  # the CJK blocks prose uses
SAMPLE_CHARS = 100  # a long line's densities are measured on its start
# separators between links of a menu or breadcrumb; a slash or a dot only with spaces around it
RE_LINK_SEP = regex.compile(r"\s*(?:\||丨|›|»|>>|>|＞|→|&gt;)\s*|\s+[/·•]\s+")


@dataclass(frozen=True, slots=True)
class BlockSettings:
    """The ``[chrome_blocks]`` table (see ``rules/common/chrome.toml`` for what each value means)."""

    enabled: bool = True
    short_chars: int = 12
    good_chars: int = 15
    long_chars: int = 60
    function_high: float = 0.1
    function_low: float = 0.05
    han_share: float = 0.5
    link_share: float = 0.5
    link_segment_chars: int = 8
    heading_chars: int = 200
    inner_min_lines: int = 5
    run_min_chrome: int = 2
    run_chrome_share: float = 0.3
    repeat_window_chars: int = 20000
    function_words: tuple[str, ...] = ()

    @classmethod
    def read(cls, rules: RuleSet) -> BlockSettings:
        return read_table(cls, rules, "chrome_blocks")


@dataclass(slots=True)
class Block:
    """One non-empty line: where it is, its class by its own features and after the context revision."""

    row: int
    start: int
    end: int
    text: str
    own: str
    why: str
    chrome: bool
    final: str = ""
    zone: str = ""


@dataclass(frozen=True, slots=True)
class Verdict:
    """A line outside the body: removed (``remove``) or only flagged, and why."""

    start: int
    end: int
    remove: bool
    reason: str


class _FunctionCounter:
    """Counts the function characters and words in a text (with the standard library's ``re``: several
    times faster than ``regex`` on a character class)."""

    def __init__(self, words: tuple[str, ...]) -> None:
        singles = "".join(w for w in words if len(w) == 1)
        self.singles = re.compile(f"[{re.escape(singles)}]") if singles else None
        self.longer = tuple(w for w in words if len(w) > 1)  # counted as well as the single characters in them

    def __call__(self, sample: str) -> int:
        count = len(self.singles.findall(sample)) if self.singles else 0
        return count + sum(map(sample.count, self.longer))


_COUNTERS: dict[tuple[str, ...], _FunctionCounter] = {}


def _counter(words: tuple[str, ...]) -> _FunctionCounter:
    if words not in _COUNTERS:
        _COUNTERS[words] = _FunctionCounter(words)
    return _COUNTERS[words]


def link_like(line: str, settings: BlockSettings) -> bool:
    """A line mostly made of URLs, or of short segments between menu separators, without sentence punctuation.

    >>> link_like("首页 > 新闻中心 > 国内新闻", BlockSettings())
    True
    >>> link_like("价格 > 成本，所以有利润。", BlockSettings())
    False
    """
    if "." in line and sum(len(m.group()) for m in RE_URL.finditer(line)) >= settings.link_share * len(line):
        return True
    if RE_SENTENCE_PUNCT.search(line) or not RE_LINK_SEP.search(line):
        return False
    separators = len(RE_LINK_SEP.findall(line))
    segments = [s for s in RE_LINK_SEP.split(line) if s.strip()]
    return separators >= 2 and len(segments) >= 3 and max(len(s) for s in segments) <= settings.link_segment_chars


def own_class(line: str, chrome: int, settings: BlockSettings) -> tuple[str, str]:
    """A line's class by its own features, and the feature that decided it. ``chrome`` says how much chrome
    evidence the line scorer found: 2 (enough to remove the line), 1 (enough to flag it: it makes the
    line bad unless the line reads as prose), 0 (none).

    >>> words = tuple("的了是在我这个")
    >>> own_class("在这个过程中，我们发现了一个重要的问题。", 0, BlockSettings(function_words=words))[0]
    'good'
    >>> own_class("社会", 0, BlockSettings(function_words=words))[0]
    'bad'
    """
    if chrome >= 2:
        return BAD, "chrome evidence"
    if len(line) >= settings.long_chars and RE_SENTENCE_PUNCT.search(line):
        return GOOD, "long, with sentence punctuation"  # a paragraph: decided without counting
    if link_like(line, settings):
        return BAD, "link-like"
    cls, why = _text_class(line, settings)
    if chrome and cls in (BAD, SHORT):
        return BAD, "chrome evidence"
    return cls, why


def _text_class(line: str, settings: BlockSettings) -> tuple[str, str]:
    sample = line[:SAMPLE_CHARS]
    function = _counter(settings.function_words)(sample)
    punct = RE_SENTENCE_PUNCT.search(line) is not None
    if len(line) >= settings.good_chars and punct and function >= settings.function_high * len(sample):
        return GOOD, "prose"  # dense enough whatever share of it is Han: no need to count them
    han = len(RE_HAN_CHAR.findall(sample))
    if han < settings.han_share * len(sample):
        return SHORT, "mostly not Han"  # code, numbers, Latin: its neighbours decide
    if len(line) < settings.short_chars:
        if function == 0 and not punct:
            return BAD, SHORT_BARE
        return SHORT, "short"
    density = function / max(han, 1)
    if density >= settings.function_high and len(line) >= settings.good_chars and punct:
        return GOOD, f"prose ({density:.0%} function characters)"
    if density >= settings.function_low:
        return NEAR, f"{density:.0%} function characters"
    return BAD, f"{density:.0%} function characters"


def _neighbour(classes: list[str], i: int, step: int, ignore_near: bool) -> str:
    """The nearest decided class from ``i`` towards ``step`` (the document's edge is bad)."""
    i += step
    while 0 <= i < len(classes):
        if classes[i] in (GOOD, BAD) or (classes[i] == NEAR and not ignore_near):
            return classes[i]
        i += step
    return BAD


def revise(blocks: list[Block], settings: BlockSettings) -> None:
    """jusText's context revision: short lines, then near-good lines, take their neighbours' class;
    a line followed within ``heading_chars`` characters by good prose is a heading and stays body."""
    own = [b.own for b in blocks]
    revised = list(own)
    for i, cls in enumerate(own):
        if cls != SHORT:
            continue
        before, after = _neighbour(own, i, -1, True), _neighbour(own, i, 1, True)
        if before == after:
            revised[i] = before
        elif (before == BAD and _neighbour(own, i, -1, False) == NEAR) or (
            after == BAD and _neighbour(own, i, 1, False) == NEAR
        ):
            revised[i] = GOOD
        else:
            revised[i] = BAD
    final = list(revised)
    for i, cls in enumerate(revised):
        if cls == NEAR:
            bad = _neighbour(revised, i, -1, True) == BAD and _neighbour(revised, i, 1, True) == BAD
            final[i] = BAD if bad else GOOD
    for i, block in enumerate(blocks):
        block.final = GOOD if final[i] == BAD and _heading(blocks, i, settings) else final[i]


def _heading(blocks: list[Block], i: int, settings: BlockSettings) -> bool:
    """A line without chrome evidence followed within ``heading_chars`` characters by good prose, with no
    chrome line between them."""
    if blocks[i].chrome or blocks[i].why == "link-like":
        return False
    distance = 0
    for block in blocks[i + 1 :]:
        if block.own == GOOD:
            return True
        if block.chrome or block.why == "link-like":
            return False
        distance += len(block.text)
        if distance > settings.heading_chars:
            return False
    return False


def classify(
    text: str,
    line_spans: list[tuple[int, int]],
    scored: dict[int, Scored],
    settings: BlockSettings,
    thresholds: tuple[float, float],
) -> list[Block]:
    """The non-empty lines of ``text`` as blocks, classified and revised, each with its zone (``head``,
    ``tail``, ``inner`` for a long run of bad lines inside the body, or ``body``). ``scored`` holds the line
    scorer's items by row: a line scoring (``flag_at``, ``remove_at``) of ``thresholds`` or more has chrome
    evidence."""
    flag_at, remove_at = thresholds
    blocks = []
    for row, (start, end) in enumerate(line_spans):
        raw = text[start:end]
        line = raw.strip()
        if not line:
            continue
        item = scored.get(row)
        evidence = 0 if item is None else 2 if item.raw >= remove_at else 1 if item.raw >= flag_at else 0
        lead = len(raw) - len(raw.lstrip())
        cls, why = own_class(line, evidence, settings)
        blocks.append(Block(row, start + lead, start + lead + len(line), line, cls, why, why == "chrome evidence"))
    revise(blocks, settings)
    good = [i for i, b in enumerate(blocks) if b.final == GOOD]
    if not good:
        return []  # no body to measure the rest against
    for i, block in enumerate(blocks):
        block.zone = "head" if i < good[0] else "tail" if i > good[-1] else "body"
    run: list[Block] = []
    for block in blocks[good[0] : good[-1] + 2]:  # the line after the last good one closes the last run
        if block.final == BAD and block.zone == "body":
            run.append(block)
            continue
        if len(run) >= settings.inner_min_lines:
            for b in run:
                b.zone = "inner"
        run = []
    return blocks


def verdicts(blocks: list[Block], settings: BlockSettings, protected: Callable[[Block], bool]) -> list[Verdict]:
    """For each zone outside the body (the head, the tail, each inner run): with at least ``run_min_chrome``
    lines of chrome evidence, and at least ``run_chrome_share`` of its lines, its lines bad by their own
    features (chrome evidence, link-like, short and bare) are removed and the others flagged; with less (but
    some), its lines bad by their own features are only flagged. ``protected`` lines (the title,
    a line the body repeats) are left alone."""
    zones: list[list[Block]] = []
    previous: Block | None = None
    for block in blocks:
        if block.zone == "body":
            previous = None
            continue
        if previous is None or previous.zone != block.zone:
            zones.append([])
        zones[-1].append(block)
        previous = block
    out = []
    for zone in zones:
        evidence = sum(b.chrome or b.why == "link-like" for b in zone)
        if not evidence:
            continue
        strong = evidence >= max(settings.run_min_chrome, settings.run_chrome_share * len(zone))
        where = {"head": "page head", "tail": "page tail", "inner": "a run of bad lines in the body"}[zone[0].zone]
        for b in zone:
            remove = strong and b.own == BAD and b.why in STRONG_REASONS
            if (not remove and b.own != BAD and not strong) or protected(b):
                continue
            reason = (
                f"content block ({where}, {len(zone)} lines, {evidence} with chrome evidence): "
                f"bad by its own features ({b.why})"
                if b.own == BAD
                else f"content block ({where}): {b.own} by its own features ({b.why}), bad only by its context"
            )
            out.append(Verdict(b.start, b.end, remove, reason))
    return out


def block_verdicts(
    text: str,
    line_spans: list[tuple[int, int]],
    items: list[Scored],
    settings: BlockSettings,
    thresholds: tuple[float, float],
    metadata: dict[str, Any],
) -> list[Verdict]:
    """The removals and flags of the block classifier on ``text`` (lines ``line_spans``, scored ``items``)."""
    if not settings.enabled or not settings.function_words:
        return []
    if not any(item.raw >= thresholds[0] or link_like(item.line, settings) for item in items):
        return []  # no zone can hold chrome evidence: nothing to remove or flag (and no line to classify)
    starts = [s for s, _ in line_spans]
    scored = {bisect.bisect_right(starts, item.start) - 1: item for item in items}
    blocks = classify(text, line_spans, scored, settings, thresholds)
    if not blocks:
        return []
    title = str(metadata.get("title") or "").strip()
    window = settings.repeat_window_chars

    def protected(block: Block) -> bool:
        """The first line (the title, most often; the line scorer removes it where it is chrome), the
        title, a text the page repeats within ``repeat_window_chars`` around it (a title in a breadcrumb or
        a heading below; bounded, so that a long page costs no more per line)."""
        if block is blocks[0] or (title and (title in block.text or (len(block.text) >= 4 and block.text in title))):
            return True
        around = text[max(0, block.start - window) : block.end + window]
        return len(block.text) >= 4 and around.count(block.text) > 1

    return verdicts(blocks, settings, protected)
