"""Stage 5: normalise Unicode, punctuation and whitespace without touching what is right.

* :func:`normalise_unicode` — NFC, zero-width characters removed, odd spaces made plain, and the
  compatibility forms that are damage (Kangxi radicals ``⽉`` → ``月``, full-width ``Ａ１`` → ``A1``)
  replaced. Unlike NFKC (and ftfy's defaults) it leaves Chinese full-width punctuation alone.
* :func:`normalise_punctuation` — half-width ``, ; : ! ? ( )`` inside Chinese text become
  ``，；：！？（）``; numbers (``1,000``), URLs, e-mail addresses and Latin runs keep theirs::

      指出,“得网络者得天下”  →  指出，“得网络者得天下”

* :func:`normalise_whitespace` — lines trimmed, blank lines dropped, runs of spaces collapsed, and
  spaces between Chinese characters (or next to Chinese punctuation) removed.

Character lists come from ``rules/common/normalise.toml``.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from functools import lru_cache
from typing import Any

import numpy as np
import regex

from pipeline.document import Edit, make_edit
from pipeline.language import code_points, han_mask
from pipeline.rules import RuleSet

STAGE = "normalise"
HAN = r"\p{Han}"


@lru_cache(maxsize=8)
def _unicode_table(
    remove: tuple[str, ...], spaces: tuple[str, ...], ranges: tuple[tuple[str, str], ...]
) -> tuple[dict[str, str], regex.Pattern[str]]:
    table: dict[str, str] = {ch: "" for ch in remove}
    table.update({ch: " " for ch in spaces})
    for low, high in ranges:
        for code in range(ord(low), ord(high) + 1):
            ch = chr(code)
            norm = unicodedata.normalize("NFKC", ch)
            if norm != ch:
                table[ch] = norm
    # the stdlib engine scans a plain character class several times faster than ``regex``
    return table, re.compile("[" + _char_class(sorted(table)) + "]+") if table else re.compile(r"(?!)")


def _char_class(chars: list[str]) -> str:
    """A compact character class body: consecutive code points written as ranges."""
    parts = []
    i = 0
    while i < len(chars):
        j = i
        while j + 1 < len(chars) and ord(chars[j + 1]) == ord(chars[j]) + 1:
            j += 1
        low, high = re.escape(chars[i]), re.escape(chars[j])
        parts.append(low if i == j else f"{low}-{high}")
        i = j + 1
    return "".join(parts)


def normalise_unicode(text: str, *, rules: RuleSet, metadata: dict[str, Any]) -> list[Edit]:
    """Edits for Unicode damage: NFC, zero-width characters, odd spaces, compatibility look-alikes.

    >>> from pipeline.rules import load_rules
    >>> from pipeline.document import apply_edits
    >>> t = "⽉亮\\u200b升起"
    >>> apply_edits(t, normalise_unicode(t, rules=load_rules(), metadata={}))
    '月亮升起'
    """
    table, pattern = _unicode_table(
        tuple(rules.setting("unicode", "remove", [])),
        tuple(rules.setting("unicode", "spaces", [])),
        tuple(tuple(pair) for pair in rules.setting("unicode", "nfkc_ranges", [])),
    )
    edits = []
    for match in pattern.finditer(text):
        before = match.group()
        after = "".join(table[ch] for ch in before)
        kinds = sorted({_unicode_kind(ch, table[ch]) for ch in before})
        edits.append(make_edit(STAGE, "normalise.unicode", text, match.start(), match.end(), after, "; ".join(kinds)))
    if not text.isascii() and not unicodedata.is_normalized("NFC", text):
        edits = _merge_nfc(text, edits)
    return edits


def _unicode_kind(ch: str, replacement: str) -> str:
    if not replacement:
        return "invisible character removed"
    if replacement == " ":
        return "odd space made plain"
    return "compatibility form replaced by the normal character"


def _merge_nfc(text: str, edits: list[Edit]) -> list[Edit]:
    """Add NFC edits for characters that NFC changes, where no other edit already covers them."""
    covered = [(e.start, e.end) for e in edits]
    out = list(edits)
    for match in regex.finditer(r"\X", text):
        cluster = match.group()
        nfc = unicodedata.normalize("NFC", cluster)
        if nfc != cluster and not any(s < match.end() and match.start() < e for s, e in covered):
            out.append(make_edit(STAGE, "normalise.nfc", text, match.start(), match.end(), nfc, "Unicode NFC form"))
    return out


@lru_cache(maxsize=8)
def _punctuation_patterns(
    marks: str, cjk_punct: str, protect: tuple[str, ...]
) -> tuple[regex.Pattern[str], regex.Pattern[str], regex.Pattern[str] | None, regex.Pattern[str]]:
    plain = re.escape(marks.replace("(", "").replace(")", ""))
    in_chinese = re.compile(f"[{plain}]+")
    parens = re.compile(r"[()]")
    protect_re = regex.compile("|".join(f"(?:{p})" for p in protect)) if protect else None
    return in_chinese, parens, protect_re, regex.compile(f"[{HAN}{regex.escape(cjk_punct)}]")


REASONS = {mark: f"half-width {mark!r} in Chinese text made full-width" for mark in ",;:!?"}


def normalise_punctuation(text: str, *, rules: RuleSet, metadata: dict[str, Any]) -> list[Edit]:
    """Edits turning half-width ``, ; : ! ? ( )`` in Chinese text full-width.

    A mark is converted when the nearest non-space character before or after it is Chinese (a Han
    character or Chinese punctuation); a pair of parentheses when it encloses Chinese or stands
    between Chinese. Marks inside protected spans (numbers, URLs, e-mail) are left alone.
    """
    mapping: dict[str, str] = rules.setting("punctuation", "map", {})
    if not mapping or not any(mark in text for mark in mapping):
        return []
    marks_re, parens, protect_re, chinese_re = _punctuation_patterns(
        "".join(mapping),
        rules.setting("punctuation", "cjk_punctuation", ""),
        tuple(rules.setting("punctuation", "protect", [])),
    )
    protected: list[tuple[int, int]] = [m.span() for m in protect_re.finditer(text)] if protect_re else []
    protected_starts = [start for start, _ in protected]
    edits: list[Edit] = []
    cjk_punct = frozenset(rules.setting("punctuation", "cjk_punctuation", ""))
    for match in marks_re.finditer(text):  # a run of marks ("?!", ",,") converts as a whole
        start, end = match.span()
        before, after = _neighbour(text, start, -1), _neighbour(text, end - 1, 1)
        if not (_is_chinese(before, cjk_punct) or _is_chinese(after, cjk_punct)):
            continue
        if match.group() == "?" and _lost_symbol(text, start):
            continue
        for pos in range(start, end):
            if protected and _inside(pos, protected, protected_starts):
                continue
            mark = text[pos]
            reason = REASONS.get(mark) or f"half-width {mark!r} made full-width"
            edits.append(Edit(STAGE, "normalise.punctuation", pos, pos + 1, mark, mapping[mark], reason))
    pending_open: list[int] = []
    spans = _SpanIndex(text) if "(" in text else None
    for match in parens.finditer(text):
        pos = match.start()
        if protected and _inside(pos, protected, protected_starts):
            continue
        if match.group() == "(":
            pending_open.append(pos)
            continue
        opener = _matching_open(pos, pending_open, spans) if spans else None
        if opener is not None and spans and _chinese_parens(text, opener, pos, chinese_re, spans):
            reason = "half-width parentheses in Chinese text made full-width"
            edits.append(make_edit(STAGE, "normalise.punctuation", text, opener, opener + 1, mapping["("], reason))
            edits.append(make_edit(STAGE, "normalise.punctuation", text, pos, pos + 1, mapping[")"], reason))
    return sorted(edits, key=lambda e: e.start)


RE_LOST_SYMBOL = re.compile(r"\?[ \t]*\d")


def _lost_symbol(text: str, pos: int) -> bool:
    """A ``?`` standing for a symbol a PDF font lost (``φ``, ``±``, ``≤``): right before a number, and
    not after a Han character, as in ``3、? 55、? 60`` — no question mark to make full-width."""
    before = text[pos - 1] if pos else ""
    return bool(RE_LOST_SYMBOL.match(text, pos)) and not ("\u3400" <= before <= "\u9fff")


def _inside(pos: int, spans: list[tuple[int, int]], starts: list[int]) -> bool:
    i = bisect.bisect_right(starts, pos) - 1
    return i >= 0 and spans[i][0] <= pos < spans[i][1]


class _SpanIndex:
    """Answers "is there a line break / a Han character in text[a:b]?" in O(log n), however long the
    span: nested or unclosed parentheses must not make the parenthesis pass quadratic."""

    SHORT = 64  # spans up to this long are simply searched

    def __init__(self, text: str) -> None:
        self.text = text
        self.breaks = [m.start() for m in RE_NEWLINE.finditer(text)]
        self._han: np.ndarray | None = None

    def has_break(self, start: int, end: int) -> bool:
        return bisect.bisect_left(self.breaks, start) != bisect.bisect_left(self.breaks, end)

    def has_han(self, start: int, end: int) -> bool:
        if end - start <= self.SHORT:
            return regex.search(HAN, self.text[start:end]) is not None
        if self._han is None:
            self._han = np.concatenate(([0], np.cumsum(han_mask(code_points(self.text)))))
        return bool(self._han[end] - self._han[start])


RE_NEWLINE = re.compile("\n")


def _matching_open(pos: int, pending: list[int], spans: _SpanIndex) -> int | None:
    while pending:
        opener = pending.pop()
        if not spans.has_break(opener, pos):
            return opener
    return None


def _is_chinese(ch: str, cjk_punct: frozenset[str]) -> bool:
    """A Han character (BMP blocks, extension A, compatibility) or Chinese punctuation."""
    return bool(ch) and (
        "\u4e00" <= ch <= "\u9fff" or ch in cjk_punct or "\u3400" <= ch <= "\u4dbf" or ch > "\U0001ffff"
    )


def _neighbour(text: str, pos: int, step: int) -> str:
    i = pos + step
    while 0 <= i < len(text) and text[i] in " \t":
        i += step
    return text[i] if 0 <= i < len(text) else ""


def _chinese_parens(text: str, opener: int, closer: int, chinese_re: regex.Pattern[str], spans: _SpanIndex) -> bool:
    if spans.has_han(opener + 1, closer):
        return True
    before, after = _neighbour(text, opener, -1), _neighbour(text, closer, 1)
    return bool(before and chinese_re.match(before)) and (not after or after == "\n" or bool(chinese_re.match(after)))


RE_SPACE_RUN = regex.compile(r"[ \t\u3000]+")
RE_LINE_BREAK = regex.compile(r"[ \t\u3000]*\n[ \t\u3000\n]*")


def normalise_whitespace(text: str, *, rules: RuleSet, metadata: dict[str, Any]) -> list[Edit]:
    """Edits trimming lines, dropping blank lines, collapsing spaces, removing spaces inside Chinese.

    ``"　　当前 ，互联网　已成为"`` → ``"当前，互联网已成为"``
    """
    cjk_punct = rules.setting("punctuation", "cjk_punctuation", "")
    chinese_re = regex.compile(f"[{HAN}{regex.escape(cjk_punct)}]")
    edits: list[Edit] = []
    lead = len(text) - len(text.lstrip(" \t\u3000\n"))
    if lead:
        edits.append(make_edit(STAGE, "normalise.whitespace", text, 0, lead, "", "leading blank space removed"))
    trail_start = len(text.rstrip(" \t\u3000\n"))
    if trail_start < len(text) and trail_start >= lead:
        edits.append(
            make_edit(STAGE, "normalise.whitespace", text, trail_start, len(text), "", "trailing blank space removed")
        )
    body_end = trail_start
    for match in RE_LINE_BREAK.finditer(text, lead, body_end):
        if match.group() != "\n":
            edits.append(
                make_edit(
                    STAGE,
                    "normalise.whitespace",
                    text,
                    *match.span(),
                    "\n",
                    "blank lines and spaces at line ends removed",
                )
            )
    for match in RE_SPACE_RUN.finditer(text, lead, body_end):
        start, end = match.span()
        if (start > 0 and text[start - 1] == "\n") or (end < len(text) and text[end] == "\n"):
            continue
        before = text[start - 1] if start > 0 else ""
        after = text[end] if end < len(text) else ""
        before_cjk, after_cjk = bool(chinese_re.match(before or " ")), bool(chinese_re.match(after or " "))
        if (before_cjk and after_cjk) or (before and before in cjk_punct) or (after and after in cjk_punct):
            edits.append(
                make_edit(STAGE, "normalise.whitespace", text, start, end, "", "space inside Chinese text removed")
            )
        elif match.group() != " ":
            edits.append(make_edit(STAGE, "normalise.whitespace", text, start, end, " ", "run of spaces collapsed"))
    return edits
