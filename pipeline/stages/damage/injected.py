"""Injected text: SEO keyword lines, stock aphorisms and keyword links a site put in the body;
removed where a rule recognises them, otherwise flagged as suggestions.

    8. 关于同志…评分表图表与交易pdf视力表打印pdf用图表说话 pdf 达式和语句   →   8. 表达式和语句
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

from ...document import Edit, make_edit
from ...language import HAN_CLASS, RE_HAN, char_log_frequencies, code_points, dictionary_words, han_mask
from ...rules import RuleSet
from ...tables import WordTable
from .noise import known_share
from .shared import (
    SPACE,
    STAGE,
    Drop,
    line_drop_edits,
    line_spans,
    non_overlapping,
    setting,
    until_stable,
)

RE_TOKEN_SPLIT = re.compile(r"[ \t\u3000、,，|/｜]+")
RE_SENTENCE = re.compile(r"[^。！？!?\n]+[。！？!?]*[”’」』]?")
INTRODUCERS = ("说", "道", "曰", "云", "讲", "言", "：", ":", "“", "「", "『")


@dataclass(frozen=True, slots=True)
class InjectedSettings:
    labels: tuple[str, ...]
    suffixes: tuple[str, ...]
    min_tokens: int
    suffix_share: float
    flag_min_tokens: int
    flag_shared_share: float
    max_token_chars: int
    aphorisms: re.Pattern[str] | None
    couplet_lengths: tuple[int, ...]

    @classmethod
    def read(cls, rules: RuleSet) -> InjectedSettings:
        t = "damage_injected"
        return _injected_settings(
            tuple(setting(rules, t, "seo_labels", [])),
            tuple(setting(rules, t, "seo_suffixes", [])),
            int(setting(rules, t, "min_tokens", 3)),
            float(setting(rules, t, "suffix_share", 0.6)),
            int(setting(rules, t, "flag_min_tokens", 4)),
            float(setting(rules, t, "flag_shared_share", 0.5)),
            int(setting(rules, t, "max_token_chars", 12)),
            tuple(setting(rules, t, "stock_aphorisms", [])),
            tuple(int(n) for n in setting(rules, t, "couplet_lengths", [5, 7])),
        )


@lru_cache(maxsize=8)
def _injected_settings(
    labels: tuple[str, ...],
    suffixes: tuple[str, ...],
    min_tokens: int,
    suffix_share: float,
    flag_min_tokens: int,
    flag_shared_share: float,
    max_token_chars: int,
    aphorisms: tuple[str, ...],
    couplet_lengths: tuple[int, ...],
) -> InjectedSettings:
    pattern = None
    if aphorisms:
        alternatives = []
        for saying in sorted(aphorisms, key=len, reverse=True):
            clauses = [c for c in re.split(r"[^\w]+", saying) if c]
            alternatives.append(r"[，,、；;：:\s]*".join(re.escape(c) for c in clauses))
        pattern = re.compile(r"(?:" + "|".join(alternatives) + r")[。！？!?；;.]?")
    return InjectedSettings(
        labels,
        tuple(s.lower() for s in suffixes),
        min_tokens,
        suffix_share,
        flag_min_tokens,
        flag_shared_share,
        max_token_chars,
        pattern,
        couplet_lengths,
    )


def remove_injected_text(text: str, *, rules: RuleSet, metadata: dict[str, Any]) -> list[Edit]:
    """Edits removing what a rule recognises as injected: SEO keyword lines (a label such as
    ``关键词：`` or tokens ending in ``范文``/``模板``/``下载`` …) and stock aphorisms from
    ``stock_aphorisms`` standing as a sentence of their own, unquoted and unrelated to the
    sentences around them, and keyword links: linked document titles a site put in place of a word
    (:func:`keyword_link_runs`; ``…评分表图表与交易pdf视力表打印pdf用图表说话 pdf 达式`` → ``表达式``).

    >>> from pipeline.rules import load_rules
    >>> from pipeline.document import apply_edits
    >>> t = "正文。\\n工作总结范文 工作总结模板 工作总结下载\\n正文。"
    >>> apply_edits(t, remove_injected_text(t, rules=load_rules(), metadata={}))
    '正文。\\n正文。'
    """
    cfg = InjectedSettings.read(rules)
    links = LinkSettings.read(rules)
    return until_stable(text, lambda t: _injected(t, cfg, links=links)[0], 4)


def flag_injected_text(text: str, *, rules: RuleSet, metadata: dict[str, Any] | None = None) -> list[Edit]:
    """Suggestions (``before == after``) for text that looks injected but that no rule recognises:
    lines of short keywords sharing a term, stock aphorisms related to their neighbours,
    couplet-shaped sentences (two clauses of ``couplet_lengths`` characters) unrelated to theirs, and
    keyword-link runs that do not start a line, a sentence or a numbered item.

    Not a cleaning step: the caller stores these as report suggestions.
    """
    _, flags = _injected(text, InjectedSettings.read(rules), flags=True, links=LinkSettings.read(rules))
    return flags


def _injected(
    text: str, cfg: InjectedSettings, *, flags: bool = False, links: LinkSettings | None = None
) -> tuple[list[Edit], list[Edit]]:
    removals: list[Edit] = []
    drops: list[Drop] = []
    suggestions: list[Edit] = []
    if not RE_HAN.search(text):
        return removals, suggestions
    for start, end in line_spans(text):
        if end - start < 4:
            continue
        line = text[start:end]
        verdict = _seo_line(line, cfg)
        if verdict == "remove":
            drops.append((start, end, "damage.seo-keywords", "SEO keyword line injected by the site"))
        elif verdict == "flag" and flags:
            suggestions.append(
                make_edit(
                    STAGE,
                    "damage.keyword-run",
                    text,
                    start,
                    end,
                    line,
                    "line of short keywords sharing a term: possibly injected SEO text",
                    confidence=0.5,
                )
            )
    taken = [(a, b) for a, b, _, _ in drops]
    if links is not None and links.file_types.search(text):
        for run in keyword_link_runs(text, links):
            if any(a < run.end and run.start < b for a, b in taken):
                continue
            taken.append((run.start, run.end))
            if run.removable:
                reason = (
                    f"{run.count} linked document titles each holding “{run.keyword}” stand where the site replaced "
                    f"“{run.keyword}”: removed, “{run.keyword}” kept"
                )
                for a, b in ((run.start, run.keep), (run.keep + len(run.keyword), run.end)):
                    if b > a:
                        removals.append(make_edit(STAGE, "damage.keyword-links", text, a, b, "", reason))
            elif flags:
                suggestions.append(
                    make_edit(
                        STAGE,
                        "damage.keyword-links",
                        text,
                        run.start,
                        run.end,
                        text[run.start : run.end],
                        f"run of {run.count} document titles each holding “{run.keyword}”: possibly keyword links "
                        f"the site put in place of “{run.keyword}”",
                        confidence=0.5,
                    )
                )
    if cfg.aphorisms is not None:
        for match in cfg.aphorisms.finditer(text):
            start, end = match.span()
            if any(a < end and start < b for a, b in taken):
                continue
            verdict = _aphorism_context(text, start, end)
            if verdict == "remove":
                reason = "stock aphorism inserted mid-text, unrelated to the sentences around it"
                line_start = text.rfind("\n", 0, start) + 1
                line_end = text.find("\n", end)
                line_end = len(text) if line_end < 0 else line_end
                if not text[line_start:start].strip(SPACE) and not text[end:line_end].strip(SPACE):
                    drops.append((line_start, line_end, "damage.stock-aphorism", reason))  # alone on its line
                    taken.append((line_start, line_end))
                    continue
                while end < len(text) and text[end] in SPACE:
                    end += 1
                removals.append(make_edit(STAGE, "damage.stock-aphorism", text, start, end, "", reason))
                taken.append((start, end))
            elif verdict == "flag" and flags:
                suggestions.append(
                    make_edit(
                        STAGE,
                        "damage.stock-aphorism",
                        text,
                        start,
                        end,
                        text[start:end],
                        "stock aphorism standing alone mid-text: possibly injected",
                        confidence=0.5,
                    )
                )
                taken.append((start, end))
    if flags:
        suggestions.extend(_couplets(text, cfg, taken))
    removals.extend(line_drop_edits(text, drops))
    return non_overlapping(removals), sorted(suggestions, key=lambda e: (e.start, e.end))


@dataclass(frozen=True, slots=True)
class LinkSettings:
    """The ``link_*`` settings of ``[damage_injected]``: keyword links (see ``rules/common/damage.toml``)."""

    file_types: re.Pattern[str]
    min_titles: int
    max_lead: int
    max_gap: int
    min_ratio: float

    @classmethod
    def read(cls, rules: RuleSet) -> LinkSettings | None:
        t = "damage_injected"
        types = tuple(setting(rules, t, "link_file_types", ["pdf", "doc", "docx", "ppt", "pptx", "xls", "xlsx"]))
        return _link_settings(
            types,
            int(setting(rules, t, "link_min_titles", 3)),
            int(setting(rules, t, "link_max_lead", 15)),
            int(setting(rules, t, "link_max_gap", 30)),
            float(setting(rules, t, "link_min_ratio", 20.0)),
        )


@lru_cache(maxsize=8)
def _link_settings(
    types: tuple[str, ...], min_titles: int, max_lead: int, max_gap: int, ratio: float
) -> LinkSettings | None:
    if not types:
        return None
    alternatives = "|".join(sorted((re.escape(t) for t in types), key=len, reverse=True))
    # the look-ahead on the first letters lets the engine skip the Han text fast; without it, the
    # case-insensitive alternation behind a look-behind is tried at every character (~10% of a run)
    first = re.escape("".join(sorted(set().union(*(_case_variants(t[0]) for t in types)))))
    pattern = re.compile(f"(?=[{first}])(?<![A-Za-z])(?i:{alternatives})(?![A-Za-z])")
    return LinkSettings(pattern, min_titles, max_lead, max_gap, ratio)


@lru_cache(maxsize=64)
def _case_variants(ch: str) -> frozenset[str]:
    """The characters a case-insensitive ``re`` pattern ``ch`` matches (``k``: ``k``, ``K`` and the Kelvin sign)."""
    single = re.compile(re.escape(ch), re.IGNORECASE)
    return frozenset(single.findall(_bmp()))  # one scan in C: each match is one character


@lru_cache(maxsize=1)
def _bmp() -> str:
    """Every character of the Basic Multilingual Plane, in order (lone surrogates included)."""
    return "".join(map(chr, range(0x10000)))


@dataclass(frozen=True, slots=True)
class LinkRun:
    """A run of linked document titles standing in for ``keyword`` (``text[start:end]``, the copy of the
    keyword at ``keep`` to be kept)."""

    start: int
    end: int
    keep: int
    keyword: str
    count: int
    removable: bool


RE_LINK_BOUNDARY = re.compile(r"[\n。！？；;：:，,、.．!?…]")
RE_LINK_LEFT = re.compile(r"(?:^|[。！？；;!?]|\d[.．、])[ \t\u3000]*$")


def keyword_link_runs(text: str, cfg: LinkSettings) -> list[LinkRun]:
    """Runs of linked document titles a site put in place of a keyword K (爱问共享资料): short titles,
    at least one with a file type (``pdf``), each holding K, ending right before text that reads on
    after K::

        128. 关于同志近三年现实表现材料材料类招标技术评分表图表与交易pdf视力表打印pdf用图表说话 pdf 达式和语句
        →   128. 表达式和语句

    A run counts when K (a Han character, not one of the 100 most common) occurs at least
    ``min_titles`` times at most ``max_gap`` characters apart, the first within ``max_lead`` characters
    of the run's start, and K joined to what follows makes a dictionary word ``min_ratio`` times more
    frequent than any word what follows makes alone (``表达`` vs ``达式``; ``达标情况`` reads on
    without K). It is *removable* when the run starts a line, a sentence or a numbered item;
    otherwise it is only flagged.
    """
    words = _word_frequencies()
    common = _common_chars(100)
    runs: list[LinkRun] = []
    done = -1
    for match in cfg.file_types.finditer(text):
        if match.start() < done:
            continue
        left = text.rfind("\n", 0, match.start()) + 1
        boundary = None
        for b in RE_LINK_BOUNDARY.finditer(text, left, match.start()):
            boundary = b
        start = boundary.end() if boundary is not None else left
        stop_match = RE_LINK_BOUNDARY.search(text, match.end())
        stop = stop_match.start() if stop_match is not None else len(text)
        last_type = match.end()
        for later in cfg.file_types.finditer(text, match.end(), stop):
            last_type = later.end()
        done = stop
        while start < last_type and text[start] in SPACE:
            start += 1
        found = _link_run_end(text, start, last_type, min(stop, last_type + 20), words, common, cfg)
        if found is None:
            continue
        end, keyword, count, lead = found
        keep = text.rfind(keyword, start, end)
        removable = lead <= cfg.max_lead and RE_LINK_LEFT.search(text[left:start]) is not None
        runs.append(LinkRun(start, end, keep, keyword, count, removable))
    return runs


def _link_run_end(
    text: str,
    start: int,
    after: int,
    limit: int,
    words: WordTable,
    common: frozenset[str],
    cfg: LinkSettings,
) -> tuple[int, str, int, int] | None:
    """(end, K, count of K, characters before the first K) of a keyword-link run starting at ``start``
    whose last title ends at or after ``after``; None if none ends before ``limit``."""
    for end in range(after, limit):
        if not RE_HAN.match(text[end]) or text[end - 1 : end + 1] in words:
            continue
        run = text[start:end]
        counts = Counter(ch for ch in run if RE_HAN.match(ch) and ch not in common)
        for keyword, count in counts.most_common(3):
            if count < cfg.min_titles:
                break
            joined = max((words.get(keyword + text[end : end + j], 0.0) for j in (1, 2, 3)), default=0.0)
            alone = max((words.get(text[end : end + j], 0.0) for j in (2, 3, 4)), default=0.0)
            if not joined or joined < cfg.min_ratio * alone:
                continue
            places = [i for i, ch in enumerate(run) if ch == keyword]
            if max(b - a for a, b in itertools.pairwise([*places, len(run)])) > cfg.max_gap:
                continue
            return end, keyword, count, places[0]
    return None


def _word_frequencies() -> WordTable:
    """The dictionary's words of two characters or more with their frequencies."""
    return dictionary_words()


def _seo_line(line: str, cfg: InjectedSettings) -> str | None:
    stripped = line.strip(SPACE)
    if not stripped or any(ch in stripped for ch in "。！？；"):
        return None
    for label in cfg.labels:
        if stripped.startswith(label) and len(stripped) > len(label) + 1 and stripped[len(label)] in "：:":
            rest = [t for t in RE_TOKEN_SPLIT.split(stripped[len(label) + 1 :]) if t]
            if rest and all(len(t) <= cfg.max_token_chars for t in rest):
                return "remove"
    tokens = [t for t in RE_TOKEN_SPLIT.split(stripped) if t]
    if len(tokens) < cfg.min_tokens or any(len(t) > cfg.max_token_chars or len(t) < 2 for t in tokens):
        return None
    with_suffix = sum(any(t.lower().endswith(s) for s in cfg.suffixes) for t in tokens)
    if with_suffix >= cfg.suffix_share * len(tokens) and with_suffix >= 2:
        return "remove"
    if len(tokens) >= cfg.flag_min_tokens and all(RE_HAN.search(t) for t in tokens):
        bigrams = Counter(b for t in tokens for b in {t[i : i + 2] for i in range(len(t) - 1)} if RE_HAN.match(b))
        if bigrams and bigrams.most_common(1)[0][1] >= max(2, cfg.flag_shared_share * len(tokens)):
            return "flag"
    return None


def _han_bigrams(s: str) -> set[str]:
    return {s[i : i + 2] for i in range(len(s) - 1) if RE_HAN.match(s[i]) and RE_HAN.match(s[i + 1])}


def _related(saying: str, context: str, common_rank: int = 100) -> bool:
    """True if ``saying`` shares a character pair, or two uncommon characters, with ``context``."""
    if _han_bigrams(saying) & _han_bigrams(context):
        return True
    common = _common_chars(common_rank)
    shared = {ch for ch in saying if RE_HAN.match(ch) and ch not in common} & set(context)
    return len(shared) >= 2


@lru_cache(maxsize=2)
def _common_chars(rank: int) -> frozenset[str]:
    """The ``rank`` most frequent characters of the frequency data (的, 是, 了 …)."""
    logs = char_log_frequencies()
    return frozenset(chr(c) for c in np.argsort(-logs)[:rank].tolist())


def _neighbour_sentences(text: str, start: int, end: int) -> tuple[str, str]:
    """The sentence before ``start`` and the one after ``end`` (across one line break at most)."""
    left = text[max(0, start - 200) : start]
    right = text[end : end + 200]
    before = RE_SENTENCE.findall(left.rstrip())
    after = RE_SENTENCE.findall(right.lstrip())
    return (before[-1] if before else ""), (after[0] if after else "")


def _modern_prose(sentence: str, min_pairs: int = 6, min_share: float = 0.5) -> bool:
    """True for a sentence whose neighbouring Han pairs are mostly dictionary words (modern prose,
    not verse or classical text)."""
    cps = code_points(sentence)
    han = han_mask(cps)
    if int((han[:-1] & han[1:]).sum()) < min_pairs:
        return False
    return known_share(cps, han, -7.0) >= min_share


def _aphorism_context(text: str, start: int, end: int) -> str | None:
    """ "remove" for an aphorism standing alone mid-text and unrelated to its neighbours, "flag" if
    it stands alone but shares words with them, None when it is quoted or introduced."""
    i = start - 1
    while i >= 0 and text[i] in SPACE:
        i -= 1
    prev_char = text[i] if i >= 0 else "\n"
    if prev_char not in "。！？!?\n；;":
        return None
    if text.startswith(("”", "’", "」", "』"), end):
        return None
    prev_sentence, next_sentence = _neighbour_sentences(text, start, end)
    if prev_sentence.rstrip().endswith(INTRODUCERS) or not (prev_sentence.strip() or next_sentence.strip()):
        return None
    if not all(_modern_prose(s) for s in (prev_sentence, next_sentence) if s.strip()):
        return None  # inside a poem or classical text: the saying may be its own line
    if not prev_sentence.strip() or not next_sentence.strip():
        return "flag"
    if _related(text[start:end], prev_sentence + next_sentence):
        return "flag"
    return "remove"


def _couplets(text: str, cfg: InjectedSettings, taken: list[tuple[int, int]]) -> list[Edit]:
    if not cfg.couplet_lengths:
        return []
    sizes = "|".join(str(n) for n in sorted(set(cfg.couplet_lengths)))
    pattern = _couplet_pattern(sizes)
    out = []
    for match in pattern.finditer(text):
        start, end = match.span()
        if len(match.group(1)) != len(match.group(2)) or any(a < end and start < b for a, b in taken):
            continue
        if text.startswith(("”", "’", "」", "』"), end):
            continue
        prev_sentence, next_sentence = _neighbour_sentences(text, start, end)
        if not prev_sentence.strip() or not next_sentence.strip() or prev_sentence.rstrip().endswith(INTRODUCERS):
            continue
        if not (_modern_prose(prev_sentence) and _modern_prose(next_sentence)):
            continue
        if _related(text[start:end], prev_sentence + next_sentence):
            continue
        out.append(
            make_edit(
                STAGE,
                "damage.aphorism-like",
                text,
                start,
                end,
                text[start:end],
                "couplet-like sentence unrelated to its neighbours: possibly an injected aphorism",
                confidence=0.3,
            )
        )
    return out


@lru_cache(maxsize=4)
def _couplet_pattern(sizes: str) -> re.Pattern[str]:
    counts = "|".join(f"[{HAN_CLASS}]{{{n}}}" for n in sizes.split("|"))
    return re.compile(f"(?<=[。！？])((?:{counts}))[，,]((?:{counts}))[。！？]")
