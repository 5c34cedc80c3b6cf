"""Stage "damage": repair damage inside the body that a site or a broken extraction put there.

Each step returns edits (rule ids ``damage.<name>``); settings come from ``rules/common/damage.toml``.

* :func:`remove_anti_copy_noise` — runs of rare characters some sites inject, found from character
  statistics (jieba's word frequencies summed per character, Unicode's radical order), not a list::

      这是正文艹虫蚌衤袄裙这是正文                →   这是正文这是正文

  and blocks of random common characters stuck to real text at a line (chunk) edge, found because
  almost none of their neighbouring pairs occur in any dictionary word.
* :func:`strip_pinyin_layers` — a pinyin layer mixed into the text::

      網(wǎng)絡(luò)   →   網絡            臣chn亮ling言yn   →   臣亮言

* :func:`fix_spaced_headings` — letter-spaced, doubled and table-of-contents lines::

      政 　 府 　 工 　 作 　 报 　 告   →   政府工作报告
      政政府府工工作作报报告告           →   政府工作报告
      第一章 总则……………………1          →   第一章 总则

* :func:`remove_repeated_text` — a summary followed by the same text again, a line repeated right
  after itself or a paragraph repeated later (the later copy goes), a title repeated at the start,
  and text doubled inside a paragraph by a PDF/PPT text layer::

      第第1515章章 解析解析LinuxLinux内核内核   →   第15章 解析Linux内核
      内核是操作系统的核心，通常说的内核是操作系统的核心，通常说的   →   内核是操作系统的核心，通常说的
* :func:`remove_injected_text` / :func:`flag_injected_text` — SEO keyword lines, stock
  aphorisms and keyword links (document titles standing in for a word) inserted mid-text: removed
  where a rule recognises them, otherwise flagged (suggestions: edits with ``before == after``)::

      8. 关于同志…评分表图表与交易pdf视力表打印pdf用图表说话 pdf 达式和语句   →   8. 表达式和语句
* :func:`to_simplified` — traditional → simplified with OpenCC, only when
  ``metadata["to_simplified"]`` asks for it; classical quotations keep their characters unless it is
  ``"all"``.

Every step is idempotent: run on its own output it finds nothing more to do.
"""

from __future__ import annotations

import bisect
import importlib.util
import itertools
import math
import os
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, fields
from functools import lru_cache
from typing import Any

import numpy as np

from pipeline.document import Edit, apply_edits, make_edit
from pipeline.rules import RuleSet

STAGE = "damage"

# --------------------------------------------------------------------------------------------
# language data: jieba's dictionary (word, frequency), shipped inside the jieba package

HAN_CLASS = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003ffff"
RE_HAN = re.compile(f"[{HAN_CLASS}]")
QUOTE_OPEN = "“‘「『《"
QUOTE_CLOSE = ("”", "’", "」", "』", "》")
LOG_FLOOR = -9.0  # log10 relative frequency of a character the dictionary never uses
NO_RADICAL = -1


@lru_cache(maxsize=1)
def _dictionary() -> tuple[tuple[str, ...], np.ndarray]:
    """jieba's bundled ``dict.txt``: its words and their frequencies (read once per process).

    Only the data file is used, so the package is located, not imported (importing it pulls in
    ``pkg_resources``)."""
    spec = importlib.util.find_spec("jieba")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("the damage stage needs jieba's dictionary: pip install jieba")
    path = os.path.join(next(iter(spec.submodule_search_locations)), "dict.txt")
    with open(path, encoding="utf-8") as handle:
        tokens = handle.read().split()
    words = tuple(tokens[0::3])
    freqs = np.array(list(map(int, tokens[1::3])), dtype=np.float64)
    return words, freqs


@lru_cache(maxsize=1)
def _word_code_points() -> tuple[np.ndarray, np.ndarray]:
    """All dictionary words joined by NULs as code points, with each position's word frequency."""
    words, freqs = _dictionary()
    cps = np.frombuffer("\x00".join(words).encode("utf-32-le"), dtype=np.uint32)
    lengths = np.fromiter((len(w) for w in words), dtype=np.int64, count=len(words))
    weights = np.repeat(freqs, lengths + 1)[: len(cps)]
    return cps, weights


@lru_cache(maxsize=1)
def char_log_frequencies() -> np.ndarray:
    """log10 relative frequency of each BMP character (index: code point), summed over the words
    that contain it. A traditional character counts at least as often as its simplified form, so
    traditional text is not mistaken for rare characters."""
    cps, weights = _word_code_points()
    counts = np.bincount(np.minimum(cps, 0xFFFF), weights=weights, minlength=0x10000)[:0x10000]
    counts[0] = 0.0
    counts[0xFFFF] = 0.0
    simple = simplified_code_points()
    counts = np.maximum(counts, counts[simple])
    total = counts.sum()
    with np.errstate(divide="ignore"):
        logs = np.log10(counts / total)
    logs[~np.isfinite(logs)] = LOG_FLOOR
    return np.maximum(logs, LOG_FLOOR).astype(np.float32)


@lru_cache(maxsize=1)
def _traditional_pairs() -> tuple[tuple[int, int], ...]:
    """(traditional, simplified) code points for the CJK unified ideographs OpenCC maps one to one."""
    try:
        converter = _opencc("t2s")
    except ImportError:  # pragma: no cover - opencc is a dependency
        return ()
    chars = [chr(c) for c in range(0x4E00, 0xA000)]
    converted = converter.convert("\n".join(chars)).split("\n")
    if len(converted) != len(chars):  # pragma: no cover - defensive
        return ()
    return tuple((ord(a), ord(b)) for a, b in zip(chars, converted, strict=True) if a != b and len(b) == 1)


@lru_cache(maxsize=1)
def bigram_table() -> tuple[np.ndarray, np.ndarray]:
    """(sorted keys, log10 relative frequency) of the character pairs inside dictionary words.

    A key is ``first << 21 | second`` (code points); the frequency sums the words holding the pair.
    """
    cps, weights = _word_code_points()
    first = cps[:-1].astype(np.int64)
    second = cps[1:].astype(np.int64)
    inside = (first != 0) & (second != 0)
    keys = ((first << 21) | second)[inside]
    pair_weights = weights[:-1][inside]
    order = np.argsort(keys, kind="stable")
    keys, pair_weights = keys[order], pair_weights[order]
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    summed = np.add.reduceat(pair_weights, starts)
    return keys[starts], np.log10(summed / summed.sum()).astype(np.float32)


@lru_cache(maxsize=1)
def simplified_code_points() -> np.ndarray:
    """BMP code point → its simplified form's (identity for all but OpenCC's one-to-one pairs)."""
    table = np.arange(0x10000, dtype=np.int64)
    pairs = np.array([p for p in _traditional_pairs() if p[1] <= 0xFFFF], dtype=np.int64).reshape(-1, 2)
    if len(pairs):
        table[pairs[:, 0]] = pairs[:, 1]
    return table


def bigram_log_frequencies(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """log10 relative frequency of each pair (first[i], second[i]), traditional characters read as
    their simplified forms; LOG_FLOOR where no dictionary word holds the pair."""
    keys, logs = bigram_table()
    simple = simplified_code_points()
    first = simple[np.minimum(first, 0xFFFF)]
    second = simple[np.minimum(second, 0xFFFF)]
    wanted = (first << 21) | second
    at = np.minimum(np.searchsorted(keys, wanted), len(keys) - 1)
    return np.where(keys[at] == wanted, logs[at], np.float32(LOG_FLOOR))


@lru_cache(maxsize=1)
def dictionary_words() -> frozenset[str]:
    """The dictionary's words of two characters or more (for word coverage of suspect runs)."""
    words, _ = _dictionary()
    return frozenset(w for w in words if len(w) >= 2)


@lru_cache(maxsize=1)
def _radical_starts() -> np.ndarray:
    """Code points where each Kangxi radical's section of the CJK block begins.

    The unified ideographs U+4E00–U+9FA5 are ordered by radical and stroke count, and each radical's
    section starts with the radical itself; the Kangxi Radicals block names them (NFKC gives the
    ideograph). So the section a character falls in is its radical — no table needed.
    """
    starts = [ord(unicodedata.normalize("NFKC", chr(c))) for c in range(0x2F00, 0x2FD6)]
    return np.array(starts, dtype=np.int64)


def radicals(cps: np.ndarray) -> np.ndarray:
    """The radical number (1–214) of each code point in U+4E00–U+9FA5, else NO_RADICAL."""
    starts = _radical_starts()
    found = np.searchsorted(starts, cps.astype(np.int64), side="right")
    return np.where((cps >= 0x4E00) & (cps <= 0x9FA5), found, NO_RADICAL)


def code_points(text: str) -> np.ndarray:
    """The text's code points as an array (one per character)."""
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


def han_mask(cps: np.ndarray) -> np.ndarray:
    """True where the code point is a Han character (URO, extension A, compatibility, SIP/TIP)."""
    return (
        ((cps >= 0x4E00) & (cps <= 0x9FFF))
        | ((cps >= 0x3400) & (cps <= 0x4DBF))
        | ((cps >= 0xF900) & (cps <= 0xFAFF))
        | ((cps >= 0x20000) & (cps <= 0x3FFFF))
    )


def char_logs(cps: np.ndarray) -> np.ndarray:
    """Per-character log10 frequency (LOG_FLOOR outside the BMP)."""
    return char_log_frequencies()[np.minimum(cps, 0xFFFF)]


def _setting(rules: RuleSet, table: str, key: str, default: Any) -> Any:
    return rules.setting(table, key, default)


def _line_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each line, newline excluded."""
    spans = []
    start = 0
    for match in RE_NEWLINE.finditer(text):
        spans.append((start, match.start()))
        start = match.end()
    spans.append((start, len(text)))
    return spans


RE_NEWLINE = re.compile("\n")


Drop = tuple[int, int, str, str]  # a whole line to remove: (start, end without its line break, rule id, reason)


def _line_drop_edits(text: str, drops: list[Drop]) -> list[Edit]:
    """Edits removing whole lines, each with one line break: the one after it, or — for the lines
    that end the text — the one before it (so back-to-back removals never overlap)."""
    ordered = sorted(set(drops))
    tail = len(ordered)
    cursor = len(text)
    while tail > 0 and not text[ordered[tail - 1][1] : cursor].strip("\n"):
        tail -= 1
        cursor = ordered[tail][0]
    edits = []
    for i, (start, end, rule_id, reason) in enumerate(ordered):
        if i >= tail and start > 0:
            edits.append(make_edit(STAGE, rule_id, text, start - 1, end, "", reason))
        else:
            edits.append(make_edit(STAGE, rule_id, text, start, min(end + 1, len(text)), "", reason))
    return edits


def _non_overlapping(edits: list[Edit]) -> list[Edit]:
    """The edits sorted by position, dropping any that overlaps one already kept."""
    kept: list[Edit] = []
    last_end = -1
    for edit in sorted(edits, key=lambda e: (e.start, -(e.end - e.start))):
        if edit.start >= last_end and edit.end > edit.start:
            kept.append(edit)
            last_end = edit.end
    return kept


# --------------------------------------------------------------------------------------------
# 1. anti-copy noise


@dataclass(frozen=True, slots=True)
class NoiseSettings:
    """The ``[damage_noise]`` table (see ``rules/common/damage.toml`` for what each value means)."""

    rare_log: float = -4.6
    max_gap: int = 2
    min_rare: int = 4
    min_run: int = 5
    extend_log: float = -3.5
    margin: float = 1.5
    window: int = 150
    run_context_min_known: float = 0.3
    min_context: int = 8
    max_background: float = 0.02
    background_allowance: int = 2
    max_coverage: float = 0.5
    classical_particles: str = "兮之乎者也矣焉哉曰"
    radical_share: float = 0.6
    min_repeats: int = 2
    block_min_chars: int = 8
    block_max_known: float = 0.2
    block_min_context: int = 8
    context_min_known: float = 0.55
    pair_min_log: float = -7.0
    known_real: float = 0.6
    known_random: float = 0.08
    boundary_slack: float = 1.0
    doc_min_known: float = 0.5
    edge_lead: int = 4
    max_rounds: int = 4

    @classmethod
    def read(cls, rules: RuleSet) -> NoiseSettings:
        return cls(**{f.name: type(f.default)(rules.setting("damage_noise", f.name, f.default)) for f in fields(cls)})


def remove_anti_copy_noise(text: str, *, rules: RuleSet, metadata: dict[str, Any]) -> list[Edit]:
    """Edits removing anti-copy noise: rare-character runs and random blocks at line edges.

    A *rare run* is a stretch of at least ``min_run`` Han characters (no punctuation inside) with at
    least ``min_rare`` characters rarer than ``rare_log``, at most ``max_gap`` ordinary ones between
    them, whose mean log-frequency lies ``margin`` below the document's median, that dictionary
    words hardly cover (real technical terms and names are words), that holds no classical particle
    (兮之乎…), and whose characters crowd into one or two radicals (``艹虫蚌衤袄裙``) or that
    recurs in the document (periodic noise). It must also sit in ordinary modern text: within
    ``window`` characters, few rare characters standing alone (classical, poetic and specialist text
    has many) and mostly dictionary-word pairs.

    A *random block* is a run of at least ``block_min_chars`` characters at a line's start or end
    in which hardly any neighbouring pair occurs in a dictionary word, stuck to text of the same line
    where most pairs do, in a document of modern prose. Classical text, whose pairs are rarely
    modern words, is spared; so are quotations and phrases the text repeats.

    Removing noise changes the surroundings of other noise, so the step looks again in the text
    without what it found (``max_rounds`` looks at most).

    >>> from pipeline.rules import load_rules
    >>> from pipeline.document import apply_edits
    >>> t = "这是正文艹虫蚌衤袄裙这是正文"
    >>> apply_edits(t, remove_anti_copy_noise(t, rules=load_rules(), metadata={}))
    '这是正文这是正文'
    """
    if len(text) < 5 or not RE_HAN.search(text):
        return []
    cfg = NoiseSettings.read(rules)
    return _until_stable(text, lambda t: _noise(t, cfg), cfg.max_rounds)


def _until_stable(text: str, find: Any, rounds: int) -> list[Edit]:
    """The deletions ``find`` returns for ``text``, then for the text without them, and so on until
    nothing more is found (at most ``rounds`` looks): removing one thing changes what is around
    another, and the step run on its own output must find nothing."""
    removed: list[Edit] = find(text)
    for _ in range(rounds - 1):
        if not removed:
            break
        found = find(apply_edits(text, removed))
        if not found:
            break
        more = [piece for edit in found for piece in _mapped_back(text, removed, edit)]
        removed = sorted(removed + more, key=lambda e: (e.start, e.end))
    return removed


def _noise(text: str, cfg: NoiseSettings) -> list[Edit]:
    """One look for noise: rare runs, then random edge blocks in the text without those runs."""
    cps = code_points(text)
    han = han_mask(cps)
    runs = _non_overlapping(_rare_runs(text, cps, han, char_logs(cps), cfg))
    if not runs:
        return _edge_blocks(text, cps, han, cfg)
    cleaned = apply_edits(text, runs)
    cleaned_cps = code_points(cleaned)
    blocks = _edge_blocks(cleaned, cleaned_cps, han_mask(cleaned_cps), cfg)
    return _non_overlapping(runs + [piece for block in blocks for piece in _mapped_back(text, runs, block)])


def _mapped_back(text: str, removed: list[Edit], edit: Edit) -> list[Edit]:
    """A deletion found in ``apply_edits(text, removed)`` (``removed``: sorted deletions) as
    deletions of ``text``, split around the spans already removed."""

    def original(pos: int, *, end: bool) -> int:
        shift = 0
        for r in removed:
            at = r.start - shift  # where r's span was, in the cleaned text
            if at < pos or (at == pos and not end):
                shift += r.end - r.start
            else:
                break
        return pos + shift

    start, end = original(edit.start, end=False), original(edit.end, end=True)
    pieces = []
    cursor = start
    for r in removed:
        if r.end <= cursor or r.start >= end:
            continue
        if r.start > cursor:
            pieces.append((cursor, r.start))
        cursor = max(cursor, r.end)
    if cursor < end:
        pieces.append((cursor, end))
    return [
        make_edit(STAGE, edit.rule_id, text, a, b, "", edit.reason, evidence=edit.evidence, confidence=edit.confidence)
        for a, b in pieces
    ]


def _rare_runs(text: str, cps: np.ndarray, han: np.ndarray, logs: np.ndarray, cfg: NoiseSettings) -> list[Edit]:
    rare = han & (logs < cfg.rare_log)
    idx = np.flatnonzero(rare)
    if len(idx) < cfg.min_rare:
        return []
    non_han_before = np.cumsum(~han)
    breaks = (np.diff(idx) > cfg.max_gap + 1) | (non_han_before[idx[1:]] != non_han_before[idx[:-1]])
    bounds = np.flatnonzero(np.r_[True, breaks, True])
    clusters = [(int(idx[a]), int(idx[b - 1]) + 1, int(b - a)) for a, b in itertools.pairwise(bounds)]
    clusters = [c for c in clusters if c[2] >= cfg.min_rare]
    if not clusters:
        return []
    in_cluster = np.zeros(len(cps), dtype=bool)
    for start, end, _ in clusters:
        in_cluster[start:end] = True
    # the document's norm leaves the clusters out: removing one must not move it (idempotence)
    ordinary = logs[han & ~in_cluster]
    ordinary = ordinary if len(ordinary) else logs[han]
    norm = float(np.median(ordinary[:: max(1, len(ordinary) // 200_000)]))
    # rare characters standing alone: many in classical or specialist text, few in modern prose
    isolated_before = np.r_[0, np.cumsum(rare & ~in_cluster)]
    han_before = np.r_[0, np.cumsum(han & ~in_cluster)]
    valid = han & ~in_cluster
    counts: list[np.ndarray] = []  # pairs and known pairs before each position, once many windows need them
    looked = 0
    candidates = []
    for start, end, _ in clusters:
        lo, hi = max(0, start - 8), min(len(cps), end + 8)
        start, end = _extend_by_radical(start - lo, end - lo, han[lo:hi], logs[lo:hi], radicals(cps[lo:hi]), cfg)
        start, end = start + lo, end + lo
        length = end - start
        if length < cfg.min_run:
            continue
        mean = float(logs[start:end].mean())
        if mean > norm - cfg.margin:
            continue
        w_lo, w_hi = max(0, start - cfg.window), min(len(cps), end + cfg.window)
        context_han = int(han_before[w_hi] - han_before[w_lo])
        isolated = int(isolated_before[w_hi] - isolated_before[w_lo])
        background = isolated / max(1, context_han)
        if context_han < cfg.min_context or isolated > cfg.max_background * context_han + cfg.background_allowance:
            continue
        looked += 1
        if looked > 200 and not counts:  # many windows: look every pair up once, then count per window
            pairs = valid[:-1] & valid[1:]
            known = np.zeros(len(pairs), dtype=bool)
            known[pairs] = bigram_log_frequencies(cps[:-1][pairs], cps[1:][pairs]) > cfg.pair_min_log
            counts = [np.r_[0, np.cumsum(pairs)], np.r_[0, np.cumsum(known)]]
        if counts:
            total = int(counts[0][w_hi - 1] - counts[0][w_lo])
            context_known = int(counts[1][w_hi - 1] - counts[1][w_lo]) / total if total else 0.0
        else:
            context_known = _known_share(cps[w_lo:w_hi], valid[w_lo:w_hi], cfg.pair_min_log)
        if context_known < cfg.run_context_min_known:
            continue
        run = text[start:end]
        if any(ch in cfg.classical_particles for ch in run):  # 兮, 之, 乎 …: classical text, not noise
            continue
        coverage = word_coverage(run)
        if coverage > cfg.max_coverage:
            continue
        evidence = (
            f"mean log10 frequency {mean:.2f} vs document median {norm:.2f}; dictionary-word coverage "
            f"{coverage:.0%}; rare characters around it {background:.1%}; known pairs around it {context_known:.0%}"
        )
        candidates.append((start, end, run, evidence, norm - mean - cfg.margin))
    # periodic noise: the same run again (a copy elsewhere is a cluster too, so counting these is enough)
    repeats = Counter(run for _, _, run, _, _ in candidates)
    edits = []
    for start, end, run, evidence, below in candidates:
        length = end - start
        top = Counter(r for r in radicals(cps[start:end]).tolist() if r != NO_RADICAL).most_common(2)
        radical_share = sum(n for _, n in top) / length
        periodic = repeats[run] >= cfg.min_repeats
        if radical_share < cfg.radical_share and not periodic:
            continue
        why = (
            f"its characters crowd into {len(top)} radical(s) ({radical_share:.0%})"
            if radical_share >= cfg.radical_share
            else f"the same run recurs {repeats[run]} times"
        )
        reason = f"anti-copy noise: {length} rare characters inside ordinary text; {why}"
        confidence = round(min(1.0, 0.6 + 0.1 * below + 0.2 * periodic), 2)
        edits.append(
            make_edit(
                STAGE, "damage.anti-copy-noise", text, start, end, "", reason, evidence=evidence, confidence=confidence
            )
        )
    return edits


def document_known_share(cps: np.ndarray, han: np.ndarray, min_log: float, budget: int = 400_000) -> float:
    """Share of the text's neighbouring Han pairs found in dictionary words (eight evenly spaced
    samples of ``budget / 8`` characters when the text is longer than ``budget``)."""
    if len(cps) <= budget:
        return _known_share(cps, han, min_log)
    size = budget // 8
    starts = np.linspace(0, len(cps) - size, 8).astype(np.int64)
    parts = [(cps[a : a + size], han[a : a + size]) for a in starts]
    shares = [(_known_share(c, h, min_log), int((h[:-1] & h[1:]).sum())) for c, h in parts]
    total = sum(n for _, n in shares)
    return sum(share * n for share, n in shares) / total if total else 0.0


def _known_share(cps: np.ndarray, valid: np.ndarray, min_log: float) -> float:
    """Share of neighbouring valid (Han, not excluded) pairs that occur inside dictionary words."""
    pairs = valid[:-1] & valid[1:]
    total = int(pairs.sum())
    if not total:
        return 0.0
    known = bigram_log_frequencies(cps[:-1][pairs], cps[1:][pairs]) > min_log
    return int(known.sum()) / total


def _extend_by_radical(
    start: int, end: int, han: np.ndarray, logs: np.ndarray, rads: np.ndarray, cfg: NoiseSettings
) -> tuple[int, int]:
    """Widen a rare cluster over neighbouring, not-too-common characters of the same radicals."""
    own = {int(r) for r in rads[start:end] if r != NO_RADICAL}
    while start > 0 and han[start - 1] and logs[start - 1] < cfg.extend_log and int(rads[start - 1]) in own:
        start -= 1
    while end < len(han) and han[end] and logs[end] < cfg.extend_log and int(rads[end]) in own:
        end += 1
    return start, end


def word_coverage(run: str, max_len: int = 4) -> float:
    """Share of ``run`` covered by dictionary words of 2+ characters (greedy longest match)."""
    if not run:
        return 0.0
    words = dictionary_words()
    covered = 0
    i = 0
    while i < len(run):
        for size in range(min(max_len, len(run) - i), 1, -1):
            if run[i : i + size] in words:
                covered += size
                i += size
                break
        else:
            i += 1
    return covered / len(run)


def _edge_blocks(text: str, cps: np.ndarray, han: np.ndarray, cfg: NoiseSettings) -> list[Edit]:
    """Random common-character blocks at the start or end of a line (a chunk edge)."""
    n = len(cps)
    window = cfg.block_min_chars
    if n < window + cfg.block_min_context:
        return []
    newlines = np.flatnonzero(cps == 10)
    line_starts = np.r_[0, newlines + 1]
    line_ends = np.r_[newlines, n]
    long_enough = (line_ends - line_starts) >= window + cfg.block_min_context
    line_starts, line_ends = line_starts[long_enough], line_ends[long_enough]
    if not len(line_starts):
        return []
    han_idx = np.flatnonzero(han)
    if len(han_idx) < window:
        return []
    # head windows: the first Han character within edge_lead characters of the line start
    at = np.searchsorted(han_idx, line_starts)
    first = han_idx[np.minimum(at, len(han_idx) - 1)]
    head_ok = (at < len(han_idx)) & (first - line_starts <= cfg.edge_lead) & (first + window <= line_ends)
    # tail windows: the last Han character within edge_lead characters of the line end
    at = np.searchsorted(han_idx, line_ends) - 1
    last = han_idx[np.maximum(at, 0)]
    tail_ok = (at >= 0) & (line_ends - 1 - last <= cfg.edge_lead) & (last + 1 - window >= line_starts)
    starts = np.r_[first[head_ok], last[tail_ok] + 1 - window]
    sides = ["head"] * int(head_ok.sum()) + ["tail"] * int(tail_ok.sum())
    lines = np.r_[np.flatnonzero(head_ok), np.flatnonzero(tail_ok)]
    if not len(starts):
        return []
    grid = starts[:, None] + np.arange(window)[None, :]
    all_han = han[grid].all(axis=1)
    pair_logs = bigram_log_frequencies(cps[grid[:, :-1]], cps[grid[:, 1:]])
    known = (pair_logs > cfg.pair_min_log).sum(axis=1)
    suspect = np.flatnonzero(all_han & (known <= cfg.block_max_known * (window - 1)))
    if not len(suspect):
        return []
    # classical or poetic text pairs its characters unlike modern words: leave it alone
    if document_known_share(cps, han, cfg.pair_min_log) < cfg.doc_min_known:
        return []
    edits = []
    for k in suspect:
        line = int(lines[k])
        found = _edge_block(text, cps, han, int(line_starts[line]), int(line_ends[line]), sides[k], cfg)
        if found is not None:
            edits.append(found)
    return edits


def _edge_block(
    text: str, cps: np.ndarray, han: np.ndarray, line_start: int, line_end: int, side: str, cfg: NoiseSettings
) -> Edit | None:
    """The random block at one edge of a line, if the rest of the line is ordinary text."""
    seg_cps = cps[line_start:line_end]
    seg_han = han[line_start:line_end]
    if side == "tail":
        seg_cps, seg_han = seg_cps[::-1], seg_han[::-1]
    offset = int(np.argmax(seg_han))
    pair_han = seg_han[:-1] & seg_han[1:]
    first, second = (seg_cps[:-1], seg_cps[1:]) if side == "head" else (seg_cps[1:], seg_cps[:-1])
    known = (bigram_log_frequencies(first, second) > cfg.pair_min_log) & pair_han
    # the run of Han characters at the edge
    run_end = offset
    while run_end < len(seg_han) and seg_han[run_end]:
        run_end += 1
    total_valid = int(pair_han.sum())
    total_known = int(known.sum())
    # log-likelihood that a pair belongs to random text rather than to real text
    gain_unknown = math.log((1 - cfg.known_random) / (1 - cfg.known_real))
    loss_known = math.log(cfg.known_real / cfg.known_random)
    scored: list[tuple[float, int]] = []
    # block = characters offset .. cut-1; pairs inside it are offset .. cut-2; pair cut-1 straddles
    for cut in range(offset + cfg.block_min_chars, run_end + 1):
        block_known = int(known[offset : cut - 1].sum())
        block_pairs = cut - 1 - offset
        context_valid = total_valid - block_pairs - (1 if cut - 1 < len(pair_han) and pair_han[cut - 1] else 0)
        context_known = total_known - block_known - (1 if cut - 1 < len(known) and known[cut - 1] else 0)
        if block_known > cfg.block_max_known * block_pairs or context_valid < cfg.block_min_context - 1:
            continue
        if context_known < cfg.context_min_known * context_valid:
            continue
        scored.append(((block_pairs - block_known) * gain_unknown - block_known * loss_known, cut))
    if not scored:
        return None
    top = max(score for score, _ in scored)
    near = [cut for score, cut in scored if score >= top - cfg.boundary_slack]
    # the whole run when it scores nearly as well (punctuation is a natural end); otherwise the
    # shortest block scoring nearly as well: when in doubt, remove less
    cut = run_end if run_end in near else min(near)
    if side == "head":
        start, end = line_start + offset, line_start + cut
    else:
        start, end = line_end - cut, line_end - offset
    block = text[start:end]
    if text.count(block) > 1:  # a phrase the text repeats is not random
        return None
    if sum(block.count(p) for p in cfg.classical_particles) >= 2:  # 学而时习之不亦说乎: a classical quotation
        return None
    if (start and text[start - 1] in QUOTE_OPEN) or text.startswith(QUOTE_CLOSE, end):
        return None
    reason = f"random characters stuck to the {'start' if side == 'head' else 'end'} of a line (anti-copy noise)"
    evidence = f"{len(block)} characters whose neighbouring pairs are almost never dictionary words"
    return make_edit(STAGE, "damage.random-edge-block", text, start, end, "", reason, evidence=evidence, confidence=0.7)


# --------------------------------------------------------------------------------------------
# 2. pinyin layers

TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿê"
LATIN = f"A-Za-z{TONED}"
RE_LATIN_RUN = re.compile(f"[{LATIN}]+[0-9]*")
RE_PAREN_PINYIN = re.compile(f"[(（][ \\t]*([{LATIN}]+[1-5]?(?:[ \\t'’-]+[{LATIN}]+[1-5]?)*)[ \\t]*[)）]")


@lru_cache(maxsize=1)
def _pinyin_dict() -> dict[int, str]:
    from pypinyin.pinyin_dict import pinyin_dict

    return pinyin_dict


@lru_cache(maxsize=4096)
def pinyin_forms(char: str) -> frozenset[str]:
    """The ways ``char``'s readings appear in a pinyin layer (lower case): with tone marks, without
    them, with a tone number, and with the tone-marked vowel lost (``liàng`` → ``ling``)."""
    raw = _pinyin_dict().get(ord(char))
    if not raw:
        return frozenset()
    forms: set[str] = set()
    for reading in raw.split(","):
        reading = reading.strip().lower()
        if not reading:
            continue
        plain_chars = []
        dropped_chars = []
        tone = 5
        for ch in reading:
            decomposed = unicodedata.normalize("NFD", ch)
            base = decomposed[0]
            marks = decomposed[1:]
            tone_mark = marks.replace("\u0308", "")
            if tone_mark:
                tone = {"\u0304": 1, "\u0301": 2, "\u030c": 3, "\u0300": 4}.get(tone_mark[0], 5)
            plain = base + ("\u0308" if "\u0308" in marks else "")
            plain = unicodedata.normalize("NFC", plain)
            plain_chars.append(plain)
            if not tone_mark:
                dropped_chars.append(plain)
        plain = "".join(plain_chars)
        dropped = "".join(dropped_chars)
        for variant in {plain, plain.replace("ü", "v"), plain.replace("ü", "u")}:
            forms.update({variant, f"{variant}{tone}"})
        for variant in {dropped, dropped.replace("ü", "v"), dropped.replace("ü", "u")}:
            if variant:
                forms.add(variant)
        forms.add(reading)
    return frozenset(forms)


def is_pinyin_of(char: str, latin: str) -> bool:
    """True if ``latin`` is (a mangled form of) one of ``char``'s pinyin readings."""
    forms = pinyin_forms(char)
    if not forms:
        # a traditional character pypinyin lacks: try its simplified form
        simplified = _t2s_char(char)
        forms = pinyin_forms(simplified) if simplified != char else forms
    return latin.lower() in forms


@lru_cache(maxsize=4096)
def _t2s_char(char: str) -> str:
    try:
        out = _opencc("t2s").convert(char)
    except ImportError:  # pragma: no cover
        return char
    return out if len(out) == 1 else char


def strip_pinyin_layers(text: str, *, rules: RuleSet, metadata: dict[str, Any]) -> list[Edit]:
    """Edits removing pinyin that a layer glued after each character.

    Two forms: the reading in parentheses after a character (``網(wǎng)絡(luò)``) — at least
    ``min_paren_groups`` groups in a row, or single glosses anywhere once the document holds
    ``min_document_groups`` of them (mirror sites gloss only some characters: ``版權(quán)說明``) —
    and a PDF ruby layer where each character is followed by
    its reading with the tone vowels lost (``臣chn亮ling``) — at least ``min_ruby_pairs`` pairs in
    a row. Each reading must be one of the character's (pypinyin), so ``使用Python语言`` stays.

    >>> from pipeline.rules import load_rules
    >>> from pipeline.document import apply_edits
    >>> t = "臣chn亮ling言yn：先xin帝d创chung业y未wi半bn"
    >>> apply_edits(t, strip_pinyin_layers(t, rules=load_rules(), metadata={}))
    '臣亮言：先帝创业未半'
    """
    if text.isascii() or not RE_HAN.search(text):
        return []
    edits = _paren_pinyin(
        text,
        int(_setting(rules, "damage_pinyin", "min_paren_groups", 2)),
        int(_setting(rules, "damage_pinyin", "min_document_groups", 5)),
    )
    edits.extend(
        _ruby_pinyin(
            text,
            int(_setting(rules, "damage_pinyin", "min_ruby_pairs", 3)),
            str(_setting(rules, "damage_pinyin", "run_joiners", "，。、；：！？,.;:!?“”‘’ \t")),
        )
    )
    return _non_overlapping(edits)


def _paren_pinyin(text: str, min_groups: int, min_document_groups: int) -> list[Edit]:
    if "(" not in text and "（" not in text:
        return []
    groups: list[tuple[int, int, int]] = []  # (han start, paren start, paren end)
    for match in RE_PAREN_PINYIN.finditer(text):
        syllables = re.split(r"[ \t'’-]+", match.group(1).strip())
        start = match.start()
        if start and text[start - 1] in " \t":
            start -= 1
        han_start = start - len(syllables)
        if han_start < 0:
            continue
        chars = text[han_start:start]
        if not all(RE_HAN.fullmatch(c) for c in chars):
            continue
        if not all(is_pinyin_of(c, s) for c, s in zip(chars, syllables, strict=True)):
            continue
        groups.append((han_start, start, match.end()))
    # mirror sites gloss single characters in the middle of words; a lesson's glossed word list does not
    mid_word = sum(1 for _, _, end in groups if end < len(text) and RE_HAN.match(text[end]))
    if mid_word >= min_document_groups:
        min_groups = 1
    edits: list[Edit] = []
    run: list[tuple[int, int, int]] = []
    for group in [*groups, (-1, -1, -1)]:
        if run and group[0] == run[-1][2]:
            run.append(group)
            continue
        if len(run) >= min_groups:
            for _, start, end in run:
                edits.append(
                    make_edit(
                        STAGE,
                        "damage.pinyin-parenthesised",
                        text,
                        start,
                        end,
                        "",
                        f"pinyin after each character ({len(run)} in a row) removed"
                        if len(run) > 1
                        else f"pinyin gloss after a character removed ({len(groups)} such glosses in the document)",
                    )
                )
        run = [group] if group[0] >= 0 else []
    return edits


def _ruby_pinyin(text: str, min_pairs: int, joiners: str) -> list[Edit]:
    pairs: list[tuple[int, int, int]] = []  # (han position, end of the han character, latin end)
    for match in RE_LATIN_RUN.finditer(text):
        start, end = match.span()
        if end - start > 8 or (match.group()[-1].isdigit() and match.group()[-1] not in "12345"):
            continue
        if sum(ch.isdigit() for ch in match.group()) > 1:
            continue
        han = start - 1
        if han >= 0 and text[han] in " \t":
            han -= 1
        if han < 0 or not RE_HAN.match(text[han]):
            continue
        pairs.append((han, han + 1, end))
    if len(pairs) < min_pairs:
        return []
    edits: list[Edit] = []
    run: list[tuple[int, int, int]] = []
    for pair in [*pairs, (-1, -1, -1)]:
        if pair[0] >= 0 and run and _joined(text, run[-1][2], pair[0], joiners):
            run.append(pair)
            continue
        _close_ruby_run(text, run, min_pairs, edits)
        run = [pair] if pair[0] >= 0 else []
    return edits


def _joined(text: str, end: int, start: int, joiners: str) -> bool:
    return all(ch in joiners for ch in text[end:start])


def _close_ruby_run(text: str, run: list[tuple[int, int, int]], min_pairs: int, edits: list[Edit]) -> None:
    """Keep the longest stretches of verified pairs in ``run``; remove their readings."""
    if len(run) < min_pairs:
        return
    stretch: list[tuple[int, int, int]] = []
    for pair in [*run, None]:
        if pair is not None and is_pinyin_of(text[pair[0]], text[pair[1] : pair[2]].strip()):
            stretch.append(pair)
            continue
        if len(stretch) >= min_pairs:
            reason = f"pinyin layer ({len(stretch)} characters each followed by its reading) removed"
            for _, start, end in stretch:
                gap = end
                while gap < len(text) and text[gap] in " \t":
                    gap += 1
                if gap > end and gap < len(text) and RE_HAN.match(text[gap]):
                    end = gap  # the space between the reading and the next character goes too
                edits.append(make_edit(STAGE, "damage.pinyin-ruby", text, start, end, "", reason))
        stretch = []


# --------------------------------------------------------------------------------------------
# 3. letter-spaced, doubled and table-of-contents lines

SPACE = " \t\u3000"
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
    max_chars = int(_setting(rules, "damage_headings", "max_heading_chars", 30))
    spans = _line_spans(text)
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
        repaired, kinds = _repair_heading(core, max_chars)
        if not kinds:
            continue
        done.add(start)
        lead = len(line) - len(line.lstrip(SPACE))
        rule_id = "damage.letter-spaced-heading" if kinds == ["letter-spaced"] else "damage.doubled-heading"
        reason = "; ".join(HEADING_REASONS[kind] for kind in kinds)
        edits.append(make_edit(STAGE, rule_id, text, start + lead, start + lead + len(core), repaired, reason))
    edits.extend(_toc_entries(text, rules, done, line_at))
    return _non_overlapping(edits)


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
                and not _periodic(once)
            ):
                core = once.strip(SPACE)
                kinds.append("twice")
                continue
        break
    return core, kinds


def _doubled_positions(text: str) -> list[int]:
    """Where three characters in a row are each written twice (``政政府府工工``)."""
    cps = code_points(text)
    if len(cps) < 6:
        return []
    same = cps[:-1] == cps[1:]
    hits = np.flatnonzero(same[:-4] & same[2:-2] & same[4:])
    return hits.tolist()


def _periodic(s: str) -> bool:
    """True if ``s`` is a shorter string repeated (``哈哈``, ``谢谢谢谢``)."""
    return (s + s).find(s, 1) < len(s)


def _toc_entries(text: str, rules: RuleSet, done: set[int], line_at: Any) -> list[Edit]:
    if not any(ch in text for ch in LEADER_CHARS):
        return []
    min_leader = int(_setting(rules, "damage_headings", "min_leader_chars", 3))
    min_lines = int(_setting(rules, "damage_headings", "min_toc_lines", 3))
    markers = _toc_markers(
        tuple(_setting(rules, "damage_headings", "toc_markers", [])), tuple(rules.setting("headings", "patterns", []))
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
def _toc_markers(extra: tuple[str, ...], headings: tuple[str, ...]) -> re.Pattern[str]:
    import regex

    patterns = [*headings, *extra] or ["(?!)"]
    return regex.compile("[ \\t\\u3000]*(?:" + "|".join(f"(?:{p})" for p in patterns) + ")")


# --------------------------------------------------------------------------------------------
# 4. repeated text

RE_SPACES = re.compile(r"\s+")
ELLIPSIS_END = re.compile(r"(?:…+|\.{3,}|。{3,}|等)$")
RE_LIST_ITEM = re.compile(
    r"[ \t\u3000]*(?:[（(]?[0-9一二三四五六七八九十]{1,3}[）)、.．]|[A-Ha-h][.．、]|[•·●○■□◆◇▪\-*])"
)
SENTENCE_END = "。！？!?"


def _norm(line: str) -> str:
    return "".join(line.split())


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
    return _until_stable(text, lambda t: _non_overlapping(doubled_text(t, doubled) + _repeats(t, rules)), 4)


def _repeats(text: str, rules: RuleSet) -> list[Edit]:
    t = "damage_repeats"
    min_line = int(_setting(rules, t, "min_line_chars", 15))
    min_para = int(_setting(rules, t, "min_paragraph_chars", 30))
    min_summary = int(_setting(rules, t, "min_summary_chars", 30))
    min_copies = int(_setting(rules, t, "min_title_copies", 3))
    spans = _line_spans(text)
    edits: list[Edit] = []
    drops: list[Drop] = []
    removed: set[int] = set()
    first = next((i for i, (s, e) in enumerate(spans) if text[s:e].strip()), None)
    if first is None:
        return []
    edits.extend(_title_repeats(text, spans, first, min_copies, removed, drops))
    heading_re = _toc_markers((), tuple(rules.setting("headings", "patterns", [])))
    seen: dict[str, int] = {}
    keys: list[str | None] = [None] * len(spans)
    prev: int | None = None  # index of the previous non-blank line
    for i, (start, end) in enumerate(spans):
        if end - start < min(min_line, min_summary) and end > start and prev is not None:
            # short lines are never removed, but they break a run of repeats
            if text[start:end].strip():
                prev = i
            continue
        line = text[start:end]
        if not line.strip():
            continue
        if i in removed:
            prev = i
            continue
        key = _norm(line)
        keys[i] = key
        if prev is not None and keys[prev] == key and len(key) >= min_line:
            removed.add(i)
            drops.append((start, end, "damage.repeated-line", "line repeated right after itself"))
            continue
        earlier = seen.get(key)
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
        seen.setdefault(key, i)
        prev = i
    _summaries(text, spans, keys, removed, min_summary, drops)
    return _non_overlapping(edits + _line_drop_edits(text, drops))


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
        return cls(**{f.name: type(f.default)(rules.setting("damage_repeats", f.name, f.default)) for f in fields(cls)})


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
    cps = code_points(text)
    runs = _repeat_runs(cps, cfg.doubled_max_unit)
    if not runs:
        return []
    lines = _promising_lines(text, runs, cfg.doubled_phrase_chars)
    if not len(lines):
        return []
    breaks = np.flatnonzero(cps == 10)
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
        spans = _line_spans(text)
        line_starts = [a for a, _ in spans]
        covered: Counter[int] = Counter()
        for a, size in accepted:
            covered[bisect.bisect_right(line_starts, a) - 1] += 2 * size
        for unit in pending:
            line = bisect.bisect_right(line_starts, unit[0]) - 1
            a, b = spans[line]
            if covered[line] >= cfg.doubled_line_share * len("".join(text[a:b].split())):
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


def _repeat_runs(cps: np.ndarray, max_unit: int) -> dict[int, tuple[np.ndarray, np.ndarray]]:
    """For each piece length L: sorted (start, end) of the stretches where ``cps[i] == cps[i + L]``
    for at least L positions in a row; a piece of length L starting at p is written twice back to
    back when a stretch has ``start <= p`` and ``p + L <= end``. (Compared on the low 16 bits:
    a character outside the BMP may match another, so the caller compares the text again.)

    From L = 8 on, only every fourth position is compared first (any 8 positions in a row hold two
    neighbouring multiples of 4), from four contiguous phase arrays; then around those hits only."""
    runs: dict[int, tuple[np.ndarray, np.ndarray]] = {}
    low = cps.astype(np.uint16)
    n = len(low)
    phases = [np.ascontiguousarray(low[r::4]) for r in range(4)]
    for size in range(1, min(max_unit, n // 2) + 1):
        if size < 8:
            idx = np.flatnonzero(low[:-size] == low[size:])
        else:
            quarter, rest = divmod(size, 4)
            shifted = phases[rest][quarter:]
            count = min(len(shifted), (n - size + 3) // 4)
            sampled = phases[0][:count] == shifted[:count]
            hits = np.flatnonzero(sampled[:-1] & sampled[1:]) * 4
            for k in (1, 2, 3):  # the run covers the positions between the two samples too
                hits = hits[low[hits + k] == low[hits + k + size]]
            if not len(hits):
                continue
            grid = hits[:, None] + np.arange(-size, size + 4)[None, :]  # around each hit: its whole run
            grid = np.clip(grid, 0, n - size - 1)
            idx = np.unique(grid[low[grid] == low[grid + size]])
        if len(idx) < size:
            continue
        if size == 1:
            idx = idx[low[idx] != 10]
            runs[1] = (idx, idx + 1)
            continue
        cuts = np.flatnonzero(np.diff(idx) != 1)
        starts = idx[np.r_[0, cuts + 1]]
        ends = idx[np.r_[cuts, len(idx) - 1]] + 1
        long = ends - starts >= size
        if long.any():
            runs[size] = (starts[long], ends[long])
    return runs


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
    breaks = np.flatnonzero(code_points(text) == 10)
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
                    (size == 1 or not _periodic(piece))
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


def _genuine_units(text: str, chain: list[Unit], words: frozenset[str]) -> set[Unit]:
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
        if copies >= min_copies and not _periodic(once) and RE_HAN.search(once) and _norm(once):
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
    keys: list[str | None],
    removed: set[int],
    min_summary: int,
    drops: list[Drop],
) -> None:
    """Lines that the following text repeats from its start (a site's summary, then the text)."""
    for i, key in enumerate(keys):
        if key is None or i in removed or len(key) < min_summary:
            continue
        core = ELLIPSIS_END.sub("", key)
        if len(core) < min_summary:
            continue
        following = []
        size = 0
        for j in range(i + 1, len(spans)):
            if j in removed:
                continue
            nxt = keys[j] if keys[j] is not None else _norm(text[spans[j][0] : spans[j][1]])
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


# --------------------------------------------------------------------------------------------
# 5. injected text: SEO keyword lines, stock aphorisms

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
            tuple(_setting(rules, t, "seo_labels", [])),
            tuple(_setting(rules, t, "seo_suffixes", [])),
            int(_setting(rules, t, "min_tokens", 3)),
            float(_setting(rules, t, "suffix_share", 0.6)),
            int(_setting(rules, t, "flag_min_tokens", 4)),
            float(_setting(rules, t, "flag_shared_share", 0.5)),
            int(_setting(rules, t, "max_token_chars", 12)),
            tuple(_setting(rules, t, "stock_aphorisms", [])),
            tuple(int(n) for n in _setting(rules, t, "couplet_lengths", [5, 7])),
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
    return _until_stable(text, lambda t: _injected(t, cfg, links=links)[0], 4)


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
    for start, end in _line_spans(text):
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
    removals.extend(_line_drop_edits(text, drops))
    return _non_overlapping(removals), sorted(suggestions, key=lambda e: (e.start, e.end))


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
        types = tuple(_setting(rules, t, "link_file_types", ["pdf", "doc", "docx", "ppt", "pptx", "xls", "xlsx"]))
        return _link_settings(
            types,
            int(_setting(rules, t, "link_min_titles", 3)),
            int(_setting(rules, t, "link_max_lead", 15)),
            int(_setting(rules, t, "link_max_gap", 30)),
            float(_setting(rules, t, "link_min_ratio", 20.0)),
        )


@lru_cache(maxsize=8)
def _link_settings(
    types: tuple[str, ...], min_titles: int, max_lead: int, max_gap: int, ratio: float
) -> LinkSettings | None:
    if not types:
        return None
    alternatives = "|".join(sorted((re.escape(t) for t in types), key=len, reverse=True))
    pattern = re.compile(f"(?i)(?<![A-Za-z])(?:{alternatives})(?![A-Za-z])")
    return LinkSettings(pattern, min_titles, max_lead, max_gap, ratio)


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
    words: dict[str, float],
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


@lru_cache(maxsize=1)
def _word_frequencies() -> dict[str, float]:
    """The dictionary's words of two characters or more with their frequencies."""
    words, freqs = _dictionary()
    return {w: float(f) for w, f in zip(words, freqs.tolist(), strict=True) if len(w) >= 2}


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
    return _known_share(cps, han, -7.0) >= min_share


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


# --------------------------------------------------------------------------------------------
# 6. traditional → simplified


@lru_cache(maxsize=4)
def _opencc(config: str) -> Any:
    """An OpenCC converter (the ``opencc`` package; ``opencc-python-reimplemented`` as fallback)."""
    import opencc

    try:
        return opencc.OpenCC(config)
    except Exception:  # the reimplementation wants "t2s" without ".json"; the C++ build accepts both
        return opencc.OpenCC(config.removesuffix(".json"))


RE_QUOTED = re.compile(r"「[^」\n]*」|“[^”\n]*”|『[^』\n]*』")


def to_simplified(text: str, *, rules: RuleSet, metadata: dict[str, Any]) -> list[Edit]:
    """Edits converting traditional characters to simplified (OpenCC ``t2s``), one per changed run.

    Off unless ``metadata["to_simplified"]`` is true. Classical text keeps its characters — quoted
    spans (「…」 “…” 『…』) and lines whose share of classical particles (之乎者也…) reaches
    ``classical_share`` — unless ``metadata["to_simplified"] == "all"``.
    """
    mode = metadata.get("to_simplified")
    if not mode or text.isascii() or not RE_HAN.search(text):
        return []
    converter = _opencc(str(_setting(rules, "damage_simplified", "config", "t2s")))
    converted = converter.convert(text)
    if converted == text:
        return []
    gap = int(_setting(rules, "damage_simplified", "join_gap", 2))
    if len(converted) == len(text):
        runs = _changed_spans(text, converted, gap)
    else:  # a conversion changed a length somewhere: compare line by line
        runs = []
        for start, end in _line_spans(text):
            line = text[start:end]
            after = converter.convert(line) if line else line
            if after == line:
                continue
            pieces = _changed_spans(line, after, gap) if len(after) == len(line) else [(0, len(line), after)]
            runs.extend((start + a, start + b, piece) for a, b, piece in pieces)
    protected: list[tuple[int, int]] = []
    if mode != "all" and runs:
        breaks = [m.start() for m in RE_NEWLINE.finditer(text)]
        line_starts = np.r_[0, np.asarray(breaks, dtype=np.int64) + 1]
        line_ends = np.r_[np.asarray(breaks, dtype=np.int64), len(text)]
        touched = np.unique(np.searchsorted(line_starts, [r[0] for r in runs], side="right") - 1)
        protected = _classical_spans(
            text,
            list(zip(line_starts[touched].tolist(), line_ends[touched].tolist(), strict=True)),
            str(_setting(rules, "damage_simplified", "classical_particles", "之乎者也矣焉哉兮曰歟耶其而於乃亦蓋夫")),
            float(_setting(rules, "damage_simplified", "classical_share", 0.08)),
            int(_setting(rules, "damage_simplified", "classical_min_chars", 6)),
            float(_setting(rules, "damage_simplified", "classical_max_known", 0.45)),
        )
    reason = "traditional characters converted to simplified"
    return [
        Edit(STAGE, "damage.to-simplified", start, end, text[start:end], after, reason)
        for start, end, after in runs
        if not (protected and _overlaps(protected, start, end))
    ]


def _changed_spans(before: str, after: str, gap: int) -> list[tuple[int, int, str]]:
    """(start, end, replacement) for each run where two equal-length strings differ; runs at most
    ``gap`` unchanged Han characters apart make one (never across punctuation, so a run never
    reaches into a quotation)."""
    a, b = code_points(before), code_points(after)
    diff = np.flatnonzero(a != b)
    if not len(diff):
        return []
    han_before = np.r_[0, np.cumsum(han_mask(a))]
    hole = np.diff(diff) - 1  # unchanged characters between two changed ones
    joinable = (hole == 0) | ((hole <= gap) & (han_before[diff[1:]] - han_before[diff[:-1] + 1] == hole))
    cuts = np.flatnonzero(~joinable)
    starts = np.r_[diff[0], diff[cuts + 1]]
    ends = np.r_[diff[cuts] + 1, diff[-1] + 1]
    return [(s, e, after[s:e]) for s, e in zip(starts.tolist(), ends.tolist(), strict=True)]


def _overlaps(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    """True if [start, end) overlaps one of the sorted, disjoint ``spans``."""
    i = bisect.bisect_left(spans, (end, -1)) - 1  # the last span starting before ``end``
    return i >= 0 and spans[i][1] > start


def _classical_spans(
    text: str, lines: list[tuple[int, int]], particles: str, share: float, min_chars: int, max_known: float
) -> list[tuple[int, int]]:
    """In the given lines: quoted spans and whole lines of classical Chinese, sorted and merged.

    Classical: enough classical particles (之乎者也…), or — for longer spans — character pairs that
    are seldom modern words (verse, classical prose without particles)."""
    cps = code_points(text)
    han = han_mask(cps)
    pairs = han[:-1] & han[1:]
    known = np.zeros(len(pairs), dtype=bool)
    known[pairs] = bigram_log_frequencies(cps[:-1][pairs], cps[1:][pairs]) > -7.0
    pairs_before = np.r_[0, np.cumsum(pairs)]
    known_before = np.r_[0, np.cumsum(known)]

    def classical(s: str, start: int, end: int) -> bool:
        han_count = len(RE_HAN.findall(s))
        if han_count < min_chars:
            return False
        count = sum(s.count(p) for p in particles)
        if count >= 2 and count >= share * han_count:
            return True
        if han_count < 2 * min_chars:
            return False
        total = int(pairs_before[max(start, end - 1)] - pairs_before[start])
        return total >= 6 and int(known_before[max(start, end - 1)] - known_before[start]) < max_known * total

    spans: list[tuple[int, int]] = []
    for start, end in lines:
        line = text[start:end]
        quoted = [(start + m.start(), start + m.end()) for m in RE_QUOTED.finditer(line)]
        spans.extend((a, b) for a, b in quoted if classical(text[a:b], a, b))
        # the line itself, its quotations left out ("孔子說：「…」" converts outside the quote)
        rest = RE_QUOTED.sub("", line) if quoted else line
        if classical(rest, start, end) and (not quoted or _particles_or_verse(rest, particles, share, min_chars)):
            spans.append((start, end))
    return _merged(spans)


def _particles_or_verse(s: str, particles: str, share: float, min_chars: int) -> bool:
    """The particle test alone (for a line whose quotations were left out: its pair counts include them)."""
    han_count = len(RE_HAN.findall(s))
    count = sum(s.count(p) for p in particles)
    return han_count >= min_chars and count >= 2 and count >= share * han_count


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out
