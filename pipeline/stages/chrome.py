"""Generic site chrome: page furniture of sites no rule file names, recognised from what chrome looks like.

Each short line is scored from evidence (``rules/common/chrome.toml``): chrome words, field names with a
colon (``上传人:`` ``来源:``), key:value runs, breadcrumbs, ISO dates, how much of the line such things
explain, menus of short lines, where the line sits (the head and tail of the page, before the first and
after the last body line), and against it, whether it reads as a sentence and shares the body's own
character pairs. A line scoring ``remove_at`` or more is removed with an edit ``chrome.line`` whose reason
lists the evidence; lines scoring from ``flag_at`` are only reported (:func:`flag_chrome`). Patterns with a
variable part (the share header of any site, photo credits, slide-master placeholders) remove spans glued
to the body (``chrome.<template>``); a word left over in removed lines — the site's own name — is removed
where it makes up a line, and where, mixing Latin and Han (``seo靠我``), it is glued into the body.

Before::

    文档序号:17534513发布日期:2019-04-29 13:50阅读:407来源:国知局
    语料标注方法和装置与流程
    本发明涉及计算机互联网领域，具体而言，涉及一种语料标注方法和装置。

After::

    语料标注方法和装置与流程
    本发明涉及计算机互联网领域，具体而言，涉及一种语料标注方法和装置。
"""

from __future__ import annotations

import bisect
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import regex
from ahocorasick_rs import AhoCorasick, MatchKind

from pipeline.document import Edit, make_edit
from pipeline.language import opencc_converter
from pipeline.rules import RuleSet
from pipeline.stages.damage.shared import read_table

STAGE = "boilerplate"
SENTENCE_PUNCT = "，。；！？,;!?"
RE_SENTENCE_PUNCT = regex.compile("[，。；！？,;!?]")
RE_SENTENCE_END = regex.compile(r"[。！？!?…][”」』）)]?\s*$")
RE_DATE = regex.compile(r"\d{4}[-/.]\d{1,2}[-/.]\d{1,2}(?:[ \tT]+\d{1,2}:\d{2}(?::\d{2})?)?|\d{1,2}:\d{2}(?::\d{2})?")
RE_NUMBER = regex.compile(r"(?<![\p{Han}A-Za-z\d.])\d[\d.,]*\s*(?:KB|MB|GB|kb|mb|页|頁|次|人|个|個|px|dpi|像素)?")
RE_DOI = regex.compile(r"\b10\.\d{4,9}/\S+")
RE_URL = regex.compile(r"(?:https?://|www\.)\S+|\b[\w-]+\.(?:com|cn|net|org|cc|me)(?:\.cn)?\b", regex.ASCII)
RE_FILLER = regex.compile(r"[\s\p{P}\p{S}\p{Zs}]+")  # separators, punctuation, emoji and spaces
RE_RESIDUAL = regex.compile(r"[\p{Han}A-Za-z0-9]+")
RE_BREADCRUMB_SEP = regex.compile(r"\s*(?:>>|»|›|>|＞|\||/|&gt;)\s*")
RE_LATIN = regex.compile(r"[A-Za-z]")
RE_LATIN_OR_DIGIT = regex.compile(r"[A-Za-z0-9]")
RE_HAN = regex.compile(r"\p{Han}")
RE_HAN_PAIR = regex.compile(r"(?=(\p{Han}{2}))")
NAV_STARTS = ("首页", "首頁", "当前位置", "當前位置", "您的位置", "导航", "導航", "位置")


@dataclass(frozen=True, slots=True)
class ChromeSettings:
    """The ``[chrome]`` table (see ``rules/common/chrome.toml`` for what each value means)."""

    remove_at: float = 3.0
    flag_at: float = 1.5
    max_line_chars: int = 160
    body_min_chars: int = 30
    mid_factor: float = 0.6
    gap_factor: float = 0.8
    lexicon_cap: float = 4.0
    explained_residual: int = 4
    explained_residual_with_words: int = 8
    explained_share: float = 0.5
    explained_points: float = 1.5
    menu_min_lines: int = 4
    menu_max_chars: int = 8
    menu_min_share: float = 0.4
    menu_points: float = 2.0
    echo_min_chars: int = 3
    echo_points: float = 2.0
    neighbour_points: float = 0.5
    sentence_points: float = -2.0
    sentence_end_points: float = -1.0
    vocabulary_share: float = 0.5
    vocabulary_points: float = -1.5
    vocabulary_min_pairs: int = 4
    vocabulary_sample_chars: int = 20000
    bare_line_chars: int = 30
    bare_points: float = 0.5
    date_points: float = 1.0
    time_points: float = 1.0
    date_line_chars: int = 60
    strong_field_points: float = 2.0
    weak_field_points: float = 1.0
    field_run_points: float = 2.5
    breadcrumb_points: float = 2.5
    breadcrumb_bare_points: float = 1.0
    breadcrumb_max_segment: int = 16

    @classmethod
    def read(cls, rules: RuleSet) -> ChromeSettings:
        return read_table(cls, rules, "chrome")


@dataclass(frozen=True, slots=True)
class Template:
    """A chrome pattern with a variable part, from ``[chrome_templates.NAME]``."""

    name: str
    kind: str
    weight: float
    pattern: regex.Pattern[str]
    replace: str
    description: str
    requires: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Lexicon:
    """The chrome words and field names, simplified and traditional, as compiled patterns."""

    words: regex.Pattern[str]
    weights: dict[str, float]
    fields: regex.Pattern[str]
    strong_fields: frozenset[str]
    templates: tuple[Template, ...]
    literals: AhoCorasick  # every word and field name, lower case: finds the lines worth scoring in one scan


@dataclass(slots=True)
class Scored:
    """One line's score and the evidence behind it."""

    start: int
    end: int
    line: str
    zone: str
    evidence: list[tuple[str, float]] = field(default_factory=list)
    residual: list[str] = field(default_factory=list)
    words: set[str] = field(default_factory=set)

    @property
    def raw(self) -> float:
        return sum(points for _, points in self.evidence)

    def score(self, mid_factor: float, gap_factor: float = 0.8) -> float:
        raw = self.raw
        if raw <= 0 or self.zone in ("head", "tail"):
            return raw
        return raw * (mid_factor if self.zone == "mid" else gap_factor)

    def reason(self, score: float) -> str:
        listed = ", ".join(f"{name} {points:+.1f}" for name, points in self.evidence)
        where = {"head": "page head", "tail": "page tail", "mid": "next to body lines", "gap": "among short lines"}[
            self.zone
        ]
        return f"site chrome (score {score:.1f}, {where}): {listed}"


def strip_chrome(text: str, *, rules: RuleSet, metadata: dict[str, Any]) -> list[Edit]:
    """Edits removing generic site chrome: template spans, then lines scoring ``remove_at`` or more.

    >>> from pipeline.rules import load_rules
    >>> from pipeline.document import apply_edits
    >>> body = "为了帮助大家更好地理解平台设计思想，本文将具体介绍各关键部分的代码实现。\\n"
    >>> page = "标签: 平台框架null工具\\n1757人阅读 评论(4) 收藏 举报\\n分类:\\n" + body * 2
    >>> apply_edits(page, strip_chrome(page, rules=load_rules(), metadata={})) == body * 2
    True
    """
    cfg = ChromeSettings.read(rules)
    lexicon = _lexicon(rules, traditional=_looks_traditional(text))
    if lexicon is None:
        return []
    edits = _template_spans(text, lexicon)
    taken = [(e.start, e.end) for e in edits]
    scored = _score_lines(text, cfg, lexicon, metadata)
    removed: list[Scored] = []
    for item in scored:
        score = item.score(cfg.mid_factor, cfg.gap_factor)
        if score >= cfg.remove_at and not _overlaps(taken, item.start, item.end):
            end = min(item.end + 1, len(text)) if text[item.end : item.end + 1] == "\n" else item.end
            edits.append(
                make_edit(
                    STAGE,
                    "chrome.line",
                    text,
                    item.start,
                    end,
                    "",
                    item.reason(score),
                    confidence=_confidence(score, cfg),
                )
            )
            taken.append((item.start, end))
            removed.append(item)
    edits.extend(_site_name_spans(text, removed, taken, cfg))
    return sorted(edits, key=lambda e: (e.start, e.end))


def flag_chrome(text: str, *, rules: RuleSet, metadata: dict[str, Any] | None = None) -> list[Edit]:
    """Suggestions (``before == after``) for lines that look like chrome but score below ``remove_at``.

    Not a cleaning step: the caller stores these as report suggestions.
    """
    cfg = ChromeSettings.read(rules)
    lexicon = _lexicon(rules, traditional=_looks_traditional(text))
    if lexicon is None:
        return []
    flags = []
    for item in _score_lines(text, cfg, lexicon, dict(metadata or {})):
        score = item.score(cfg.mid_factor, cfg.gap_factor)
        if cfg.flag_at <= score < cfg.remove_at:
            flags.append(
                make_edit(
                    STAGE,
                    "chrome.line-flagged",
                    text,
                    item.start,
                    item.end,
                    text[item.start : item.end],
                    "looks like site chrome, too weak to remove: " + item.reason(score),
                    confidence=_confidence(score, cfg),
                )
            )
    return flags


def _confidence(score: float, cfg: ChromeSettings) -> float:
    return round(min(0.99, 0.5 + 0.5 * (score - cfg.flag_at) / (2 * cfg.remove_at)), 2)


def _overlaps(taken: list[tuple[int, int]], start: int, end: int) -> bool:
    return any(s < end and start < e for s, e in taken)


@lru_cache(maxsize=1)
def _traditional() -> Any:
    return opencc_converter("s2t")


# characters only traditional text uses, frequent enough that a traditional page holds some of them
RE_TRADITIONAL = regex.compile("[這們個時來為會於後與點發對從當體還國長門問間開關說頁檔載網頁號傳]")


def _looks_traditional(text: str) -> bool:
    return RE_TRADITIONAL.search(text, 0, TRADITIONAL_SAMPLE) is not None


TRADITIONAL_SAMPLE = 20_000  # a traditional page shows itself in its first characters


def _variants(words: list[str], traditional: bool) -> set[str]:
    """Each word, and with ``traditional`` its traditional form too."""
    if not traditional:
        return set(words)
    try:
        converter = _traditional()
    except Exception:  # OpenCC missing: simplified forms only
        return set(words)
    return set(words) | {converter.convert(w) for w in words}


def _lexicon(rules: RuleSet, *, traditional: bool = False) -> Lexicon | None:
    """The compiled chrome data of the rules (with traditional forms only for a traditional page: they
    cost an OpenCC load and a larger pattern)."""
    words = rules.settings.get("chrome_words")
    fields_table = rules.settings.get("chrome_fields")
    if not words or not fields_table:
        return None
    key = (repr(words), repr(fields_table), repr(rules.settings.get("chrome_templates", {})), traditional)
    return _compiled(key, rules, traditional)


_CACHE: dict[tuple[str, str, str, bool], Lexicon] = {}


def _compiled(key: tuple[str, str, str, bool], rules: RuleSet, traditional: bool) -> Lexicon:
    if key in _CACHE:
        return _CACHE[key]
    weights: dict[str, float] = {}
    for kind in rules.settings["chrome_words"].values():
        for word in _variants(list(kind["words"]), traditional):
            weights[word.lower()] = max(weights.get(word.lower(), 0.0), float(kind["weight"]))
    fields_table = rules.settings["chrome_fields"]
    strong = _variants(list(fields_table.get("strong", [])), traditional)
    every_field = strong | _variants(list(fields_table.get("weak", [])), traditional)
    templates = tuple(
        Template(
            name,
            str(raw.get("kind", "line")),
            float(raw.get("weight", 0.0)),
            regex.compile(raw["pattern"]),
            str(raw.get("replace", "")),
            str(raw.get("description", name)),
            tuple(raw.get("requires", ())),
        )
        for name, raw in rules.settings.get("chrome_templates", {}).items()
    )
    lexicon = Lexicon(
        _alternation(weights),
        weights,
        regex.compile(
            r"【?("
            + "|".join(_word_pattern(f, spaced=True) for f in sorted(every_field, key=len, reverse=True))
            + r")(?:\s*[:：]|】)"
        ),
        frozenset(strong),
        templates,
        AhoCorasick(
            sorted({w.lower() for w in weights} | {f.lower() for f in every_field}), matchkind=MatchKind.Standard
        ),
    )
    _CACHE[key] = lexicon
    return lexicon


def _word_pattern(word: str, *, spaced: bool = False) -> str:
    """A word as a pattern; one with Latin letters must not sit inside a longer Latin word. A spaced
    field name (``资 源 描 述:``) still counts."""
    pattern = r"\s*".join(regex.escape(ch) for ch in word) if spaced else regex.escape(word)
    if RE_LATIN.search(word):
        return rf"(?<![A-Za-z]){pattern}(?![A-Za-z])"
    return pattern


def _alternation(weights: dict[str, float]) -> regex.Pattern[str]:
    return regex.compile("|".join(_word_pattern(w) for w in sorted(weights, key=len, reverse=True)), regex.IGNORECASE)


def _template_spans(text: str, lexicon: Lexicon) -> list[Edit]:
    """Edits removing the spans of ``span`` templates (non-overlapping, first template first)."""
    edits: list[Edit] = []
    taken: list[tuple[int, int]] = []
    for template in lexicon.templates:
        if template.kind != "span" or (template.requires and not any(lit in text for lit in template.requires)):
            continue
        for match in template.pattern.finditer(text):
            if match.end() == match.start() or _overlaps(taken, match.start(), match.end()):
                continue
            start, end = match.span()
            replacement = template.replace
            line_start = text.rfind("\n", 0, start) + 1
            line_end = text.find("\n", end)
            line_end = len(text) if line_end == -1 else line_end
            if replacement == "\n" and (end == line_end or start == line_start):
                replacement = ""
            if not replacement and not text[line_start:start].strip() and not text[end:line_end].strip():
                end = min(line_end + 1, len(text))  # the template was the whole line: its line break goes too
            reason = f"site chrome ({template.description}; template weight {template.weight:.1f})"
            edits.append(make_edit(STAGE, f"chrome.{template.name}", text, start, end, replacement, reason))
            taken.append((start, end))
    return edits


def _lines(text: str) -> list[tuple[int, int]]:
    spans = []
    start = 0
    while start <= len(text):
        end = text.find("\n", start)
        end = len(text) if end == -1 else end
        spans.append((start, end))
        start = end + 1
    return spans


def _is_body(line: str, cfg: ChromeSettings) -> bool:
    return len(line) >= cfg.body_min_chars and RE_SENTENCE_PUNCT.search(line) is not None


class _Vocabulary:
    """The Han character pairs occurring at least twice in (a sample of) the body lines, counted only
    when a line asks."""

    def __init__(self, lines: list[str], sample_chars: int) -> None:
        self.lines = lines
        self.sample_chars = sample_chars
        self._pairs: set[str] | None = None

    def __contains__(self, pair: str) -> bool:
        if self._pairs is None:
            total = sum(len(line) for line in self.lines)
            step = max(1, total // self.sample_chars)  # every step-th body line: bounded on a long document
            counts = Counter(m for line in self.lines[::step] for m in RE_HAN_PAIR.findall(line))
            self._pairs = {pair for pair, n in counts.items() if n >= 2}
        return pair in self._pairs


def _score_lines(text: str, cfg: ChromeSettings, lexicon: Lexicon, metadata: dict[str, Any]) -> list[Scored]:
    """The scored short lines of ``text`` (every non-empty line of at most ``max_line_chars``); the last
    text's are kept, so flagging the text the last cleaning pass left costs nothing more."""
    key = (cfg, id(lexicon), str(metadata.get("title") or ""))
    last_key, last_text, last_items = _LAST[0]  # one tuple, read and replaced whole: safe across threads
    if last_key == key and last_text is text:
        return last_items
    items = _score(text, cfg, lexicon, metadata)
    _LAST[0] = (key, text, items)
    return items


_LAST: list[tuple[Any, str | None, list[Scored]]] = [(None, None, [])]


def _score(text: str, cfg: ChromeSettings, lexicon: Lexicon, metadata: dict[str, Any]) -> list[Scored]:
    spans = _lines(text)
    stripped = [text[s:e].strip() for s, e in spans]
    is_body = [_is_body(line, cfg) for line in stripped]
    body_rows = [i for i, body in enumerate(is_body) if body]
    if not body_rows:
        return []
    first_body, last_body = body_rows[0], body_rows[-1]
    body_lines = [stripped[i] for i in body_rows]
    vocabulary = _Vocabulary(body_lines, cfg.vocabulary_sample_chars)
    # whether the nearest non-empty line before / after each line is a body line
    body_before, body_after = [False] * len(stripped), [False] * len(stripped)
    last = False
    for i, line in enumerate(stripped):
        body_before[i] = last
        if line:
            last = is_body[i]
    last = False
    for i in range(len(stripped) - 1, -1, -1):
        body_after[i] = last
        if stripped[i]:
            last = is_body[i]
    hits, templated = _rows_with_evidence(text, spans, lexicon)
    page_break_near = [False] * len(spans)
    if "\f" in text:
        for i, (start, end) in enumerate(spans):
            if "\f" in text[start:end]:
                for j in (i - 1, i, i + 1):
                    if 0 <= j < len(spans):
                        page_break_near[j] = True
    items: list[Scored] = []
    rows: list[int] = []
    for i, ((start, end), line) in enumerate(zip(spans, stripped, strict=True)):
        if not line or len(line) > cfg.max_line_chars or (is_body[i] and i not in hits):
            continue  # a body line without any chrome evidence scores below zero: not worth scoring
        zone = "head" if i < first_body else "tail" if i > last_body else "mid"
        if zone == "mid" and (page_break_near[i] or "\f" in text[start:end]):
            zone = "gap"  # next to a page break: where running headers and footers sit
        if zone == "mid" and not (body_before[i] and body_after[i]):
            zone = "gap"
        if zone in ("mid", "gap") and (
            i not in hits or (is_body[i] and RE_SENTENCE_END.search(line) and i not in templated)
        ):
            # between body lines, a line without chrome words, fields, dates or templates cannot reach
            # flag_at; and a sentence there is body, whatever words it uses
            continue
        lead = len(text[start:end]) - len(text[start:end].lstrip())
        item = Scored(start + lead, start + lead + len(line), line, zone)
        _evidence(item, cfg, lexicon, vocabulary)
        items.append(item)
        rows.append(i)
    _menus(items, rows, cfg)
    _neighbours_of_chrome(items, rows, cfg)
    _echoes(items, cfg, body_lines, metadata)
    return items


def _rows_with_evidence(text: str, spans: list[tuple[int, int]], lexicon: Lexicon) -> tuple[set[int], set[int]]:
    """The lines holding a chrome word, a field name, a date or a line template, and those holding a line
    template, found by scanning the whole text once per kind (a lower-cased copy for the words, when
    lower-casing keeps its length)."""
    starts = [start for start, _ in spans]
    positions: list[int] = []
    lowered = text.lower()
    if len(lowered) == len(text):
        positions += [start for _, start, _ in lexicon.literals.find_matches_as_indexes(lowered)]
    else:
        positions += [m.start() for m in lexicon.words.finditer(text)]
        positions += [m.start() for m in lexicon.fields.finditer(text)]
    positions += [m.start() for m in RE_DATE.finditer(text)]
    templated = [
        m.start()
        for t in lexicon.templates
        if t.kind == "line" and (not t.requires or any(lit in text for lit in t.requires))
        for m in t.pattern.finditer(text)
    ]
    rows = {bisect.bisect_right(starts, position) - 1 for position in positions + templated}
    return rows, {bisect.bisect_right(starts, position) - 1 for position in templated}


def _evidence(item: Scored, cfg: ChromeSettings, lexicon: Lexicon, vocabulary: _Vocabulary) -> None:
    line = item.line
    evidence = item.evidence
    explained = [(m.start(), m.end()) for m in RE_FILLER.finditer(line)]
    words = {}
    for match in lexicon.words.finditer(line):
        words[match.group().lower()] = lexicon.weights.get(match.group().lower(), 1.0)
        explained.append(match.span())
    if words:
        item.words = set(words)
        evidence.append((f"chrome words {'/'.join(sorted(words))}", min(cfg.lexicon_cap, sum(words.values()))))
    field_names = []
    for match in lexicon.fields.finditer(line):
        field_names.append(match.group(1).replace(" ", ""))
        explained.append(match.span())
    if field_names:
        first = lexicon.fields.match(line, pos=_lead(line))
        if len(set(field_names)) >= 2:
            evidence.append((f"fields {'/'.join(dict.fromkeys(field_names))}", cfg.field_run_points))
        elif first:
            strong = first.group(1).replace(" ", "") in lexicon.strong_fields
            points = cfg.strong_field_points if strong else cfg.weak_field_points
            evidence.append((f"field {first.group(1)}:", points))
    dates = [m.span() for m in RE_DATE.finditer(line)]
    timestamp = any(":" in line[a:b] and "-" in line[a:b] for a, b in dates)
    if dates and len(line) <= cfg.date_line_chars:
        evidence.append(
            ("date and time" if timestamp else "date", cfg.date_points + (cfg.time_points if timestamp else 0))
        )
    explained.extend(dates)
    explained.extend(m.span() for m in RE_URL.finditer(line))
    explained.extend(m.span() for m in RE_DOI.finditer(line))
    explained.extend(m.span() for m in RE_NUMBER.finditer(line))
    _breadcrumb(item, cfg)
    templated = False
    for template in lexicon.templates:
        if template.kind == "line" and template.pattern.search(line):
            evidence.append((f"template {template.name}", template.weight))
            templated = True
    residual = _residual(line, explained)
    item.residual = residual
    residual_chars = sum(len(r) for r in residual)
    hits = bool(words or field_names or dates)
    limit = cfg.explained_residual_with_words if (words or field_names or timestamp) else cfg.explained_residual
    if hits and residual_chars <= limit and residual_chars <= cfg.explained_share * len(line):
        evidence.append((f"explained but {residual_chars} characters", cfg.explained_points))
    if not any(p in line for p in SENTENCE_PUNCT + "。") and len(line) <= cfg.bare_line_chars:
        evidence.append(("no sentence punctuation", cfg.bare_points))
    if len(line) >= 25 and RE_SENTENCE_END.search(line) and any(p in line for p in "，,。"):
        evidence.append(("reads as a sentence", cfg.sentence_points))
    elif RE_SENTENCE_END.search(line) and not templated:
        evidence.append(("ends a sentence", cfg.sentence_end_points))
    pairs = [p for p in RE_HAN_PAIR.findall(_strip_words(line, words)) if p]
    field_led = bool(field_names) and lexicon.fields.match(line, pos=_lead(line)) is not None
    if len(pairs) >= cfg.vocabulary_min_pairs and not field_led and not templated:
        share = sum(p in vocabulary for p in pairs) / len(pairs)
        if share >= cfg.vocabulary_share:
            evidence.append((f"body vocabulary {share:.0%}", cfg.vocabulary_points))


def _lead(line: str) -> int:
    """Where the line's text starts after bullets and emoji."""
    match = RE_FILLER.match(line)
    return match.end() if match else 0


def _strip_words(line: str, words: dict[str, float]) -> str:
    for word in words:
        line = line.replace(word, " ")
    return line


def _residual(line: str, spans: list[tuple[int, int]]) -> list[str]:
    """The stretches of the line no chrome evidence explains."""
    covered = bytearray(len(line))
    for start, end in spans:
        covered[start:end] = b"\x01" * (end - start)
    out = []
    current = []
    for ch, flag in zip(line, covered, strict=True):
        if flag:
            if current:
                out.append("".join(current))
                current = []
        else:
            current.append(ch)
    if current:
        out.append("".join(current))
    return [r for part in out for r in RE_RESIDUAL.findall(part)]


def _breadcrumb(item: Scored, cfg: ChromeSettings) -> None:
    line = item.line
    segments = [s for s in RE_BREADCRUMB_SEP.split(line) if s.strip()]
    separators = len(RE_BREADCRUMB_SEP.findall(line))
    starts_nav = line.lstrip().startswith(NAV_STARTS)
    spaced = [s for s in line.split() if s]
    if starts_nav and separators == 0 and 3 <= len(spaced) <= 6 and not any(p in line for p in SENTENCE_PUNCT + "。"):
        item.evidence.append(("breadcrumb (spaces)", cfg.breadcrumb_points))
        return
    if separators < 2 or not segments or max(len(s) for s in segments) > cfg.breadcrumb_max_segment:
        return
    if starts_nav or line.rstrip().endswith("正文"):
        item.evidence.append(("breadcrumb", cfg.breadcrumb_points))
    elif not any(p in line for p in SENTENCE_PUNCT + "。"):
        item.evidence.append(("separated segments", cfg.breadcrumb_bare_points))


def _menus(items: list[Scored], rows: list[int], cfg: ChromeSettings) -> None:
    """Runs of short lines in the head or tail, many of them chrome words: a menu."""
    run: list[Scored] = []
    previous = -2

    def close() -> None:
        hits = sum(bool(x.words) for x in run)
        if len(run) >= cfg.menu_min_lines and (hits >= cfg.menu_min_share * len(run) or (hits >= 3 and len(run) >= 8)):
            for x in run:
                x.evidence.append((f"menu of {len(run)} short lines", cfg.menu_points))
        run.clear()

    for item, row in zip(items, rows, strict=True):
        short = len(item.line) <= cfg.menu_max_chars and not any(p in item.line for p in "，。,")
        if short and item.zone in ("head", "tail") and row == previous + 1:
            run.append(item)
        else:
            close()
            if short and item.zone in ("head", "tail"):
                run.append(item)
        previous = row
    close()


def _neighbours_of_chrome(items: list[Scored], rows: list[int], cfg: ChromeSettings) -> None:
    """A line right before or after a line already scored as chrome, with some chrome evidence of its
    own, gains ``neighbour_points`` (once; it does not spread further)."""
    chrome_rows = {
        row
        for item, row in zip(items, rows, strict=True)
        if item.score(cfg.mid_factor, cfg.gap_factor) >= cfg.remove_at
    }
    for item, row in zip(items, rows, strict=True):
        if row in chrome_rows or item.raw < cfg.flag_at:
            continue
        if row - 1 in chrome_rows or row + 1 in chrome_rows:
            item.evidence.append(("next to chrome", cfg.neighbour_points))


def _echoes(items: list[Scored], cfg: ChromeSettings, body: list[str], metadata: dict[str, Any]) -> None:
    """Lines made only of the site's own name: a word mixing Han with Latin letters or digits (彩神88,
    彩神ap) left over in lines already scored as chrome, that no body line holds. A breadcrumb's leftover
    is the page's title, never a name."""
    title = str(metadata.get("title") or "").lower()
    names = {
        r.lower()
        for x in items
        if x.score(cfg.mid_factor, cfg.gap_factor) >= cfg.remove_at and not _is_breadcrumb(x)
        for r in x.residual
        if len(r) >= cfg.echo_min_chars and _mixed(r) and r.lower() not in title
    }
    if not names:
        return
    joined = "\n".join(body).lower()
    names = {n for n in names if n not in joined}
    if not names:
        return
    for x in items:
        if x.zone not in ("head", "tail") or x.score(cfg.mid_factor, cfg.gap_factor) >= cfg.remove_at:
            continue
        if x.residual and all(r.lower() in names for r in x.residual):
            x.evidence.append((f"site name {'/'.join(dict.fromkeys(x.residual))}", cfg.echo_points))


def _is_breadcrumb(item: Scored) -> bool:
    return any(name.startswith("breadcrumb") for name, _ in item.evidence)


def _mixed(word: str) -> bool:
    """A word mixing Han characters with Latin letters or digits (彩神ap, 彩神88, seo靠我)."""
    return bool(RE_LATIN_OR_DIGIT.search(word)) and bool(RE_HAN.search(word))


def _site_name_spans(text: str, removed: list[Scored], taken: list[tuple[int, int]], cfg: ChromeSettings) -> list[Edit]:
    """The site's name glued into the body: a word mixing Latin letters and Han (seo靠我) left over in removed
    lines (not breadcrumbs) that recurs, whatever its case, inside at least two body lines."""
    names = {
        r
        for x in removed
        if not _is_breadcrumb(x)
        for r in x.residual
        if len(r) >= cfg.echo_min_chars + 1 and RE_LATIN.search(r) and RE_HAN.search(r)
    }
    if not names:
        return []
    body = [x for x in _lines(text) if _is_body(text[x[0] : x[1]].strip(), cfg)]
    names = {n for n in names if sum(n.lower() in text[a:b].lower() for a, b in body) >= 2}
    edits = []
    for name in sorted(names, key=len, reverse=True):
        pattern = regex.compile(r"[ \t]?" + regex.escape(name), regex.IGNORECASE)
        for match in pattern.finditer(text):
            if _overlaps(taken, match.start(), match.end()):
                continue
            reason = f"site name {name!r} (left over in removed chrome lines) glued into the text"
            edits.append(make_edit(STAGE, "chrome.site-name", text, match.start(), match.end(), "", reason))
            taken.append(match.span())
    return edits
