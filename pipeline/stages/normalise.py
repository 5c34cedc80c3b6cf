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

from ..document import Edit, Substitutions, make_edit
from ..language import code_points, han_mask
from ..pieces import PIECE_CHARS, code_units
from ..rules import RuleSet

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


def normalise_punctuation(
    text: str, *, rules: RuleSet, metadata: dict[str, Any]
) -> list[Edit | Substitutions]:
    """Edits turning half-width ``, ; : ! ? ( )`` in Chinese text full-width.

    A mark is converted when the nearest non-space character before or after it is Chinese (a Han
    character or Chinese punctuation); a pair of parentheses when it encloses Chinese or stands
    between Chinese. Marks inside protected spans (numbers, URLs, e-mail) are left alone. The marks
    come as one :class:`Substitutions` per mark (a 10 MB scrape has 100,000 of them).

    >>> from pipeline.rules import load_rules
    >>> from pipeline.document import apply_edits
    >>> t = "指出,“得网络者得天下”;1,000 人, ok, fine"
    >>> apply_edits(t, normalise_punctuation(t, rules=load_rules(), metadata={}))
    '指出，“得网络者得天下”；1,000 人， ok, fine'
    """
    mapping: dict[str, str] = rules.setting("punctuation", "map", {})
    if not mapping or not any(mark in text for mark in mapping):
        return []
    _, parens, protect_re, chinese_re = _punctuation_patterns(
        "".join(mapping),
        rules.setting("punctuation", "cjk_punctuation", ""),
        tuple(rules.setting("punctuation", "protect", [])),
    )
    protected: list[tuple[int, int]] = [m.span() for m in protect_re.finditer(text)] if protect_re else []
    protected_starts = [start for start, _ in protected]
    cjk_punct = rules.setting("punctuation", "cjk_punctuation", "")
    edits: list[Edit | Substitutions] = [*_mark_substitutions(text, mapping, cjk_punct, protected)]
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
    return edits


def _mark_substitutions(
    text: str, mapping: dict[str, str], cjk_punct: str, protected: list[tuple[int, int]]
) -> list[Substitutions]:
    """The ``, ; : ! ?`` to make full-width, one Substitutions per mark, found with array operations.

    A run of marks (``?!``) converts as a whole when the nearest non-space character before or after
    the run is Chinese; a lone ``?`` standing for a lost symbol does not; protected marks stay.
    """
    marks = [mark for mark in mapping if mark not in "()"]
    cps = code_units(text)
    wanted = np.array([ord(m) for m in marks], dtype=np.uint32)
    at = np.concatenate(  # in pieces: no mask or cast as long as the text
        [
            np.flatnonzero(np.isin(cps[lo : lo + PIECE_CHARS], wanted)) + lo
            for lo in range(0, max(1, len(cps)), PIECE_CHARS)
        ]
    )
    if not len(at):
        return []
    run_start = np.r_[True, np.diff(at) != 1]
    run_of = np.cumsum(run_start) - 1
    starts = at[run_start]
    ends = at[np.r_[run_start[1:], True]] + 1
    before = _nearest_solid(text, cps, starts - 1, -1)
    after = _nearest_solid(text, cps, ends, 1)
    before_ok = before >= 0
    before_ok[before_ok] = _chinese_mask(cps[before[before_ok]], cjk_punct)
    after_ok = after >= 0
    after_ok[after_ok] = _chinese_mask(cps[after[after_ok]], cjk_punct)
    convert = before_ok | after_ok
    lone_question = convert & (ends - starts == 1) & (cps[starts] == ord("?"))
    for i in np.flatnonzero(lone_question).tolist():
        convert[i] = not _lost_symbol(text, int(starts[i]))
    at = at[convert[run_of]]
    if protected and len(at):
        spans = np.array(protected, dtype=np.int64)
        k = np.searchsorted(spans[:, 0], at, side="right") - 1
        at = at[~((k >= 0) & (at < spans[np.clip(k, 0, None), 1]))]
    found = cps[at]
    out = []
    for mark in marks:
        positions = at[found == ord(mark)]
        if len(positions):
            reason = REASONS.get(mark) or f"half-width {mark!r} made full-width"
            out.append(Substitutions(STAGE, "normalise.punctuation", mark, mapping[mark], reason, positions))
    return out


RE_SOLID = regex.compile(r"[^ \t]")
RE_SOLID_BEFORE = regex.compile(r"(?r)[^ \t]")
VECTOR_STEPS = 8


def _nearest_solid(text: str, cps: np.ndarray, at: np.ndarray, step: int) -> np.ndarray:
    """For each offset in ``at``, the nearest offset from it on (``step`` 1) or back from it (``step``
    -1) holding neither a space nor a tab; -1 where there is none.

    Stepped over the few spaces with array operations, then searched with a regex for the rare long
    runs of spaces: never an array of the text's other positions (8 bytes a character).
    """
    found = at.astype(np.int64)
    outside = (found < 0) | (found >= len(cps))
    found[outside] = -1
    active = np.flatnonzero(~outside)
    for _ in range(VECTOR_STEPS):
        if not len(active):
            break
        here = cps[found[active]]
        active = active[(here == 32) | (here == 9)]
        found[active] += step
        off = (found[active] < 0) | (found[active] >= len(cps))
        found[active[off]] = -1
        active = active[~off]
    for i in active.tolist():  # still on a space after VECTOR_STEPS: a long run of spaces, searched
        pos = int(found[i])
        match = RE_SOLID.search(text, pos) if step > 0 else RE_SOLID_BEFORE.search(text, 0, pos + 1)
        found[i] = match.start() if match else -1
    return found


def _chinese_mask(cps: np.ndarray, cjk_punct: str) -> np.ndarray:
    """Where the code point is Chinese for :func:`_is_chinese`: Han (BMP blocks, extension A, planes
    2 and up) or Chinese punctuation."""
    mask = ((cps >= 0x4E00) & (cps <= 0x9FFF)) | ((cps >= 0x3400) & (cps <= 0x4DBF)) | (cps > 0x1FFFF)
    if cjk_punct:
        mask |= np.isin(cps, np.array([ord(ch) for ch in cjk_punct], dtype=np.uint32))
    return mask


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

    BLOCK = 64  # a longer span is read as whole blocks of this many characters (counted once) and two ends

    def __init__(self, text: str) -> None:
        self.text = text
        self.breaks = [m.start() for m in RE_NEWLINE.finditer(text)]
        self._han: np.ndarray | None = None  # Han characters before each block

    def has_break(self, start: int, end: int) -> bool:
        return bisect.bisect_left(self.breaks, start) != bisect.bisect_left(self.breaks, end)

    def has_han(self, start: int, end: int) -> bool:
        if end - start <= self.SHORT:
            return regex.search(HAN, self.text[start:end]) is not None
        first, last = -(-start // self.BLOCK), end // self.BLOCK
        if first >= last:
            return _any_han(self.text[start:end])
        if self._han is None:
            self._han = self._block_counts()
        if self._han[last] - self._han[first]:
            return True
        return _any_han(self.text[start : first * self.BLOCK]) or _any_han(self.text[last * self.BLOCK : end])

    def _block_counts(self) -> np.ndarray:
        """How many Han characters come before each block (one entry a block, not a character)."""
        counts = []
        step = self.BLOCK * 4096
        for lo in range(0, len(self.text), step):
            mask = han_mask(code_points(self.text[lo : lo + step]))
            mask = np.pad(mask, (0, -len(mask) % self.BLOCK))
            counts.append(mask.reshape(-1, self.BLOCK).sum(axis=1, dtype=np.int64))
        return np.concatenate(([0], np.cumsum(np.concatenate(counts or [np.zeros(0, dtype=np.int64)]))))


def _any_han(text: str) -> bool:
    return bool(np.any(han_mask(code_points(text))))


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
