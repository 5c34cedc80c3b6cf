"""Anti-copy noise: runs of rare characters some sites inject, and blocks of random common
characters stuck to real text at a chunk edge, found from character statistics (not a list).

    这是正文艹虫蚌衤袄裙这是正文   →   这是正文这是正文
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from typing import Any

import numpy as np

from ...document import Edit, apply_edits, make_edit
from ...language import (
    NO_RADICAL,
    QUOTE_CLOSE,
    QUOTE_OPEN,
    RE_HAN,
    bigram_log_frequencies,
    char_logs,
    code_points,
    dictionary_words,
    han_mask,
    radicals,
)
from ...pieces import PIECE_CHARS, line_pieces
from ...rules import RuleSet
from .shared import STAGE, mapped_back, non_overlapping, read_table, until_stable


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
    function_chars: str = "的了在是地和也就都而及与着把被从以已吗呢得其或所这那为对将向于"
    block_max_function: int = 1
    max_rounds: int = 4

    @classmethod
    def read(cls, rules: RuleSet) -> NoiseSettings:
        return read_table(cls, rules, "damage_noise")


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
    return until_stable(text, lambda t: _noise(t, cfg), cfg.max_rounds)


def _noise(text: str, cfg: NoiseSettings) -> list[Edit]:
    """One look for noise: rare runs, then random edge blocks in the text without those runs."""
    runs = non_overlapping(_rare_runs(text, cfg))
    if not runs:
        return _edge_blocks(text, cfg)
    cleaned = apply_edits(text, runs)
    blocks = _edge_blocks(cleaned, cfg)
    del cleaned
    return non_overlapping(runs + [piece for block in blocks for piece in mapped_back(text, runs, block)])


class _Piece:
    """The arrays of one piece of the text, ``text[start:end]``: code points, Han mask, log frequencies."""

    def __init__(self, text: str, start: int, end: int) -> None:
        self.start = start
        self.cps = code_points(text[start:end])
        self.han = han_mask(self.cps)
        self.logs = char_logs(self.cps)


Cluster = tuple[int, int, int]  # (start, end, rare characters): a cluster of rare characters


def _clusters(piece: _Piece, cfg: NoiseSettings) -> list[Cluster]:
    """The clusters of at least ``min_rare`` rare Han characters in a piece (offsets in the text): at most
    ``max_gap`` ordinary Han characters between two rare ones. A line break is no Han character, so no
    cluster spans one: pieces of whole lines find the clusters of the whole text."""
    han = piece.han
    idx = np.flatnonzero(han & (piece.logs < cfg.rare_log))
    if len(idx) < cfg.min_rare:
        return []
    gaps = np.diff(idx)
    breaks = gaps > cfg.max_gap + 1
    # a non-Han character between two close rare ones breaks the cluster too (read at the few
    # positions in between, not from a count over the whole text)
    for step in range(1, cfg.max_gap + 1):
        inside = ~breaks & (gaps > step)
        breaks[inside] = ~han[idx[:-1][inside] + step]
    del gaps
    bounds = np.flatnonzero(np.r_[True, breaks, True])
    del breaks
    big = np.flatnonzero(np.diff(bounds) >= cfg.min_rare)  # only clusters of min_rare or more become tuples
    offset = piece.start
    return [
        (int(idx[a]) + offset, int(idx[b - 1]) + 1 + offset, int(b - a))
        for a, b in zip(bounds[big].tolist(), bounds[big + 1].tolist(), strict=True)
    ]


def _cluster_mask(start: int, length: int, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """True inside the clusters (``starts``/``ends``: sorted, in the text) over ``length`` characters from
    ``start``."""
    mask = np.zeros(length, dtype=bool)
    first = int(np.searchsorted(ends, start, side="right"))
    last = int(np.searchsorted(starts, start + length, side="left"))
    for a, b in zip(starts[first:last].tolist(), ends[first:last].tolist(), strict=True):
        mask[max(0, a - start) : max(0, b - start)] = True
    return mask


def _rare_runs(text: str, cfg: NoiseSettings) -> list[Edit]:
    """The rare-character runs to remove (see :func:`remove_anti_copy_noise`), read in pieces of whole
    lines: the clusters first, then the document's norm, then each cluster within its window."""
    pieces = list(line_pieces(text, PIECE_CHARS))
    clusters: list[Cluster] = []
    by_piece: list[list[Cluster]] = []
    ordinary_count = han_count = 0
    for a, b in pieces:
        piece = _Piece(text, a, b)
        found = _clusters(piece, cfg)
        by_piece.append(found)
        clusters += found
        inside = sum(int(np.count_nonzero(piece.han[s - a : e - a])) for s, e, _ in found)
        han_count += int(np.count_nonzero(piece.han))
        ordinary_count += int(np.count_nonzero(piece.han)) - inside
    if not clusters:
        return []
    cluster_starts = np.array([s for s, _, _ in clusters], dtype=np.int64)
    cluster_ends = np.array([e for _, e, _ in clusters], dtype=np.int64)
    # the document's norm leaves the clusters out: removing one must not move it (idempotence)
    norm = _norm(text, pieces, cluster_starts, cluster_ends, ordinary_count, han_count)
    candidates: list[tuple[int, int, str, str, float]] = []
    looked = [0]
    margin = cfg.window + 16  # a window reaches window + 8 characters past its cluster's line
    for (a, b), found in zip(pieces, by_piece, strict=True):
        if found:
            around = _Piece(text, max(0, a - margin), min(len(text), b + margin))
            candidates += _candidates(text, around, found, cluster_starts, cluster_ends, norm, looked, cfg)
    # periodic noise: the same run again (a copy elsewhere is a cluster too, so counting these is enough)
    repeats = Counter(run for _, _, run, _, _ in candidates)
    edits = []
    for start, end, run, evidence, below in candidates:
        length = end - start
        top = Counter(r for r in radicals(code_points(run)).tolist() if r != NO_RADICAL).most_common(2)
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


NORM_SAMPLES = 200_000  # the median of at most about this many log frequencies (evenly spaced)


def _norm(
    text: str, pieces: list[tuple[int, int]], starts: np.ndarray, ends: np.ndarray, ordinary_count: int, han_count: int
) -> float:
    """The median log frequency of the Han characters outside the clusters (of all Han characters if
    none is outside), taking every ``count // NORM_SAMPLES``-th of them in text order."""
    every = max(1, (ordinary_count or han_count) // NORM_SAMPLES)
    sampled: list[np.ndarray] = []
    seen = 0
    for a, b in pieces:
        piece = _Piece(text, a, b)
        keep = piece.han & ~_cluster_mask(a, b - a, starts, ends) if ordinary_count else piece.han
        values = piece.logs[keep]
        sampled.append(values[(-seen) % every :: every])
        seen += len(values)
    return float(np.median(np.concatenate(sampled)))


def _candidates(
    text: str,
    piece: _Piece,
    clusters: list[Cluster],
    cluster_starts: np.ndarray,
    cluster_ends: np.ndarray,
    norm: float,
    looked: list[int],
    cfg: NoiseSettings,
) -> list[tuple[int, int, str, str, float]]:
    """The clusters of one piece that pass as noise in their window: (start, end, run, evidence, how far
    below the norm). ``piece`` covers the clusters' lines and ``window + 16`` characters either side;
    ``looked`` counts the windows looked at in the whole text."""
    cps, han, logs, offset = piece.cps, piece.han, piece.logs, piece.start
    rare = han & (logs < cfg.rare_log)
    in_cluster = _cluster_mask(offset, len(cps), cluster_starts, cluster_ends)
    # rare characters standing alone: many in classical or specialist text, few in modern prose
    valid = han & ~in_cluster
    isolated_before = _counts_before(rare & valid)
    han_before = _counts_before(valid)
    counts: list[np.ndarray] = []  # pairs and known pairs before each position, once many windows need them
    candidates = []
    for cluster_start, cluster_end, _ in clusters:
        start, end = cluster_start - offset, cluster_end - offset
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
        looked[0] += 1
        if looked[0] > 200 and not counts:  # many windows: look every pair up once, then count per window
            pairs = valid[:-1] & valid[1:]
            known = np.zeros(len(pairs), dtype=bool)
            known[pairs] = bigram_log_frequencies(cps[:-1][pairs], cps[1:][pairs]) > cfg.pair_min_log
            counts = [_counts_before(pairs), _counts_before(known)]
        if counts:
            total = int(counts[0][w_hi - 1] - counts[0][w_lo])
            context_known = int(counts[1][w_hi - 1] - counts[1][w_lo]) / total if total else 0.0
        else:
            context_known = known_share(cps[w_lo:w_hi], valid[w_lo:w_hi], cfg.pair_min_log)
        if context_known < cfg.run_context_min_known:
            continue
        run = text[start + offset : end + offset]
        if any(ch in cfg.classical_particles for ch in run):  # 兮, 之, 乎 …: classical text, not noise
            continue
        coverage = word_coverage(run)
        if coverage > cfg.max_coverage:
            continue
        evidence = (
            f"mean log10 frequency {mean:.2f} vs document median {norm:.2f}; dictionary-word coverage "
            f"{coverage:.0%}; rare characters around it {background:.1%}; known pairs around it {context_known:.0%}"
        )
        candidates.append((start + offset, end + offset, run, evidence, norm - mean - cfg.margin))
    return candidates


def _counts_before(mask: np.ndarray) -> np.ndarray:
    """How many True values come before each position (length + 1 entries, int32, no copies)."""
    out = np.zeros(len(mask) + 1, dtype=np.int32)
    np.cumsum(mask, dtype=np.int32, out=out[1:])
    return out


def document_known_share(cps: np.ndarray, han: np.ndarray, min_log: float, budget: int = 400_000) -> float:
    """Share of the text's neighbouring Han pairs found in dictionary words (eight evenly spaced
    samples of ``budget / 8`` characters when the text is longer than ``budget``)."""
    if len(cps) <= budget:
        return known_share(cps, han, min_log)
    size = budget // 8
    starts = np.linspace(0, len(cps) - size, 8).astype(np.int64)
    parts = [(cps[a : a + size], han[a : a + size]) for a in starts]
    shares = [(known_share(c, h, min_log), int((h[:-1] & h[1:]).sum())) for c, h in parts]
    total = sum(n for _, n in shares)
    return sum(share * n for share, n in shares) / total if total else 0.0


def known_share(cps: np.ndarray, valid: np.ndarray, min_log: float) -> float:
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


def _edge_blocks(text: str, cfg: NoiseSettings) -> list[Edit]:
    """Random common-character blocks at the start or end of a line (a chunk edge), looked for in pieces
    of whole lines."""
    n = len(text)
    window = cfg.block_min_chars
    if n < window + cfg.block_min_context:
        return []
    heads: list[tuple[int, int]] = []
    tails: list[tuple[int, int]] = []
    han_count = 0
    for a, b in line_pieces(text, PIECE_CHARS):
        cps = code_points(text[a:b])
        han = han_mask(cps)
        han_count += int(np.count_nonzero(han))
        for side, found in zip(("head", "tail"), _suspect_edges(cps, han, cfg), strict=True):
            (heads if side == "head" else tails).extend((start + a, end + a) for start, end in found)
    if han_count < window or not (heads or tails):
        return []
    # classical or poetic text pairs its characters unlike modern words: leave it alone
    if text_known_share(text, cfg.pair_min_log) < cfg.doc_min_known:
        return []
    edits = []
    for side, found in (("head", heads), ("tail", tails)):
        for line_start, line_end in found:
            block = _edge_block(text, line_start, line_end, side, cfg)
            if block is not None:
                edits.append(block)
    return edits


def _suspect_edges(
    cps: np.ndarray, han: np.ndarray, cfg: NoiseSettings
) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """(head, tail): the (start, end) of the lines of a piece of whole lines whose first (last) Han
    characters begin (end) ``block_min_chars`` Han characters that hardly pair as dictionary words."""
    n = len(cps)
    window = cfg.block_min_chars
    newlines = np.flatnonzero(cps == 10)
    line_starts = np.r_[0, newlines + 1]
    line_ends = np.r_[newlines, n]
    long_enough = (line_ends - line_starts) >= window + cfg.block_min_context
    line_starts, line_ends = line_starts[long_enough], line_ends[long_enough]
    if not len(line_starts):
        return [], []
    # looked up in the edge_lead + 1 characters at each line edge, not in an index of every Han
    # character (8 bytes per character of the text)
    offsets = np.arange(cfg.edge_lead + 1)
    # head windows: the first Han character within edge_lead characters of the line start
    grid = line_starts[:, None] + offsets[None, :]
    edge_han = han[np.minimum(grid, n - 1)] & (grid < n)
    first = line_starts + np.argmax(edge_han, axis=1)
    head_ok = edge_han.any(axis=1) & (first + window <= line_ends)
    # tail windows: the last Han character within edge_lead characters of the line end
    grid = (line_ends - 1)[:, None] - offsets[None, :]
    edge_han = han[np.maximum(grid, 0)] & (grid >= 0)
    last = line_ends - 1 - np.argmax(edge_han, axis=1)
    tail_ok = edge_han.any(axis=1) & (last + 1 - window >= line_starts)
    found = []
    for ok, starts in ((head_ok, first[head_ok]), (tail_ok, last[tail_ok] + 1 - window)):
        lines = np.flatnonzero(ok)
        if not len(lines):
            found.append([])
            continue
        grid = starts[:, None] + np.arange(window)[None, :]
        all_han = han[grid].all(axis=1)
        pair_logs = bigram_log_frequencies(cps[grid[:, :-1]], cps[grid[:, 1:]])
        known = (pair_logs > cfg.pair_min_log).sum(axis=1)
        suspect = lines[all_han & (known <= cfg.block_max_known * (window - 1))]
        found.append(list(zip(line_starts[suspect].tolist(), line_ends[suspect].tolist(), strict=True)))
    return found[0], found[1]


def text_known_share(text: str, min_log: float, budget: int = 400_000) -> float:
    """:func:`document_known_share` of ``text``, reading only the samples' code points."""
    if len(text) <= budget:
        cps = code_points(text)
        return known_share(cps, han_mask(cps), min_log)
    size = budget // 8
    starts = np.linspace(0, len(text) - size, 8).astype(np.int64)
    shares = []
    for a in starts.tolist():
        cps = code_points(text[a : a + size])
        han = han_mask(cps)
        shares.append((known_share(cps, han, min_log), int((han[:-1] & han[1:]).sum())))
    total = sum(n for _, n in shares)
    return sum(share * n for share, n in shares) / total if total else 0.0


def _edge_block(text: str, line_start: int, line_end: int, side: str, cfg: NoiseSettings) -> Edit | None:
    """The random block at one edge of a line, if the rest of the line is ordinary text."""
    seg_cps = code_points(text[line_start:line_end])
    seg_han = han_mask(seg_cps)
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
    # real text glued by function characters (信豪迈地站在了实): their pairs with their neighbours are no
    # dictionary words, yet the block reads; random blocks hardly hold any
    if sum(block.count(c) for c in cfg.function_chars) > cfg.block_max_function:
        return None
    if _word_across_break(text, start, end, side, cfg):  # 实|现 cut by a chunk break: the text goes on
        return None
    if sum(block.count(p) for p in cfg.classical_particles) >= 2:  # 学而时习之不亦说乎: a classical quotation
        return None
    if (start and text[start - 1] in QUOTE_OPEN) or text.startswith(QUOTE_CLOSE, end):
        return None
    reason = f"random characters stuck to the {'start' if side == 'head' else 'end'} of a line (anti-copy noise)"
    evidence = f"{len(block)} characters whose neighbouring pairs are almost never dictionary words"
    return make_edit(STAGE, "damage.random-edge-block", text, start, end, "", reason, evidence=evidence, confidence=0.7)


def _word_across_break(text: str, start: int, end: int, side: str, cfg: NoiseSettings) -> bool:
    """Whether the block's edge character and the first Han character across the line break (past
    spaces) form a dictionary word: the line was cut inside a word, so the block is text that goes on."""
    blank = "\n \t\u3000"
    if side == "tail":
        inner, k = end - 1, end
        while k < len(text) and text[k] in blank:
            k += 1
        if k == end or k >= len(text):
            return False
        first, second = code_points(text[inner]), code_points(text[k])
    else:
        inner, k = start, start - 1
        while k >= 0 and text[k] in blank:
            k -= 1
        if k == start - 1 or k < 0:
            return False
        first, second = code_points(text[k]), code_points(text[inner])
    if not (RE_HAN.match(text[k]) and RE_HAN.match(text[inner])):
        return False
    return bool(bigram_log_frequencies(first, second)[0] > cfg.pair_min_log)
