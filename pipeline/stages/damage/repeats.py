"""Repeated text: a summary followed by the same text again, a line or paragraph repeated, a title
repeated at the start, and text doubled inside a paragraph by a PDF/PPT text layer.

    第第1515章章 解析解析LinuxLinux内核内核   →   第15章 解析Linux内核
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

import numpy as np

from ...document import Edit, make_edit
from ...language import RE_HAN, dictionary_words
from ...pieces import PIECE_CHARS, code_units
from ...rules import RuleSet
from ...tables import WordTable
from .headings import toc_markers
from .shared import (
    SPACE,
    STAGE,
    Drop,
    is_periodic,
    line_drop_edits,
    line_spans,
    non_overlapping,
    read_table,
    setting,
    until_stable,
)

RE_SPACES = re.compile(r"\s+")
RE_LINE_BREAK = re.compile("\n")
ELLIPSIS_RUNS = ("…", "...", "。。。")


def strip_ellipsis_end(line: str) -> str:
    r"""``line`` without a trailing ``…``, ``...``, ``。。。`` (any longer run too) or ``等``: what the
    anchored pattern ``(?:…+|\.{3,}|。{3,}|等)$`` removes, read from the end instead of tried at every
    character of the line.

    >>> strip_ellipsis_end("互联网已成为意识斗争的主阵地……"), strip_ellipsis_end("主阵地等"), strip_ellipsis_end("a..")
    ('互联网已成为意识斗争的主阵地', '主阵地', 'a..')
    """
    for run in ELLIPSIS_RUNS:
        if line.endswith(run):
            return line.rstrip(run[0])
    return line[:-1] if line.endswith("等") else line


RE_LIST_ITEM = re.compile(
    r"[ \t\u3000]*(?:[（(]?[0-9一二三四五六七八九十]{1,3}[）)、.．]|[A-Ha-h][.．、]|[•·●○■□◆◇▪\-*])"
)
SENTENCE_END = "。！？!?"


def _norm(line: str) -> str:
    return "".join(line.split())


def _line_key(text: str, spans: list[tuple[int, int]], row: int) -> str:
    """The key (:func:`_norm`) of line ``row``."""
    start, end = spans[row]
    return _norm(text[start:end])


def remove_repeated_text(text: str, *, rules: RuleSet, metadata: dict[str, Any]) -> list[Edit]:
    """Edits removing text that is there twice.

    * the title repeated at the start: ``标题标题标题`` on the first line (``min_title_copies``
      copies) or the first line repeated on the next lines;
    * a line repeated right after itself (``min_line_chars`` characters or more, whitespace ignored);
    * a paragraph repeated later verbatim (``min_paragraph_chars`` or more, holding a sentence end,
      not a heading or list item): the later copy goes;
    * a summary followed by the same text again: a line of ``min_summary_chars`` or more (a trailing
      ``…`` ignored) with which the following text begins: the summary goes;
    * text doubled inside a paragraph (:func:`doubled_text`): ``第第1515章章`` → ``第15章``, a phrase
      of ``doubled_phrase_chars`` or more written twice back to back → once.

    >>> from pipeline.rules import load_rules
    >>> from pipeline.document import apply_edits
    >>> t = "网信工作要点网信工作要点网信工作要点\\n正文第一句。"
    >>> apply_edits(t, remove_repeated_text(t, rules=load_rules(), metadata={}))
    '网信工作要点\\n正文第一句。'
    """
    if "\n" not in text and len(text) < 8:
        return []
    doubled = DoubledSettings.read(rules)
    return until_stable(text, lambda t: non_overlapping(doubled_text(t, doubled) + _repeats(t, rules)), 4)


def _repeats(text: str, rules: RuleSet) -> list[Edit]:
    t = "damage_repeats"
    min_line = int(setting(rules, t, "min_line_chars", 15))
    min_para = int(setting(rules, t, "min_paragraph_chars", 30))
    min_summary = int(setting(rules, t, "min_summary_chars", 30))
    min_copies = int(setting(rules, t, "min_title_copies", 3))
    spans = line_spans(text)
    edits: list[Edit] = []
    drops: list[Drop] = []
    removed: set[int] = set()
    first = next((i for i, (s, e) in enumerate(spans) if text[s:e].strip()), None)
    if first is None:
        return []
    edits.extend(_title_repeats(text, spans, first, min_copies, removed, drops))
    heading_re = toc_markers((), tuple(rules.setting("headings", "patterns", [])))
    # the first line of each key, found by the key's hash and checked against that line: the keys
    # themselves (a copy of the text) are not kept
    seen: dict[int, list[int]] = {}
    keyed = [False] * len(spans)  # the lines compared by their key
    after_line = False  # a non-blank line came before
    prev_key: str | None = None  # the key of the previous non-blank line, if it was compared
    for i, (start, end) in enumerate(spans):
        if end - start < min(min_line, min_summary) and end > start and after_line:
            # short lines are never removed, but they break a run of repeats
            if text[start:end].strip():
                prev_key = None
            continue
        line = text[start:end]
        if not line.strip():
            continue
        if i in removed:
            after_line, prev_key = True, None
            continue
        key = _norm(line)
        keyed[i] = True
        if prev_key == key and len(key) >= min_line:
            removed.add(i)
            drops.append((start, end, "damage.repeated-line", "line repeated right after itself"))
            continue
        earlier = next((j for j in seen.get(hash(key), ()) if _line_key(text, spans, j) == key), None)
        if (
            earlier is not None
            and len(key) >= min_para
            and any(ch in key for ch in SENTENCE_END)
            and not RE_LIST_ITEM.match(line)
            and not heading_re.match(line)
        ):
            removed.add(i)
            reason = f"paragraph repeated verbatim (first copy on line {earlier + 1}): later copy removed"
            drops.append((start, end, "damage.repeated-paragraph", reason))
            continue
        if earlier is None:
            seen.setdefault(hash(key), []).append(i)
        after_line, prev_key = True, key
    _summaries(text, spans, keyed, removed, min_summary, drops)
    return non_overlapping(edits + line_drop_edits(text, drops))


@dataclass(frozen=True, slots=True)
class DoubledSettings:
    """The ``doubled_*`` settings of ``[damage_repeats]`` (see ``rules/common/damage.toml``)."""

    doubled_max_unit: int = 40
    doubled_phrase_chars: int = 8
    doubled_min_chars: int = 6
    doubled_min_units: int = 3
    doubled_line_share: float = 0.5

    @classmethod
    def read(cls, rules: RuleSet) -> DoubledSettings:
        return read_table(cls, rules, "damage_repeats")


Unit = tuple[int, int]  # a piece written twice back to back: (start, length of one copy)


def doubled_text(text: str, cfg: DoubledSettings) -> list[Edit]:
    """Deletions of the second copy of each piece a PDF/PPT text layer wrote twice inside a paragraph.

    The text is read as chains of pieces each written twice back to back (``第第`` ``1515`` ``章章``,
    spaces allowed between pieces; at each place the longest piece that is not itself periodic).
    Genuine reduplication must stay, so a chain counts only with strong evidence:

    * a phrase of ``doubled_phrase_chars`` characters or more written twice (``内核是操作系统的核心，
      通常说的`` twice) — with the doubled pieces of its chain that hold a Han character;
    * or pieces holding at least ``doubled_min_chars`` Han characters or Latin letters (words of three
      letters or more; digits never count) in at least ``doubled_min_units`` pieces — then the whole
      chain goes, ``一一`` and ``统统`` in ``是是一一组组`` included.

    A piece is *genuine* — never evidence, and outside such a chain never removed — when its doubled
    form is a dictionary word (``常常`` ``看看`` ``谢谢`` ``人人`` ``哈哈``), when two single-character
    pieces make one (``高高兴兴`` ``明明白白``) or when it repeats the piece before it. Periodic strings
    (``1111`` ``谢谢谢谢``) are no pieces. In a line at least ``doubled_line_share`` covered by accepted
    chains (a doubled text layer) the other doubled pieces go too (``Linux是指是指Linux`` → ``是指``).

    Before → after::

        第第1515章章 解析解析LinuxLinux内核内核   →   第15章 解析Linux内核
        我们天天向上，研究研究，高高兴兴快快乐乐   →   (unchanged)
    """
    n = len(text)
    if n < 4:
        return []
    runs = _repeat_runs(text, cfg.doubled_max_unit)
    if not runs:
        return []
    lines = _promising_lines(text, runs, cfg.doubled_phrase_chars)
    if not len(lines):
        return []
    breaks = np.array([m.start() for m in RE_LINE_BREAK.finditer(text)], dtype=np.int64)
    starts = sorted(
        {
            int(s)
            for found, _ in runs.values()
            for s in found[np.isin(np.searchsorted(breaks, found), lines)].tolist()
            if _wordish(text[int(s)])
        }
    )
    words = dictionary_words()
    chains: list[list[Unit]] = []
    end = -1
    for start in starts:
        if start < end:
            continue
        chain = _doubled_chain(text, start, runs)
        if chain:
            chains.append(chain)
            end = chain[-1][0] + 2 * chain[-1][1]
    accepted: dict[Unit, str] = {}  # unit → rule id
    pending: list[Unit] = []  # doubled pieces kept unless their line turns out doubled
    for chain in chains:
        genuine = _genuine_units(text, chain, words)
        suspect = [u for u in chain if u not in genuine]
        phrases = [u for u in suspect if u[1] >= cfg.doubled_phrase_chars and _letters(text[u[0] : u[0] + u[1]]) >= 4]
        short = [u for u in suspect if u not in phrases]
        evidence = sum(_letters(text[a : a + size]) for a, size in short)
        for unit in phrases:
            accepted[unit] = "damage.repeated-phrase"
        if evidence >= cfg.doubled_min_chars and len(short) >= cfg.doubled_min_units:
            # a doubled layer: its 一一 统统 人人 are doubled characters too
            accepted.update((u, "damage.doubled-text") for u in chain if u not in accepted)
        elif phrases:
            accepted.update((u, "damage.doubled-text") for u in short if RE_HAN.search(text[u[0] : u[0] + u[1]]))
        else:
            pending.extend(short)
    if not accepted:
        return []
    if pending:  # a line mostly doubled: its other doubled pieces go too
        spans = line_spans(text)
        line_starts = [a for a, _ in spans]
        covered: Counter[int] = Counter()
        for a, size in accepted:
            covered[bisect.bisect_right(line_starts, a) - 1] += 2 * size
        visible: dict[int, int] = {}  # characters of each line, spaces left out (counted once a line)
        for unit in pending:
            line = bisect.bisect_right(line_starts, unit[0]) - 1
            if line not in visible:
                a, b = spans[line]
                visible[line] = len("".join(text[a:b].split()))
            if covered[line] >= cfg.doubled_line_share * visible[line]:
                accepted[unit] = "damage.doubled-text"
    edits = []
    for (a, size), rule_id in sorted(accepted.items()):
        piece = text[a : a + size]
        if rule_id == "damage.repeated-phrase":
            reason = f"phrase of {size} characters written twice back to back (doubled text layer): the copy removed"
        else:
            reason = f"“{piece}” written twice in a run of doubled text (doubled text layer): the copy removed"
        edits.append(make_edit(STAGE, rule_id, text, a + size, a + 2 * size, "", reason, confidence=0.9))
    return edits


def _repeat_runs(text: str, max_unit: int) -> dict[int, tuple[np.ndarray, np.ndarray]]:
    """For each piece length L: sorted (start, end) of the stretches where ``cps[i] == cps[i + L]``
    for at least L positions in a row; a piece of length L starting at p is written twice back to
    back when a stretch has ``start <= p`` and ``p + L <= end``. (Compared on the low 16 bits:
    a character outside the BMP may match another, so the caller compares the text again.)

    From L = 8 on, only every fourth position is compared first (any 8 positions in a row hold two
    neighbouring multiples of 4); then around those hits only.

    The text is read in pieces of ``PIECE_CHARS`` characters, each with ``2 * max_unit + 16`` more on
    either side (all that the comparisons around a position reach): the positions found in each piece
    are those one pass over the whole text finds there."""
    n = len(text)
    sizes = range(1, min(max_unit, n // 2) + 1)
    found: dict[int, list[np.ndarray]] = {size: [] for size in sizes}
    line_breaks: list[np.ndarray] = []  # for L = 1: which of the positions hold a line break
    margin = 2 * max_unit + 16
    for start in range(0, n, PIECE_CHARS):
        end = min(n, start + PIECE_CHARS)
        offset = max(0, start - margin) // 4 * 4  # a multiple of 4, as the sampled positions are
        low = _low_bits(text[offset : min(n, end + margin)])
        for size in sizes:
            at = _equal_positions(low, offset, start, end, n, size)
            found[size].append(at)
            if size == 1:
                line_breaks.append(low[at - offset] == 10)
    runs: dict[int, tuple[np.ndarray, np.ndarray]] = {}
    for size in sizes:
        idx = np.concatenate([np.zeros(0, dtype=np.int64), *found.pop(size)])
        if len(idx) < size:
            continue
        if size == 1:
            idx = idx[~np.concatenate(line_breaks)]
            runs[1] = (idx, idx + 1)
            continue
        cuts = np.flatnonzero(np.diff(idx) != 1)
        starts = idx[np.r_[0, cuts + 1]]
        ends = idx[np.r_[cuts, len(idx) - 1]] + 1
        long = ends - starts >= size
        if long.any():
            runs[size] = (starts[long], ends[long])
    return runs


def _low_bits(text: str) -> np.ndarray:
    """The low 16 bits of each character's code point."""
    units = code_units(text)
    return units if units.dtype == np.uint16 else units.astype(np.uint16)


def _equal_positions(low: np.ndarray, offset: int, start: int, end: int, n: int, size: int) -> np.ndarray:
    """The positions ``p`` in ``[start, end)`` of a text of ``n`` characters where the piece of length
    ``size`` at ``p`` is compared equal to the one after it (see :func:`_repeat_runs`); ``low`` holds the
    text's low bits from ``offset`` on, far enough either side."""
    if size < 8:
        stop = min(end, n - size)
        if stop <= start:
            return np.zeros(0, dtype=np.int64)
        a, b = start - offset, stop - offset
        return np.flatnonzero(low[a:b] == low[a + size : b + size]) + start
    sampled = _equal_every_fourth(low, size)
    hits = np.flatnonzero(sampled[:-1] & sampled[1:]) * 4
    del sampled
    for k in (1, 2, 3):  # the run covers the positions between the two samples too
        hits = hits[low[hits + k] == low[hits + k + size]]
    # inside a stretch of one character (a rule of ——— or ((((, dot leaders) every position would be a
    # hit for every length: no piece of a doubled layer starts there, and the grid would explode
    flat = (low[hits] == low[hits + 1]) & (low[hits + 1] == low[hits + 2]) & (low[hits + 2] == low[hits + 3])
    hits = hits[~flat] + offset
    hits = hits[(hits + size + 4 > start) & (hits - size < end)]  # those whose surroundings reach the piece
    if not len(hits):
        return np.zeros(0, dtype=np.int64)
    grid = hits[:, None] + np.arange(-size, size + 4)[None, :]  # around each hit: its whole run
    grid = np.clip(grid, 0, n - size - 1)
    grid = grid[(grid >= start) & (grid < end)]
    return np.unique(grid[low[grid - offset] == low[grid - offset + size]])


def _equal_every_fourth(low: np.ndarray, size: int) -> np.ndarray:
    """``low[4 * j] == low[4 * j + size]`` for each ``j`` with ``4 * j + size < len(low)``, compared in pieces.

    >>> _equal_every_fourth(np.array([5, 0, 5, 0, 9, 0, 5], dtype=np.uint16), 2).tolist()
    [True, False]
    """
    count = max(0, (len(low) - size + 3) // 4)
    out = np.empty(count, dtype=bool)
    for lo in range(0, count, PIECE_CHARS):
        hi = min(count, lo + PIECE_CHARS)
        out[lo:hi] = low[4 * lo : 4 * hi : 4] == low[4 * lo + size : 4 * hi + size : 4]
    return out


def _promising_lines(text: str, runs: dict[int, tuple[np.ndarray, np.ndarray]], phrase_chars: int) -> np.ndarray:
    """Indices of the lines where a doubled chain could count: a piece of ``phrase_chars`` or more
    written twice, or a doubled piece followed by another (a line break in between is ruled out later).
    Everything else is a lone ``常常`` or ``2020``: no need to look closer."""
    n = len(text)
    begins = np.zeros(n + 2, dtype=bool)
    found: list[tuple[int, np.ndarray]] = []
    for size, (starts, ends) in runs.items():
        if size == 1:
            positions = starts
        else:
            positions = np.concatenate([np.arange(a, b - size + 1) for a, b in zip(starts, ends, strict=True)])
        begins[positions] = True
        found.append((size, positions))
    hits = [
        positions[
            (size >= phrase_chars)
            | begins[np.minimum(positions + 2 * size, n)]
            | begins[np.minimum(positions + 2 * size + 1, n)]
        ]
        for size, positions in found
    ]
    hit = np.concatenate(hits) if hits else np.zeros(0, dtype=np.int64)
    words = dictionary_words()  # 方方面面, 高高兴兴: two single pieces that make a word promise nothing
    hit = np.array([p for p in hit.tolist() if text[p : p + 4] not in words], dtype=np.int64)
    if not len(hit):
        return hit
    breaks = np.array([m.start() for m in RE_LINE_BREAK.finditer(text)], dtype=np.int64)  # not an array per character
    return np.unique(np.searchsorted(breaks, hit))


def _wordish(ch: str) -> bool:
    """A character a doubled piece may start with: Han, a letter or a digit."""
    return ch.isalnum()


def _letters(piece: str) -> int:
    """Evidence a doubled piece gives: its Han characters, plus its Latin letters in runs of 3 or more."""
    return len(RE_HAN.findall(piece)) + sum(len(m) for m in re.findall(r"[A-Za-z]{3,}", piece))


def _doubled_chain(text: str, start: int, runs: dict[int, tuple[np.ndarray, np.ndarray]]) -> list[Unit]:
    """The pieces written twice one after another from ``start`` (spaces allowed between them)."""
    chain: list[Unit] = []
    pos = start
    while pos < len(text):
        at = pos
        while chain and at < len(text) and text[at] in SPACE:
            at += 1
        if at >= len(text) or not (_wordish(text[at]) or (chain and text[at] not in SPACE + "…—-_.·=*~")):
            break  # a chain starts with a word character; doubled punctuation (，，) only continues one
        best = 0
        for size, (found, ends) in runs.items():
            if size <= best:
                continue
            i = bisect.bisect_right(found, at) - 1
            if i >= 0 and ends[i] >= at + size:
                piece = text[at : at + size]
                if (
                    (size == 1 or not is_periodic(piece))
                    and (size == 1 or any(ch.isalnum() for ch in piece))
                    and "\n" not in piece
                    and text.startswith(piece, at + size)
                ):
                    best = size
        if not best:
            break
        chain.append((at, best))
        pos = at + 2 * best
    return chain


def _genuine_units(text: str, chain: list[Unit], words: WordTable) -> set[Unit]:
    """The pieces of a chain that are reduplication, not doubling: ``常常`` (a dictionary word
    doubled), ``高高兴兴`` (two single characters making a dictionary word), ``哈哈哈哈`` (the same
    piece again)."""
    genuine: set[Unit] = set()
    pieces = [text[a : a + size] for a, size in chain]
    for i, (unit, piece) in enumerate(zip(chain, pieces, strict=True)):
        if piece * 2 in words or (i and pieces[i - 1] == piece):
            genuine.add(unit)
        if i and unit[1] == 1 and chain[i - 1][1] == 1 and chain[i - 1][0] + 2 == unit[0]:
            if pieces[i - 1] * 2 + piece * 2 in words:
                genuine.update((chain[i - 1], unit))
    return genuine


RE_TITLE_REPEAT = re.compile(r"[ \t\u3000]*(.{2,60}?)(?:[ \t\u3000]*\1){2,}")


def _title_repeats(
    text: str, spans: list[tuple[int, int]], first: int, min_copies: int, removed: set[int], drops: list[Drop]
) -> list[Edit]:
    start, end = spans[first]
    line = text[start:end]
    edits: list[Edit] = []
    match = RE_TITLE_REPEAT.match(line[:400])
    key = _norm(line)
    if match is not None:
        once = match.group(1)
        copies = len(_norm(match.group()).split(_norm(once))) - 1 if _norm(once) else 0
        if copies >= min_copies and not is_periodic(once) and RE_HAN.search(once) and _norm(once):
            edits.append(
                make_edit(
                    STAGE,
                    "damage.repeated-title",
                    text,
                    start + match.end(1),
                    start + match.end(),
                    "",
                    f"title repeated {copies} times at the start: once kept",
                )
            )
            key = _norm(once + line[match.end() :])
    j = first + 1
    title_like = 2 <= len(key) <= 60 and not any(ch in key for ch in SENTENCE_END)
    while j < len(spans) and title_like:
        s, e = spans[j]
        if not text[s:e].strip():
            j += 1
            continue
        following = _norm(text[s:e])
        if following != key * max(1, len(following) // len(key)):  # the title once, or again repeated
            break
        removed.add(j)
        drops.append((s, e, "damage.repeated-title", "title line repeated at the start: once kept"))
        j += 1
    return edits


def _summaries(
    text: str,
    spans: list[tuple[int, int]],
    keyed: list[bool],
    removed: set[int],
    min_summary: int,
    drops: list[Drop],
) -> None:
    """Lines that the following text repeats from its start (a site's summary, then the text); ``keyed``:
    the lines compared by their key."""
    for i, compared in enumerate(keyed):
        if not compared or i in removed or spans[i][1] - spans[i][0] < min_summary:
            continue
        key = _line_key(text, spans, i)
        if len(key) < min_summary:
            continue
        core = strip_ellipsis_end(key)
        if len(core) < min_summary:
            continue
        following = []
        size = 0
        for j in range(i + 1, len(spans)):
            if j in removed:
                continue
            nxt = _line_key(text, spans, j)
            if not nxt:
                continue
            if size == 0 and not nxt.startswith(core[: min(8, len(nxt))]):
                break
            following.append(nxt)
            size += len(nxt)
            if size >= len(core):
                break
        joined = "".join(following)
        if joined.startswith(core) and (len(joined) > len(core) or core != key):
            removed.add(i)
            start, end = spans[i]
            drops.append(
                (start, end, "damage.summary-repeat", "summary followed by the same text again: summary removed")
            )
