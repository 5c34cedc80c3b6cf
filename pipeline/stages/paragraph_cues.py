"""Where flattened text starts a paragraph, from the document's own cues (no reference needed).

A sharing site that flattens a document leaves its sentences intact; what opened each paragraph is
still there. :func:`cue_paragraph_starts` finds, in order of evidence:

* a **salutation** that opens the body (``同志们：`` ``各学院、各部门：``): the body starts after it;
* a **lead-in** that announces what follows (``现将有关事项通知如下。``): a paragraph starts after it;
* an **enumeration** of paragraphs: ``一是…。二是…。`` ``一要…。二要…。`` ``首先，…。其次，…。``
  ``第一，…。第二，…。`` ``1.…。2.…。`` — members numbered 1, 2, … in order, the first at the start of a
  paragraph (a line start, after the end of a sentence, a lead-in or a heading glued to it), each
  item long enough to be a paragraph. A series opened after ``：`` or ``，`` (``比如：一是…。二是…。``)
  or with items separated by ``；`` is an inline list: left alone;
* a **paragraph opener** after the end of a sentence: a strong one (``与此同时，`` ``总之，``
  ``同志们，``) always, a weak one (``同时，`` ``此外，`` ``另外，``) only in a stretch much longer than
  the paragraphs that kept their breaks, and never leaving a short piece.

Every split is right after ``。！？`` (or a closing quote after one), after a salutation or a
lead-in, or before the enumeration member that follows a heading: never inside a sentence. What the
cues are is data in ``rules/common/paragraphs.toml``.

    >>> from pipeline.rules import load_rules
    >>> text = "同志们：今天开会。一要守住底线，确保粮食安全稳定。二要发展产业，促进农民增收致富。"
    >>> [text[p:p + 3] for p, _, _ in cue_paragraph_starts(text, rules=load_rules())]
    ['今天开', '一要守', '二要发']
"""

from __future__ import annotations

import bisect
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import regex

from ..rules import RuleSet

CueStart = tuple[int, str, str]  # position, rule id, reason

RE_NEWLINE = regex.compile(r"\n")
RE_PUNCT = regex.compile(r"[，。！？；：,.!?;:、]")
CLOSING_QUOTES = "”’」』"
SENTENCE_ENDS = "。！？!?"
NUMERALS = {ch: n for n, ch in enumerate("一二三四五六七八九十", start=1)}


@dataclass(frozen=True, slots=True)
class CueSettings:
    """The cues of ``[salutations]``, ``[lead_ins]``, ``[enumerations]`` and ``[openers]``, compiled."""

    salutation: regex.Pattern[str] | None
    lead_in: regex.Pattern[str] | None
    series: tuple[tuple[str, regex.Pattern[str]], ...]
    strong: regex.Pattern[str] | None
    weak: regex.Pattern[str] | None
    min_item_chars: int
    min_piece_chars: int
    typical_chars: int
    long_factor: float
    piece_factor: float
    max_heading_chars: int


def _alternation(items: Sequence[str], *, escape: bool) -> regex.Pattern[str] | None:
    """One pattern for ``items`` (regexes, or phrases with ``escape``; a phrase ending in ``，`` also
    matches with ``,``, as the paragraphs stage runs before punctuation is normalised)."""
    if escape:
        items = [*items, *(item[:-1] + "," for item in items if item.endswith("，"))]
    parts = [regex.escape(item) if escape else f"(?:{item})" for item in items if item]
    return regex.compile("|".join(parts)) if parts else None


@lru_cache(maxsize=16)
def _settings(
    salutations: tuple[str, ...],
    lead_ins: tuple[str, ...],
    series: tuple[tuple[str, str], ...],
    strong: tuple[str, ...],
    weak: tuple[str, ...],
    numbers: tuple[int, int, int, float, float, int],
) -> CueSettings:
    return CueSettings(
        _alternation(salutations, escape=False),
        _alternation(lead_ins, escape=False),
        tuple((name, regex.compile(pattern)) for name, pattern in series),
        _alternation(strong, escape=True),
        _alternation(weak, escape=True),
        *numbers,
    )


def cue_settings(rules: RuleSet) -> CueSettings:
    """The paragraph cues of ``rules``, compiled once per distinct setting."""
    series = rules.setting("enumerations", "series", [])
    return _settings(
        tuple(rules.setting("salutations", "patterns", [])),
        tuple(rules.setting("lead_ins", "patterns", [])),
        tuple((str(item["name"]), str(item["pattern"])) for item in series),
        tuple(rules.setting("openers", "after_sentence", [])),
        tuple(rules.setting("openers", "after_sentence_weak", [])),
        (
            int(rules.setting("enumerations", "min_item_chars", 12)),
            int(rules.setting("openers", "min_piece_chars", 12)),
            int(rules.setting("openers", "typical_paragraph_chars", 120)),
            float(rules.setting("openers", "weak_long_factor", 2.0)),
            float(rules.setting("openers", "weak_piece_factor", 0.6)),
            int(rules.setting("enumerations", "max_heading_chars", 40)),
        ),
    )


def after_sentence_end(text: str, pos: int) -> bool:
    """Whether ``pos`` follows ``。！？`` (or a closing quote right after one) on the same line."""
    if pos <= 0:
        return False
    if text[pos - 1] in SENTENCE_ENDS:
        return True
    return pos >= 2 and text[pos - 1] in CLOSING_QUOTES and text[pos - 2] in SENTENCE_ENDS


def cue_paragraph_starts(
    text: str,
    *,
    rules: RuleSet,
    heading_at_start: regex.Pattern[str] | None = None,
    split_points: Sequence[int] = (),
    body_start: int = 0,
    typical: int | None = None,
) -> list[CueStart]:
    """Positions where a paragraph starts, found from the text's own cues (see the module).

    ``split_points`` are the paragraph starts found already (headings, the title); ``body_start`` is
    where the body begins (after the title line); ``typical`` the length of the paragraphs that kept their
    breaks, when the caller measured it (else it is measured on ``text``). Positions at a line start are
    never returned.
    """
    cues = cue_settings(rules)
    found: dict[int, tuple[str, str]] = {}

    def add(pos: int, rule_id: str, reason: str) -> None:
        if 0 < pos < len(text) and text[pos - 1] != "\n" and pos not in found:
            found[pos] = (rule_id, reason)

    for pos in _salutation_ends(text, cues, body_start):
        add(pos, "paragraphs.split-after-salutation", "a salutation (同志们：) stands on its own line")
    for pos in _lead_in_ends(text, cues):
        add(pos, "paragraphs.split-after-lead-in", "a lead-in (…如下。) announces the paragraphs that follow")
    known = sorted({*split_points, *found})
    for pos, reason in _enumeration_starts(text, cues, known, heading_at_start):
        add(pos, "paragraphs.split-at-enumeration", reason)
    known = sorted({*split_points, *found})
    for pos, rule_id, reason in _opener_starts(text, cues, known, typical):
        add(pos, rule_id, reason)
    return sorted((pos, rule_id, reason) for pos, (rule_id, reason) in found.items())


def _salutation_ends(text: str, cues: CueSettings, body_start: int) -> list[int]:
    """The end of a salutation at the start of the body (``同志们：``)."""
    if cues.salutation is None:
        return []
    start = body_start
    while start < len(text) and text[start] in " \t\u3000\n":
        start += 1
    match = cues.salutation.match(text, start)
    if not match or match.end() >= len(text) or text[match.end()] == "\n":
        return []
    return [match.end()]


def _lead_in_ends(text: str, cues: CueSettings) -> list[int]:
    """Ends of lead-in sentences (``现将有关事项通知如下。``) followed by more text on the line."""
    if cues.lead_in is None:
        return []
    return [m.end() for m in cues.lead_in.finditer(text) if m.end() < len(text) and text[m.end()] != "\n"]


@dataclass(slots=True)
class _Member:
    pos: int
    number: int


LAST = -1  # 最后: closes a run whatever its length


def _ordinal(value: str) -> int | None:
    if value.isdigit():
        return int(value)
    if value in NUMERALS:
        return NUMERALS[value]
    return {"首先": 1, "其次": 2, "再次": 3, "最后": LAST}.get(value)


def _enumeration_starts(
    text: str, cues: CueSettings, known: list[int], heading_at_start: regex.Pattern[str] | None
) -> list[tuple[int, str]]:
    """Starts of the members of enumerated paragraphs (``一是…。二是…。三是…。``)."""
    found: list[tuple[int, str]] = []
    for name, pattern in cues.series:
        members: list[_Member] = []
        for match in pattern.finditer(text):
            number = _ordinal(match.group("n"))
            if number is not None:
                members.append(_Member(match.start(), number))
        for run in _runs(members):
            if not _is_paragraph_series(text, run, cues, known, heading_at_start):
                continue
            reason = f"member {{}} of an enumeration of {len(run)} paragraphs ({name})"
            found.extend((m.pos, reason.format(m.number)) for m in run)
    return found


def _runs(members: list[_Member]) -> list[list[_Member]]:
    """Runs of members numbered 1, 2, 3… in text order (what comes between is not looked at)."""
    runs: list[list[_Member]] = []
    current: list[_Member] = []
    for member in members:
        if member.number == 1:
            if len(current) >= 2:
                runs.append(current)
            current = [member]
        elif current and member.number == current[-1].number + 1:
            current.append(member)
        elif current and member.number == LAST and len(current) >= 2:
            runs.append([*current, member])
            current = []
    if len(current) >= 2:
        runs.append(current)
    return runs


def _is_paragraph_series(
    text: str,
    run: list[_Member],
    cues: CueSettings,
    known: list[int],
    heading_at_start: regex.Pattern[str] | None,
) -> bool:
    """Whether a run of members opens paragraphs: every member at a paragraph start, the first one
    after a sentence end, a line start, a known start or a heading; each item long enough."""
    for k, member in enumerate(run):
        at_start = member.pos == 0 or text[member.pos - 1] == "\n" or _known(known, member.pos)
        if k == 0 and not (at_start or after_sentence_end(text, member.pos)):
            if not _after_heading(text, member.pos, known, heading_at_start, cues.max_heading_chars):
                return False
        elif k > 0 and not (at_start or after_sentence_end(text, member.pos)):
            return False
        end = run[k + 1].pos if k + 1 < len(run) else _next_start(text, member.pos, known)
        if end - member.pos < cues.min_item_chars:
            return False
    return True


def _known(known: list[int], pos: int) -> bool:
    i = bisect.bisect_left(known, pos)
    return i < len(known) and known[i] == pos


def _next_start(text: str, pos: int, known: list[int]) -> int:
    """The next line start or known paragraph start after ``pos`` (the end of the last item)."""
    line_end = text.find("\n", pos)
    i = bisect.bisect_right(known, pos)
    candidates = [len(text) if line_end < 0 else line_end, *(known[i : i + 1])]
    return min(candidates)


def _after_heading(
    text: str, pos: int, known: list[int], heading_at_start: regex.Pattern[str] | None, max_chars: int
) -> bool:
    """Whether ``pos`` ends a heading glued to what follows (``三、全力抓好重点工作一要…``)."""
    if heading_at_start is None:
        return False
    line_start = text.rfind("\n", 0, pos) + 1
    i = bisect.bisect_left(known, pos)
    start = max(line_start, known[i - 1] if i > 0 else 0)
    if pos - start > max_chars:
        return False
    match = heading_at_start.match(text, start, pos)
    return bool(match) and match.end() < pos and not RE_PUNCT.search(text, match.end(), pos)


def _opener_starts(text: str, cues: CueSettings, known: list[int], typical: int | None = None) -> list[CueStart]:
    """Sentences opening with a paragraph opener (``与此同时，``), each leaving pieces long enough."""
    found: list[CueStart] = []
    typical = typical or _typical_length(text, cues.typical_chars)
    bounds = sorted({0, len(text), *known, *(m.end() for m in RE_NEWLINE.finditer(text))})
    for pattern, weak in ((cues.strong, False), (cues.weak, True)):
        if pattern is None:
            continue
        for match in pattern.finditer(text):
            pos = match.start()
            if not after_sentence_end(text, pos):
                continue
            i = bisect.bisect_right(bounds, pos)
            start, end = bounds[i - 1], bounds[i] if i < len(bounds) else len(text)
            before, after = pos - start, end - pos
            if weak:
                if end - start < cues.long_factor * typical:
                    continue
                minimum = cues.piece_factor * typical
            else:
                minimum = cues.min_piece_chars
            if before < minimum or after < minimum:
                continue
            kind = "weak " if weak else ""
            reason = f"a sentence opening with the {kind}paragraph opener {match.group()!r}"
            if weak:
                reason += f" in a stretch of {end - start} characters (paragraphs here: about {typical})"
            found.append((pos, "paragraphs.split-at-opener", reason))
            bisect.insort(bounds, pos)
    return found


def _typical_length(text: str, default: int) -> int:
    """The median length of the paragraphs that kept their breaks (lines ending a sentence), or ``default``."""
    lengths = [len(line) for line in text.split("\n") if len(line) >= 20 and line.rstrip()[-1:] in "。！？”"]
    if len(lengths) < 3:
        return default
    return int(statistics.median(lengths))
