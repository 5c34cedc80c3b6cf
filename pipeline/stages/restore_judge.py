"""Is the reference the same document, and which of its aligned blocks may restoration use?

Two ways to be the same document:

* **coverage** — enough of the scraped text aligns with the reference (a whole copy, a longer
  edition, a shorter scrape): every aligned block is used;
* **a matching stretch** — the reference is a *part* of the document (a preview, an excerpt, a page
  cut short): little of the scraped text aligns, but most of the reference is found in the scraped
  text in long blocks that match closely. Only those blocks are used, so nothing outside the
  stretch is touched.

A different document on the same topic fails both: its blocks are few, short (shared phrases such
as 习近平新时代中国特色社会主义思想) and cover little of either text.
"""

from __future__ import annotations

from dataclasses import dataclass

import regex

from ..align import Alignment, Block

_CONTENT = regex.compile(r"[\p{L}\p{N}]")


@dataclass(frozen=True, slots=True)
class Verdict:
    """The decision on a reference: ``alignment`` holds only the blocks restoration may use."""

    same: bool
    status: str
    alignment: Alignment
    reference_share: float = 0.0


def _content(text: str, start: int = 0, end: int | None = None) -> int:
    return len(_CONTENT.findall(text, start, len(text) if end is None else end))


def _matched_content(a: str, ops: tuple[tuple[str, int, int, int, int], ...]) -> int:
    return sum(_content(a, i1, i2) for tag, i1, i2, _, _ in ops if tag == "equal")


def judge_reference(
    alignment: Alignment,
    a: str,
    b: str,
    *,
    min_similarity: float,
    min_reference_share: float,
    min_block_identity: float,
    min_block_chars: int,
) -> Verdict:
    """Decide whether ``b`` is a version of ``a`` (see the module doc) and keep the usable blocks.

    ``min_similarity``: share of ``a`` aligned for the coverage test. The stretch test keeps the
    blocks with at least ``min_block_chars`` matched letters and digits and an identity of at least
    ``min_block_identity``; they must hold ``min_reference_share`` of the reference's letters and
    digits.
    """
    similarity = alignment.similarity
    if similarity >= min_similarity:
        return Verdict(True, f"same document (similarity {similarity:.2f})", alignment)
    kept: list[Block] = []
    kept_ops = []
    matched = 0
    for block, ops in zip(alignment.blocks, alignment.opcodes, strict=True):
        chars = _matched_content(a, ops)
        if chars >= min_block_chars and block.score >= min_block_identity:
            kept.append(block)
            kept_ops.append(ops)
            matched += chars
    reference_chars = _content(b)
    share = matched / reference_chars if reference_chars else 0.0
    if kept and share >= min_reference_share:
        used = Alignment(
            alignment.a_len, alignment.b_len, tuple(kept), tuple(kept_ops), alignment.similarity, alignment.matched
        )
        status = f"same document, partial reference (similarity {similarity:.2f}, {share:.0%} of the reference aligned)"
        return Verdict(True, status, used, round(share, 4))
    return Verdict(False, f"unrelated (similarity {similarity:.2f})", alignment, round(share, 4))
