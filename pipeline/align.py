"""Align a scraped text with a reference version of the same document: blocks first.

A scraped text is a *flattened, reordered, partly masked* copy of its reference: paragraphs are
merged or moved, some are missing on either side, names and numbers are masked or deleted. A global
character diff (``difflib``, or one Levenshtein matrix over the whole pair) is both too slow for a
long document and wrong for moved paragraphs. Alignment here works in three steps:

1. **Anchors.** Both texts are *projected* to their content characters (letters, CJK, digits:
   punctuation and whitespace dropped, full-width ASCII folded), so ``,``/``，`` or a missing space
   never break a match; a paragraph break of the reference stays in its projection as a sentinel,
   so no match runs across a reference paragraph boundary. k-grams (k characters, default 8) that
   occur in both projections (unique in both, or a few times at most) are looked up in a dict and
   each hit is grown into a maximal exact match (MEM) by galloping slice comparisons. Long inputs
   only index the k-grams starting at a content-defined sample of characters (one in four), which
   keeps the cost near-linear.
2. **Blocks.** MEMs are chained greedily, in scraped order, into chains co-linear within one
   reference paragraph (small gaps, small skew). Where two MEMs claim the same scraped characters
   (a repeated passage, a common phrase), the one covering a whole reference paragraph wins, else
   one co-linear with its neighbours if not much shorter, else the longer one: a repeated passage
   takes the occurrence consistent with its neighbours. Consecutive chains are merged into blocks
   while they stay co-linear (a longer gap only when its two sides are alike); a jump (a moved
   paragraph) or a one-sided gap (a paragraph missing on one side) starts a new block, so blocks
   come in any reference order. Scraped gaps left between blocks are searched again next to the
   blocks around them, where a passage repeated elsewhere in the reference is unique (gap
   filling), and the chaining is redone. Each block is then extended at both ends, character by
   character (X-drop on a small window, affine gap costs), up to the nearest paragraph break
   (crossing it only when both texts break there and the next line matches whole); mask
   characters count as matches there.
3. **Characters.** Inside each block, the stretches between MEMs are aligned with rapidfuzz's
   bit-parallel Indel (LCS) opcodes, in C; identical stretches are compared with one slice test.

Everything is offsets into the two strings given; nothing is copied besides the projections.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate

from .lazy_import import LazyAttribute

Indel = LazyAttribute(globals(), "Indel", "rapidfuzz.distance", "Indel")  # imported when first aligning

Opcode = tuple[str, int, int, int, int]
"""``(tag, i1, i2, j1, j2)`` like :meth:`difflib.SequenceMatcher.get_opcodes`: ``a[i1:i2]`` vs ``b[j1:j2]``."""

DEFAULT_WILDCARDS = "*＊×□■"
"""Characters of the scraped text that stand for any character of the reference (site masks)."""

_SPLIT_A = re.compile(r"((?:[^\w]|_)+)")
_SPLIT_B = re.compile(r"((?:[^\w\n]|_)+)")  # keeps "\n": the reference's paragraph sentinel
_FULLWIDTH = re.compile(r"[０-９Ａ-Ｚａ-ｚ]")
_FOLD = {cp: cp - 0xFEE0 for cp in [*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B), *range(0xFF41, 0xFF5B)]}
_SENTINEL = "\n"
_MASKABLE = frozenset("0123456789０１２３４５６７８９〇零一二三四五六七八九十百千万亿两")

FULL_INDEX_LIMIT = 200_000
"""Up to this many projected characters (both texts together) every k-gram is indexed."""
SAMPLE_DENSITY = 4
"""Above :data:`FULL_INDEX_LIMIT`, about one k-gram in this many is indexed (content-defined)."""
MAX_PAIRS = 4
"""A k-gram occurring ``n_a`` times in the scraped text and ``n_b`` in the reference is used only if
``n_a * n_b`` is at most this (unique in both gives one pair)."""
MAX_GAP = 120
"""Largest gap (projected characters) between two co-linear matches of one block."""
MAX_SKEW = 40
"""Largest difference between the scraped and the reference gap (a deleted name, a reworded clause)."""
MIN_MATCH = 12
"""A block needs at least this many matched characters."""
BRIDGE_MAX = 1000
"""Longest gap (projected characters) two co-linear chains may bridge on similarity alone."""
BRIDGE_SIMILARITY = 0.8
"""Indel similarity the two sides of such a gap need."""
GAP_WINDOW = 4096
"""Reference characters searched on each side of an unaligned scraped gap (see :func:`_gap_mems`)."""
_GAP_MIN = 24  # shorter scraped gaps are left to the character extension of the blocks around them
_GAP_FULL = 256  # gaps with windows up to this wide index every k-gram, wider ones a sample
GAP_ROUNDS = 2
GAP_BUDGET = 3
"""Gap filling indexes at most this many reference characters per scraped character, per round."""
_SHORT_PARAGRAPH = 40  # projected characters: a heading, a one-line paragraph
WEAK_MATCH = 6
"""A shorter chain is dropped even when co-linear with its neighbours."""
EXTEND_WINDOW = 48
EXTEND_DROP = 6
_DIRECT_LIMIT = 4_000_000  # la * lb up to which one rapidfuzz call aligns a stretch directly
_DIRECT_SIMILARITY = 0.5  # a small pair without anchors is one block when at least this similar


@dataclass(frozen=True, slots=True)
class Block:
    """A matched region: ``a[a_start:a_end]`` (scraped) aligns with ``b[b_start:b_end]`` (reference).

    ``score`` is in [0, 1]: from :func:`anchor_blocks`, the share of the block's scraped content
    covered by exact anchor matches; from :func:`align`, the character identity of the block
    (``2 * matched / (len_a + len_b)``).
    """

    a_start: int
    a_end: int
    b_start: int
    b_end: int
    score: float


@dataclass(frozen=True, slots=True)
class Alignment:
    """The alignment of a scraped text ``a`` with a reference ``b``.

    ``blocks`` are in scraped order and never overlap in ``a`` (they may overlap in ``b`` when the
    scraped text repeats a passage). ``opcodes[n]`` covers ``blocks[n]`` exactly, with absolute
    offsets. ``similarity`` is the share of ``a``'s non-space characters aligned to equal
    characters of ``b`` (near 0 for an unrelated reference; near 1 when ``a`` is a part of ``b``);
    ``matched`` is the number of those characters.
    """

    a_len: int
    b_len: int
    blocks: tuple[Block, ...]
    opcodes: tuple[tuple[Opcode, ...], ...]
    similarity: float
    matched: int = 0

    def b_to_a(self, index: int, pos: int) -> int:
        """The scraped offset aligned to reference offset ``pos`` inside block ``index``.

        A position inside a non-equal stretch maps to the stretch's start (its end for the
        stretch's end); positions outside the block map to its nearest end.
        """
        block = self.blocks[index]
        if pos <= block.b_start:
            return block.a_start
        if pos >= block.b_end:
            return block.a_end
        for tag, i1, i2, j1, j2 in self.opcodes[index]:
            if j1 <= pos < j2 or (pos == j2 and tag != "equal"):
                if tag == "equal":
                    return i1 + (pos - j1)
                return i2 if pos == j2 else i1
        return block.a_end


# --------------------------------------------------------------------------------------------
# projections


@dataclass(slots=True)
class _Projection:
    """Content characters of a text, with the map back to original offsets."""

    text: str
    run_proj: list[int]
    run_orig: list[int]

    def orig(self, p: int) -> int:
        """Original offset of projected character ``p``."""
        r = bisect.bisect_right(self.run_proj, p) - 1
        return self.run_orig[r] + (p - self.run_proj[r])

    def orig_end(self, p_end: int) -> int:
        """Original offset just after projected character ``p_end - 1``."""
        return self.orig(p_end - 1) + 1


def _project(s: str, *, keep_breaks: bool) -> _Projection:
    parts = (_SPLIT_B if keep_breaks else _SPLIT_A).split(s)
    offsets = [0, *accumulate(map(len, parts))]
    content = parts[0::2]
    run_orig = offsets[0::2][: len(content)]
    run_proj = [0, *accumulate(map(len, content))][: len(content)]
    text = "".join(content)
    if _FULLWIDTH.search(text):
        text = text.translate(_FOLD)
    if not run_proj:
        run_proj, run_orig = [0], [0]
    return _Projection(text, run_proj, run_orig)


@lru_cache(maxsize=4)
def _sample_class(density: int) -> re.Pattern[str]:
    """A character class holding about one alphanumeric character in ``density`` (by code point hash)."""
    chars = []
    for cp in range(0x30, 0x10000):
        if 0xD800 <= cp < 0xE000:
            continue
        if (((cp * 0x9E3779B1) & 0xFFFFFFFF) >> 16) % density == 0 and chr(cp).isalnum():
            chars.append(chr(cp))
    return re.compile("[" + re.escape("".join(chars)) + "]")


def _positions(text: str, k: int, density: int) -> list[int]:
    last = len(text) - k
    if last < 0:
        return []
    if density <= 1:
        return list(range(last + 1))
    return [m.start() for m in _sample_class(density).finditer(text, 0, last + 1)]


# --------------------------------------------------------------------------------------------
# maximal exact matches


def _extend_right(pa: str, pb: str, i: int, j: int) -> int:
    """Largest ``e`` with ``pa[i:i+e] == pb[j:j+e]`` (galloping slice comparisons)."""
    lim = min(len(pa) - i, len(pb) - j)
    e = 0
    step = 8
    while True:
        s = min(step, lim - e)
        if s <= 0:
            return e
        if pa[i + e : i + e + s] == pb[j + e : j + e + s]:
            e += s
            step *= 2
        elif s == 1:
            return e
        else:
            step = s // 2


def _extend_left(pa: str, pb: str, i: int, j: int) -> int:
    """Largest ``e`` with ``pa[i-e:i] == pb[j-e:j]``."""
    lim = min(i, j)
    e = 0
    step = 8
    while True:
        s = min(step, lim - e)
        if s <= 0:
            return e
        if pa[i - e - s : i - e] == pb[j - e - s : j - e]:
            e += s
            step *= 2
        elif s == 1:
            return e
        else:
            step = s // 2


def _mems(pa: str, pb: str, k: int, density: int, max_pairs: int) -> list[tuple[int, int, int]]:
    """Maximal exact matches ``(i0, i1, j0)`` seeded by shared k-grams, sorted by ``i0``."""
    pos_a = _positions(pa, k, density)
    pos_b = _positions(pb, k, density)
    grams_a = [pa[i : i + k] for i in pos_a]
    grams_b = [pb[j : j + k] for j in pos_b]
    count_b = Counter(grams_b)
    last_b = dict(zip(grams_b, pos_b, strict=True))
    count_a = Counter(grams_a)
    shared = count_a.keys() & count_b.keys()
    many_b: dict[str, list[int]] = defaultdict(list)
    repeated = {g for g in shared if 1 < count_b[g] and count_b[g] * count_a[g] <= max_pairs}
    if repeated:
        for g, j in zip(grams_b, pos_b, strict=True):
            if g in repeated:
                many_b[g].append(j)
    cover: dict[int, int] = {}
    mems: list[tuple[int, int, int]] = []
    for g, i in zip(grams_a, pos_a, strict=True):
        if g not in shared:
            continue
        cb = count_b[g]
        if cb * count_a[g] > max_pairs or _SENTINEL in g:
            continue
        for j in (last_b[g],) if cb == 1 else many_b[g]:
            d = j - i
            if cover.get(d, -1) > i:
                continue
            left = _extend_left(pa, pb, i, j)
            right = _extend_right(pa, pb, i + k, j + k)
            i0, i1 = i - left, i + k + right
            cover[d] = i1
            mems.append((i0, i1, j - left))
    mems.sort(key=lambda m: (m[0], m[0] - m[1]))
    return mems


def _span_positions(text: str, start: int, end: int, k: int, sample: re.Pattern[str] | None) -> Iterable[int]:
    """Start offsets of the k-grams inside ``text[start:end]``: all, or the content-defined sample."""
    if sample is None:
        return range(start, end - k + 1)
    return [m.start() for m in sample.finditer(text, start, max(start, end - k + 1))]


def _gap_mems(pa: str, pb: str, blocks: list[_Chain], k: int, budget: int) -> list[tuple[int, int, int]]:
    """MEMs for the scraped gaps between blocks, looked up only next to the neighbouring blocks.

    A k-gram repeated all over the reference (a passage the document repeats) is useless globally
    but may be unique in the stretch of reference that follows the block before the gap, or
    precedes the block after it: that occurrence is the one consistent with the neighbours. Each
    match is kept inside its gap. ``budget`` caps the reference characters indexed in all.
    """
    out: list[tuple[int, int, int]] = []
    cover: dict[int, int] = {}
    spent = 0
    for idx in range(len(blocks) + 1):
        before = blocks[idx - 1] if idx else None
        after = blocks[idx] if idx < len(blocks) else None
        g0 = before.i1 if before else 0
        g1 = after.i0 if after else len(pa)
        if g1 - g0 < _GAP_MIN or (before is None and after is None):
            continue
        width = min(2 * (g1 - g0) + 4 * k, GAP_WINDOW)
        windows = []
        if before is not None:
            windows.append((before.j1, min(len(pb), before.j1 + width)))
        if after is not None:
            windows.append((max(0, after.j0 - width), after.j0))
        windows.sort()
        if len(windows) == 2 and windows[1][0] <= windows[0][1]:
            windows = [(windows[0][0], max(windows[0][1], windows[1][1]))]
        spent += sum(e - s for s, e in windows)
        if spent > budget:
            break
        sample = _sample_class(SAMPLE_DENSITY) if width > _GAP_FULL else None
        pos_b = [j for s, e in windows for j in _span_positions(pb, s, e, k, sample)]
        grams_b = [pb[j : j + k] for j in pos_b]
        count_b = Counter(grams_b)
        at_b = dict(zip(grams_b, pos_b, strict=True))
        spans = [(g0, min(g1, g0 + width)), (max(g0, g1 - width), g1)]
        if spans[1][0] <= spans[0][1]:
            spans = [(g0, g1)]
        pos_a = [i for s, e in spans for i in _span_positions(pa, s, e, k, sample)]
        grams_a = [pa[i : i + k] for i in pos_a]
        count_a = Counter(grams_a)
        for g, i in zip(grams_a, pos_a, strict=True):
            if count_b.get(g) != 1 or count_a[g] != 1 or _SENTINEL in g:
                continue
            j = at_b[g]
            d = j - i
            if cover.get(d, -1) > i:
                continue
            left = min(_extend_left(pa, pb, i, j), i - g0)
            right = min(_extend_right(pa, pb, i + k, j + k), g1 - i - k)
            cover[d] = i + k + right
            out.append((i - left, i + k + right, j - left))
    return out


# --------------------------------------------------------------------------------------------
# chains and blocks


class _Chain:
    """Co-linear MEMs ``(i0, i1, j0)`` in scraped order; bounds kept up to date for speed."""

    __slots__ = ("i0", "i1", "ids", "j0", "j1", "matched", "mems")

    def __init__(self) -> None:
        self.mems: list[tuple[int, int, int]] = []
        self.ids: list[int] = []
        self.matched = 0
        self.i0 = self.i1 = self.j0 = self.j1 = 0

    def add(self, mem: tuple[int, int, int], ident: int = -1) -> None:
        i0, i1, j0 = mem
        if not self.mems:
            self.i0, self.j0 = i0, j0
        self.mems.append(mem)
        self.ids.append(ident)
        self.matched += i1 - i0
        self.i1, self.j1 = i1, j0 + (i1 - i0)


def _gap_ok(gi: int, gj: int, max_gap: int, max_skew: int) -> bool:
    return max(gi, gj) <= max_gap and abs(gi - gj) <= max_skew


def _paragraph_chains(mems: list[tuple[int, int, int]], breaks: list[int], max_gap: int, max_skew: int) -> list[_Chain]:
    """Greedy co-linear chaining of MEMs, never across a reference paragraph boundary."""
    open_chains: dict[int, list[_Chain]] = defaultdict(list)
    done: list[_Chain] = []
    for ident, mem in enumerate(mems):
        i0, i1, j0 = mem
        par = bisect.bisect_right(breaks, j0)
        candidates = open_chains[par]
        best: _Chain | None = None
        best_cost = 0
        best_trim = 0
        keep: list[_Chain] = []
        for chain in candidates:
            if chain.i1 + max_gap < i0:
                done.append(chain)
                continue
            keep.append(chain)
            gi, gj = i0 - chain.i1, j0 - chain.j1
            trim = max(0, -gi, -gj)
            if trim >= i1 - i0 or not _gap_ok(gi + trim, gj + trim, max_gap, max_skew):
                continue
            cost = max(gi, gj) + abs(gi - gj)
            if best is None or cost < best_cost:
                best, best_cost, best_trim = chain, cost, trim
        open_chains[par] = keep
        if best is not None:
            best.add((i0 + best_trim, i1, j0 + best_trim), ident)
        else:
            chain = _Chain()
            chain.add(mem, ident)
            keep.append(chain)
    for chains in open_chains.values():
        done.extend(chains)
    return done


def _resolve(
    mems: list[tuple[int, int, int]], chains: list[_Chain], pb: str, min_piece: int
) -> list[tuple[int, int, int]]:
    """Settle scraped regions matched twice: the match consistent with its neighbours, else the longer.

    A match covering a whole reference paragraph (a heading moved alone) wins. Otherwise a match
    co-linear with a neighbouring match (small gaps in both texts, as chaining requires) wins if it
    is at least half as long as the longest candidate (a repeated sentence in which the
    scraped edition has a word another copy happens to share); otherwise the longer match wins (a
    match of a repeated or common passage at the wrong place is shorter than the right one, which
    runs on into the context that matches too); then the one whose chain within its reference
    paragraph is longer; then the one nearest a neighbour's diagonal. The loser keeps what lies
    outside the winner (if long enough).
    """
    support = [0] * len(mems)
    for chain in chains:
        for ident in chain.ids:
            if ident >= 0:
                support[ident] = chain.matched
    out: list[tuple[int, int, int]] = []
    group: list[int] = []
    group_end = -1

    def settle() -> None:
        if len(group) == 1:
            out.append(mems[group[0]])
            return
        # the matches just outside the group: the neighbours a match should agree with
        before = mems[group[0] - 1] if group[0] > 0 else None
        after = mems[group[-1] + 1] if group[-1] + 1 < len(mems) else None
        longest = max(mems[n][1] - mems[n][0] for n in group)

        def agrees(i0: int, i1: int, j0: int) -> bool:
            """Co-linear with a neighbour, as chaining would accept it."""
            j1 = j0 + (i1 - i0)
            for gi, gj in (
                (i0 - before[1], j0 - (before[2] + before[1] - before[0])) if before else (-1, -1),
                (after[0] - i1, after[2] - j1) if after else (-1, -1),
            ):
                if gi >= -MAX_SKEW and gj >= 0 and max(gi, gj) <= MAX_GAP and abs(gi - gj) <= MAX_SKEW:
                    return True
            return False

        def key(n: int) -> tuple[bool, bool, int, int, int, int]:
            i0, i1, j0 = mems[n]
            j1 = j0 + (i1 - i0)
            whole = (j0 == 0 or pb[j0 - 1] == _SENTINEL) and (j1 == len(pb) or pb[j1] == _SENTINEL)
            dist = min(
                (abs(j0 - i0 - (m[2] - m[0])) for m in (before, after) if m is not None),
                default=0,
            )
            consistent = 2 * (i1 - i0) >= longest and agrees(i0, i1, j0)
            return (not whole, not consistent, i0 - i1, -support[n], dist, i0)

        claimed: list[tuple[int, int]] = []
        for idx in sorted(group, key=key):
            i0, i1, j0 = mems[idx]
            pieces = [(i0, i1)]
            for s, e in claimed:
                nxt = []
                for p0, p1 in pieces:
                    if e <= p0 or s >= p1:
                        nxt.append((p0, p1))
                        continue
                    if s > p0:
                        nxt.append((p0, s))
                    if e < p1:
                        nxt.append((e, p1))
                pieces = nxt
            for p0, p1 in pieces:
                if p1 - p0 >= min_piece or (p0, p1) == (i0, i1):
                    out.append((p0, p1, j0 + (p0 - i0)))
                    claimed.append((p0, p1))

    for idx, (i0, i1, _) in enumerate(mems):
        if group and i0 >= group_end:
            settle()
            group = []
        if not group:
            group_end = i1
        group.append(idx)
        group_end = max(group_end, i1)
    if group:
        settle()
    out.sort(key=lambda m: (m[0], m[0] - m[1]))
    return out


def _claim(chains: list[_Chain], min_match: int) -> list[_Chain]:
    """Give each scraped region to one chain: best supported first, the others cut around it.

    Chains shorter than ``min_match`` are kept (weak): :func:`_merge` decides whether they stay.
    """
    chains.sort(key=lambda c: (-c.matched, c.i0))
    starts: list[int] = []
    ends: list[int] = []
    kept: list[_Chain] = []
    for chain in chains:
        pieces: list[_Chain] = [_Chain()]
        prev_end = chain.i0
        for i0, i1, j0 in chain.mems:
            # claimed intervals intersecting [prev_end, i1)
            lo = bisect.bisect_right(ends, prev_end)
            cur = i0
            while lo < len(starts) and starts[lo] < i1:
                s, e = starts[lo], ends[lo]
                if e > prev_end:
                    if s > cur:
                        pieces[-1].add((cur, s, j0 + (cur - i0)))
                    pieces.append(_Chain())
                    cur = max(cur, e)
                lo += 1
            if cur < i1:
                pieces[-1].add((cur, i1, j0 + (cur - i0)))
            prev_end = i1
        for piece in pieces:
            if piece.mems and piece.matched >= min(min_match, WEAK_MATCH):
                kept.append(piece)
                at = bisect.bisect_left(starts, piece.i0)
                starts.insert(at, piece.i0)
                ends.insert(at, piece.i1)
    kept.sort(key=lambda c: c.i0)
    return kept


def _colinear_next(
    last: _Chain, chain: _Chain, breaks: list[int], pa: str, pb: str, max_gap: int, max_skew: int
) -> bool:
    """Whether ``chain`` continues ``last`` in both texts.

    A small gap always bridges (across a reference paragraph break only when little is skipped
    on either side). A longer gap, or one across paragraph breaks, bridges when both sides skip
    about as much and the skipped texts are alike (a stretch whose k-grams are all repeated
    elsewhere); a gap on one side only (a paragraph missing on the other side) never does.
    """
    gi, gj = chain.i0 - last.i1, chain.j0 - last.j1
    if gi < 0 or gj < 0:
        return False
    crossed = bisect.bisect_left(breaks, chain.j0) - bisect.bisect_left(breaks, last.j1)
    if _gap_ok(gi, gj, max_gap, max_skew) and (not crossed or max(gi, gj - crossed) <= max_skew // 2):
        return True
    gj -= crossed
    if not gi or not gj or max(gi, gj) > BRIDGE_MAX or abs(gi - gj) > max(max_skew, (gi + gj) // 8):
        return False
    skipped_b = pb[last.j1 : chain.j0].replace(_SENTINEL, "")
    return Indel.normalized_similarity(pa[last.i1 : chain.i0], skipped_b) >= BRIDGE_SIMILARITY


def _standalone(chain: _Chain, breaks: list[int], pb: str) -> bool:
    """Whether a weak chain may be a block alone: most of a short reference paragraph (a moved
    heading with a mask in it), touching its start or end, and found nowhere else."""
    at = bisect.bisect_right(breaks, chain.j0)
    p0 = breaks[at - 1] + 1 if at else 0
    p1 = breaks[at] if at < len(breaks) else len(pb)
    if p1 - p0 > _SHORT_PARAGRAPH or 2 * chain.matched < p1 - p0 or (chain.j0 != p0 and chain.j1 != p1):
        return False
    first = chain.mems[0]
    text = pb[first[2] : first[2] + first[1] - first[0]]
    return pb.find(text) == first[2] and pb.find(text, first[2] + 1) < 0


def _merge(
    chains: list[_Chain], breaks: list[int], pa: str, pb: str, max_gap: int, max_skew: int, min_match: int
) -> list[_Chain]:
    """Merge consecutive (scraped-order) chains that stay co-linear into blocks.

    A weak chain (fewer than ``min_match`` matched characters: a short heading, a sentence between
    two masks) survives only as part of a block with enough matched characters, or alone when it
    is most of a short reference paragraph found nowhere else (see :func:`_standalone`).
    """
    blocks: list[_Chain] = []
    pending: _Chain | None = None
    for chain in chains:
        if pending is not None and _standalone(pending, breaks, pb):
            if not _colinear_next(pending, chain, breaks, pa, pb, max_gap, max_skew):
                blocks.append(pending)
                pending = None
        if blocks and _colinear_next(blocks[-1], chain, breaks, pa, pb, max_gap, max_skew):
            for mem in chain.mems:
                blocks[-1].add(mem)
            pending = None
            continue
        merged = _Chain()
        if pending is not None and _colinear_next(pending, chain, breaks, pa, pb, max_gap, max_skew):
            for mem in pending.mems:
                merged.add(mem)
        for mem in chain.mems:
            merged.add(mem)
        if merged.matched < min_match:
            pending = merged
            continue
        blocks.append(merged)
        pending = None
    if pending is not None and _standalone(pending, breaks, pb):
        blocks.append(pending)
    return blocks


# --------------------------------------------------------------------------------------------
# character alignment


def _merge_ops(ops: Iterable[Opcode]) -> list[Opcode]:
    """Merge adjacent opcodes: equal with equal; any run of non-equal ones into one."""
    out: list[Opcode] = []
    for tag, i1, i2, j1, j2 in ops:
        if i1 == i2 and j1 == j2:
            continue
        if out:
            ptag, pi1, pi2, pj1, pj2 = out[-1]
            if (ptag == "equal") == (tag == "equal") and pi2 == i1 and pj2 == j1:
                if tag != "equal":
                    ni2, nj2 = i2, j2
                    tag = "replace" if (pi1 < ni2 and pj1 < nj2) else ("delete" if pj1 == nj2 else "insert")
                out[-1] = (tag, pi1, i2, pj1, j2)
                continue
        out.append((tag, i1, i2, j1, j2))
    return out


def _direct(a: str, b: str, a0: int, a1: int, b0: int, b1: int) -> list[Opcode]:
    """Opcodes for ``a[a0:a1]`` vs ``b[b0:b1]`` (absolute offsets), one rapidfuzz call or a shortcut."""
    la, lb = a1 - a0, b1 - b0
    if la == 0 and lb == 0:
        return []
    if la == 0:
        return [("insert", a0, a0, b0, b1)]
    if lb == 0:
        return [("delete", a0, a1, b0, b0)]
    sa, sb = a[a0:a1], b[b0:b1]
    if sa == sb:
        return [("equal", a0, a1, b0, b1)]
    if la * lb > _DIRECT_LIMIT:
        return [("replace", a0, a1, b0, b1)]
    return [(tag, a0 + i1, a0 + i2, b0 + j1, b0 + j2) for tag, i1, i2, j1, j2 in Indel.opcodes(sa, sb).as_list()]


def _align_mem(
    a: str,
    b: str,
    pa: _Projection,
    pb: _Projection,
    i0: int,
    i1: int,
    j0: int,
    bounds: tuple[int, int, int, int] | None = None,
) -> list[Opcode]:
    """Opcodes for one MEM's original stretches (same content; punctuation may differ).

    ``bounds`` (a0, a1, b0, b1) are the original stretches; by default those of the MEM's content.
    A long MEM whose stretches differ is halved at a content character (the punctuation before
    it going to the left half) until the halves are equal or short.
    """
    if bounds is None:
        bounds = (pa.orig(i0), pa.orig_end(i1), pb.orig(j0), pb.orig_end(j0 + (i1 - i0)))
    a0, a1, b0, b1 = bounds
    if a1 - a0 == b1 - b0 and a[a0:a1] == b[b0:b1]:
        return [("equal", a0, a1, b0, b1)]
    if i1 - i0 <= 256:
        return _direct(a, b, a0, a1, b0, b1)
    h = (i1 - i0) // 2
    am, bm = pa.orig(i0 + h), pb.orig(j0 + h)
    return _align_mem(a, b, pa, pb, i0, i0 + h, j0, (a0, am, b0, bm)) + _align_mem(
        a, b, pa, pb, i0 + h, i1, j0 + h, (am, a1, bm, b1)
    )


def _gap_cost(n: int) -> float:
    """Affine cost of ``n`` unmatched characters: opening a gap costs more than widening it, so a
    clause one edition dropped does not stop an extension that matches again after it."""
    return 1.0 + 0.3 * (n - 1)


def _score_prefix(ops: Sequence[Opcode], s1: str, wildcards: str) -> tuple[int, int, float]:
    """Best-scoring prefix of an alignment: (a length, b length, score); X-drop stops the walk."""
    best: tuple[int, int, float] = (0, 0, 0.0)
    score = 0.0
    for tag, i1, i2, j1, j2 in _merge_ops(ops):
        if tag == "equal":
            score += i2 - i1
            if score >= best[2] and (score > best[2] or i2 - i1 >= 2):
                best = (i2, j2, score)
            continue
        if tag == "replace" and wildcards and all(ch in wildcards for ch in s1[i1:i2]) and j2 - j1 <= 4 * (i2 - i1):
            score += i2 - i1
            if score > best[2]:
                best = (i2, j2, score)
            continue
        score -= _gap_cost(max(i2 - i1, j2 - j1))
        if score < best[2] - EXTEND_DROP:
            break
    return best


def _extend_line(a: str, b: str, pa: int, pb: int, a_lim: int, forward: bool, wildcards: str) -> tuple[int, int]:
    """Extend a block end at ``(pa, pb)`` while the texts keep matching, up to a line end."""
    for _ in range(256):
        if forward:
            s1 = a[pa : min(a_lim, pa + EXTEND_WINDOW)]
            s2 = b[pb : pb + EXTEND_WINDOW + EXTEND_WINDOW // 2]
        else:
            s1 = a[max(a_lim, pa - EXTEND_WINDOW) : pa][::-1]
            s2 = b[max(0, pb - EXTEND_WINDOW - EXTEND_WINDOW // 2) : pb][::-1]
        cut1, cut2 = s1.find("\n"), s2.find("\n")
        full1 = cut1 < 0 and len(s1) == EXTEND_WINDOW
        full2 = cut2 < 0 and len(s2) == EXTEND_WINDOW + EXTEND_WINDOW // 2
        if cut1 >= 0:
            s1 = s1[:cut1]
        if cut2 >= 0:
            s2 = s2[:cut2]
        if not s1 or not s2:
            break
        da, db, score = _score_prefix(Indel.opcodes(s1, s2).as_list(), s1, wildcards)
        if score <= 0 or da == 0:
            break
        if forward:
            pa, pb = pa + da, pb + db
        else:
            pa, pb = pa - da, pb - db
        if not ((da == len(s1) and full1) or (db == len(s2) and full2)):
            break
    return pa, pb


def _extend(a: str, b: str, pa: int, pb: int, a_lim: int, forward: bool, wildcards: str) -> tuple[int, int]:
    """Extend a block end at ``(pa, pb)`` while the texts keep matching; returns the new end.

    The extension stops at a paragraph break of either text, unless both have one there and the
    whole next line then matches too (a short line such as ``同志们：`` that no k-gram anchors).
    """
    for _ in range(64):
        pa, pb = _extend_line(a, b, pa, pb, a_lim, forward, wildcards)
        if forward:
            if not (pa < a_lim and pb < len(b) and a[pa] == "\n" == b[pb]):
                break
            qa, qb = _extend_line(a, b, pa + 1, pb + 1, a_lim, forward, wildcards)
            if not ((qa == a_lim or a[qa] == "\n") and (qb == len(b) or b[qb] == "\n")):
                break
        else:
            if not (pa > a_lim and pb > 0 and a[pa - 1] == "\n" == b[pb - 1]):
                break
            qa, qb = _extend_line(a, b, pa - 1, pb - 1, a_lim, forward, wildcards)
            if not ((qa == a_lim or a[qa - 1] == "\n") and (qb == 0 or b[qb - 1] == "\n")):
                break
        pa, pb = qa, qb
    return pa, pb


def _absorb(a: str, b: str, pa: int, pb: int, a_lim: int, forward: bool, wildcards: str) -> tuple[int, int]:
    """Take a mask run just outside a block end into it when the reference has digits/numerals there.

    The windowed extension cannot pair the last mask before a paragraph start (``*月`` vs ``1月``)
    because everything before it in the reference is unmatched; this settles that one case.
    """
    if not wildcards:
        return pa, pb
    step = 1 if forward else -1
    ra = pa
    while (ra < a_lim if forward else ra > a_lim) and a[ra if forward else ra - 1] in wildcards:
        ra += step
    run = abs(ra - pa)
    if not run:
        return pa, pb
    rb = pb
    limit = 4 * run + 2
    while abs(rb - pb) < limit and (rb < len(b) if forward else rb > 0) and b[rb if forward else rb - 1] in _MASKABLE:
        rb += step
    if rb == pb:
        return pa, pb
    return ra, rb


def _chain_blocks(
    mems: list[tuple[int, int, int]], breaks: list[int], pa: str, pb: str, max_gap: int, max_skew: int, min_match: int
) -> list[_Chain]:
    """MEMs to blocks: chain, settle doubly matched regions, chain again, claim, merge."""
    chains = _paragraph_chains(mems, breaks, max_gap, max_skew)
    mems = _resolve(mems, chains, pb, min_piece=4)
    chains = _paragraph_chains(mems, breaks, max_gap, max_skew)
    return _merge(_claim(chains, min_match), breaks, pa, pb, max_gap, max_skew, min_match)


@dataclass(slots=True)
class _RawBlock:
    a_start: int
    a_end: int
    b_start: int
    b_end: int
    chain: _Chain
    anchored: float


def _direct_block(a: str, b: str) -> _RawBlock | None:
    """One block from a direct alignment, for small pairs where no k-gram anchors (periodic or
    very short text); None unless the pair is similar enough."""
    if Indel.normalized_similarity(a, b) < _DIRECT_SIMILARITY:
        return None
    equal = [op for op in Indel.opcodes(a, b).as_list() if op[0] == "equal"]
    if not equal:
        return None
    return _RawBlock(equal[0][1], equal[-1][2], equal[0][3], equal[-1][4], _Chain(), 0.0)


def _raw_blocks(
    a: str,
    b: str,
    *,
    k: int,
    wildcards: str,
    density: int | None,
    max_gap: int,
    max_skew: int,
    min_match: int,
) -> tuple[list[_RawBlock], _Projection, _Projection]:
    pa = _project(a, keep_breaks=False)
    pb = _project(b, keep_breaks=True)
    if density is None:
        density = 1 if len(pa.text) + len(pb.text) <= FULL_INDEX_LIMIT else SAMPLE_DENSITY
    mems = _mems(pa.text, pb.text, k, density, MAX_PAIRS)
    breaks = [m.start() for m in re.finditer(_SENTINEL, pb.text)]
    budget = GAP_BUDGET * (len(pa.text) + 1)
    merged = _chain_blocks(mems, breaks, pa.text, pb.text, max_gap, max_skew, min_match)
    worth = len(pa.text) // 200 if len(pa.text) > 50_000 else 1  # re-chaining a long text costs
    for _ in range(GAP_ROUNDS):
        extra = _gap_mems(pa.text, pb.text, merged, k, budget) if merged else []
        found = sum(m[1] - m[0] for m in extra)
        if found < worth:
            break
        mems = sorted([*mems, *extra], key=lambda m: (m[0], m[0] - m[1]))
        merged = _chain_blocks(mems, breaks, pa.text, pb.text, max_gap, max_skew, min_match)
        if found < len(pa.text) // 20:
            break  # another round would find little
    raw: list[_RawBlock] = []
    if not merged and 0 < len(a) * len(b) <= _DIRECT_LIMIT:
        fallback = _direct_block(a, b)
        if fallback is not None:
            raw.append(fallback)
    for chain in merged:
        a0, a1 = pa.orig(chain.i0), pa.orig_end(chain.i1)
        b0, b1 = pb.orig(chain.j0), pb.orig_end(chain.j1)
        raw.append(_RawBlock(a0, a1, b0, b1, chain, chain.matched / max(1, chain.i1 - chain.i0)))
    # extend each block towards its neighbours (never into them), up to paragraph breaks
    for n, blk in enumerate(raw):
        lo = raw[n - 1].a_end if n else 0
        blk.a_start, blk.b_start = _extend(a, b, blk.a_start, blk.b_start, lo, False, wildcards)
        blk.a_start, blk.b_start = _absorb(a, b, blk.a_start, blk.b_start, lo, False, wildcards)
        hi = raw[n + 1].a_start if n + 1 < len(raw) else len(a)
        blk.a_end, blk.b_end = _extend(a, b, blk.a_end, blk.b_end, hi, True, wildcards)
        blk.a_end, blk.b_end = _absorb(a, b, blk.a_end, blk.b_end, hi, True, wildcards)
    return raw, pa, pb


def anchor_blocks(
    a: str,
    b: str,
    *,
    k: int = 8,
    wildcards: str = DEFAULT_WILDCARDS,
    density: int | None = None,
    max_gap: int = MAX_GAP,
    max_skew: int = MAX_SKEW,
    min_match: int = MIN_MATCH,
) -> list[Block]:
    """Matched regions of ``a`` (scraped) and ``b`` (reference), in ``a`` order, from shared k-grams.

    Blocks never overlap in ``a``; they may come in any ``b`` order (moved paragraphs) and may
    overlap in ``b`` (a passage the scraped text repeats). Parts of either text in no block have no
    counterpart. ``density`` forces k-gram sampling (1: index every k-gram; default: every k-gram
    up to :data:`FULL_INDEX_LIMIT` projected characters, one in :data:`SAMPLE_DENSITY` above).
    """
    raw, _, _ = _raw_blocks(
        a, b, k=k, wildcards=wildcards, density=density, max_gap=max_gap, max_skew=max_skew, min_match=min_match
    )
    return [Block(r.a_start, r.a_end, r.b_start, r.b_end, round(r.anchored, 4)) for r in raw]


def _colinear(blocks: list[Block]) -> list[Block]:
    """The heaviest chain of blocks (in ``a`` order) whose ``b`` ranges increase without overlapping.

    Weight is the scraped length; O(n log n) with a Pareto front of (``b_end``, best weight).
    """
    front_end: list[int] = []  # increasing b_end, with increasing best weight
    front_weight: list[int] = []
    front_idx: list[int] = []
    prev = [-1] * len(blocks)
    weight = [0] * len(blocks)
    for n, blk in enumerate(blocks):
        at = bisect.bisect_right(front_end, blk.b_start) - 1
        base = front_weight[at] if at >= 0 else 0
        prev[n] = front_idx[at] if at >= 0 else -1
        weight[n] = base + (blk.a_end - blk.a_start)
        pos = bisect.bisect_left(front_end, blk.b_end)
        if pos > 0 and front_weight[pos - 1] >= weight[n]:
            continue  # dominated: ends no earlier and weighs no more
        end = pos
        while end < len(front_end) and front_weight[end] <= weight[n]:
            end += 1
        front_end[pos:end] = [blk.b_end]
        front_weight[pos:end] = [weight[n]]
        front_idx[pos:end] = [n]
    out: list[Block] = []
    n = front_idx[-1] if front_idx else -1
    while n >= 0:
        out.append(blocks[n])
        n = prev[n]
    out.reverse()
    return out


def align_chars(a: str, b: str, *, _depth: int = 0) -> list[Opcode]:
    """Character opcodes (difflib style) for two texts taken to be in the same order.

    Short pairs go to one call of rapidfuzz's bit-parallel Indel (LCS) opcodes. Long pairs are first
    cut at co-linear anchor blocks (see :func:`anchor_blocks`), so the cost stays near-linear; a
    long stretch between two cuts is aligned the same way in turn (its k-grams are more often
    unique there), a short one directly, and one that stays unanchored is reported as one
    ``replace``. Adjacent non-equal operations are merged, as difflib does: ``replace`` means
    ``a[i1:i2]`` stands where ``b[j1:j2]`` stands.
    """
    if len(a) * len(b) <= _DIRECT_LIMIT:
        return _merge_ops(_direct(a, b, 0, len(a), 0, len(b)))
    alignment = align(a, b)
    chosen = set(_colinear(list(alignment.blocks)))
    if not chosen:
        return _merge_ops(_direct(a, b, 0, len(a), 0, len(b)))
    ops: list[Opcode] = []
    ca = cb = 0

    def gap(a0: int, a1: int, b0: int, b1: int) -> None:
        if (a1 - a0) * (b1 - b0) <= _DIRECT_LIMIT or _depth >= 4 or (a1 - a0, b1 - b0) == (len(a), len(b)):
            ops.extend(_direct(a, b, a0, a1, b0, b1))
            return
        for tag, i1, i2, j1, j2 in align_chars(a[a0:a1], b[b0:b1], _depth=_depth + 1):
            ops.append((tag, a0 + i1, a0 + i2, b0 + j1, b0 + j2))

    for blk, block_ops in zip(alignment.blocks, alignment.opcodes, strict=True):
        if blk not in chosen:
            continue
        gap(ca, blk.a_start, cb, blk.b_start)
        ops.extend(block_ops)
        ca, cb = blk.a_end, blk.b_end
    gap(ca, len(a), cb, len(b))
    return _merge_ops(ops)


def align(
    a: str,
    b: str,
    *,
    k: int = 8,
    wildcards: str = DEFAULT_WILDCARDS,
    density: int | None = None,
) -> Alignment:
    """Align scraped ``a`` with reference ``b``: anchor blocks, then characters inside each block.

    Returns an :class:`Alignment` whose blocks are in ``a`` order with their opcodes (absolute
    offsets) and whose ``similarity`` is the share of ``a``'s non-space characters matched.
    """
    raw, pa, pb = _raw_blocks(
        a, b, k=k, wildcards=wildcards, density=density, max_gap=MAX_GAP, max_skew=MAX_SKEW, min_match=MIN_MATCH
    )
    blocks: list[Block] = []
    all_ops: list[tuple[Opcode, ...]] = []
    matched = 0
    for blk in raw:
        ops: list[Opcode] = []
        ca, cb = blk.a_start, blk.b_start
        for i0, i1, j0 in blk.chain.mems:
            oa, ob = pa.orig(i0), pb.orig(j0)
            if oa < ca or ob < cb:  # cannot happen for a well-formed chain; stay safe
                continue
            ops.extend(_direct(a, b, ca, oa, cb, ob))
            mem_ops = _align_mem(a, b, pa, pb, i0, i1, j0)
            ops.extend(mem_ops)
            ca, cb = mem_ops[-1][2], mem_ops[-1][4]
        ops.extend(_direct(a, b, ca, blk.a_end, cb, blk.b_end))
        merged = _merge_ops(ops)
        equal = sum(i2 - i1 for tag, i1, i2, _, _ in merged if tag == "equal")
        matched += equal
        size = (blk.a_end - blk.a_start) + (blk.b_end - blk.b_start)
        blocks.append(
            Block(blk.a_start, blk.a_end, blk.b_start, blk.b_end, round(2 * equal / size, 4) if size else 0.0)
        )
        all_ops.append(tuple(merged))
    content = len(a) - _count_space(a)
    similarity = matched / content if content else 0.0
    return Alignment(len(a), len(b), tuple(blocks), tuple(all_ops), round(min(1.0, similarity), 4), matched)


_SPACE = re.compile(r"\s+")


def _count_space(s: str) -> int:
    return sum(m.end() - m.start() for m in _SPACE.finditer(s))
