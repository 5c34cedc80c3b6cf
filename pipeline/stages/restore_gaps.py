"""Short stretches left between two aligned blocks, aligned directly when they match.

Alignment anchors blocks on shared 8-grams. A short paragraph whose every run of characters is
shorter than that — a heading with a masked term, ``一、深刻认识健全***体系的重要意义`` — gets no
anchor, and the blocks around it stop at the reference's paragraph breaks: it is left out, masks
and all. Where the scraped text and the reference both have such a stretch between the same two
blocks, the two stretches are aligned character by character; when they match (mask runs counting
as matches), the stretch becomes a block of its own.
"""

from __future__ import annotations

import regex

from ..align import Alignment, Block, Opcode, align_chars

_CONTENT = regex.compile(r"[\p{L}\p{N}]")
MAX_GAP = 300
"""Longest stretch (characters, on either side) aligned directly."""
MIN_SHARE = 0.7
"""Share of the letters and digits of each side that must match (mask runs included)."""


def _content(text: str, start: int, end: int) -> int:
    return len(_CONTENT.findall(text, start, end))


def _gap_block(
    a: str, b: str, a0: int, a1: int, b0: int, b1: int, wildcards: str
) -> tuple[Block, tuple[Opcode, ...]] | None:
    """A block for ``a[a0:a1]`` against ``b[b0:b1]`` if they match, trimmed to its matching ends."""
    ops = [(tag, a0 + i1, a0 + i2, b0 + j1, b0 + j2) for tag, i1, i2, j1, j2 in align_chars(a[a0:a1], b[b0:b1])]
    matched = 0
    kept: list[int] = []
    equal = 0
    for n, (tag, i1, i2, j1, j2) in enumerate(ops):
        if tag == "equal":
            matched += _content(a, i1, i2)
            equal += i2 - i1
            kept.append(n)
        elif tag == "replace" and all(ch in wildcards for ch in a[i1:i2]):
            matched += _content(b, j1, j2)
            kept.append(n)
    if not kept or matched < MIN_SHARE * _content(a, a0, a1) or matched < MIN_SHARE * _content(b, b0, b1):
        return None
    first, last = ops[kept[0]], ops[kept[-1]]
    block_ops = tuple(ops[kept[0] : kept[-1] + 1])
    size = (last[2] - first[1]) + (last[4] - first[3])
    return Block(first[1], last[2], first[3], last[4], round(2 * equal / size, 4) if size else 0.0), block_ops


def align_gaps(alignment: Alignment, a: str, b: str, *, wildcards: str) -> Alignment:
    """``alignment`` with a block added for each matching pair of short stretches between two blocks.

    Only stretches between two blocks that follow each other in both texts are tried, both at most
    :data:`MAX_GAP` characters long; the scraped stretch must hold letters or digits.
    """
    blocks: list[Block] = []
    opcodes: list[tuple[Opcode, ...]] = []
    found = False
    pairs = list(zip(alignment.blocks, alignment.opcodes, strict=True))
    for n, (block, ops) in enumerate(pairs):
        blocks.append(block)
        opcodes.append(ops)
        if n + 1 == len(pairs):
            break
        after = pairs[n + 1][0]
        a0, a1, b0, b1 = block.a_end, after.a_start, block.b_end, after.b_start
        if not (0 < a1 - a0 <= MAX_GAP and 0 < b1 - b0 <= MAX_GAP) or not _CONTENT.search(a, a0, a1):
            continue
        gap = _gap_block(a, b, a0, a1, b0, b1, wildcards)
        if gap is not None:
            blocks.append(gap[0])
            opcodes.append(gap[1])
            found = True
    if not found:
        return alignment
    return Alignment(
        alignment.a_len, alignment.b_len, tuple(blocks), tuple(opcodes), alignment.similarity, alignment.matched
    )
