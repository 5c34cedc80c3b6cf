"""Tests for pipeline.align: blocks first, characters inside blocks."""

from __future__ import annotations

import random

import pytest
from corruption import DOC_UNRELATED, base_documents, large_document
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.align import Alignment, Block, align, align_chars, anchor_blocks

DOCS = base_documents()
WANGXIN = DOCS["wangxin"][1:]  # paragraphs of the reference sample
RURAL = DOCS["rural"][1:]
SAFETY = DOCS["safety"][1:]


def check_alignment(a: str, b: str, al: Alignment) -> None:
    """Structural invariants every alignment must keep."""
    assert len(al.blocks) == len(al.opcodes)
    last_end = 0
    for blk, ops in zip(al.blocks, al.opcodes, strict=True):
        assert 0 <= blk.a_start <= blk.a_end <= len(a)
        assert 0 <= blk.b_start <= blk.b_end <= len(b)
        assert blk.a_start >= last_end, "blocks overlap in the scraped text"
        last_end = blk.a_end
        assert 0.0 <= blk.score <= 1.0
        i, j = blk.a_start, blk.b_start
        for tag, i1, i2, j1, j2 in ops:
            assert (i1, j1) == (i, j), "opcodes must be contiguous"
            assert tag in ("equal", "replace", "insert", "delete")
            if tag == "equal":
                assert a[i1:i2] == b[j1:j2]
            elif tag == "insert":
                assert i1 == i2 and j1 < j2
            elif tag == "delete":
                assert i1 < i2 and j1 == j2
            else:
                assert i1 < i2 and j1 < j2
            i, j = i2, j2
        assert (i, j) == (blk.a_end, blk.b_end), "opcodes must cover the block"
    assert 0.0 <= al.similarity <= 1.0


def rebuild(a: str, b: str, ops: list[tuple[str, int, int, int, int]]) -> str:
    """Apply difflib-style opcodes to ``a``: must give ``b``."""
    return "".join(a[i1:i2] if tag == "equal" else b[j1:j2] for tag, i1, i2, j1, j2 in ops)


def block_of(al: Alignment, a: str, text: str) -> Block:
    """The block that contains the scraped occurrence of ``text``."""
    at = a.index(text)
    for blk in al.blocks:
        if blk.a_start <= at < blk.a_end:
            return blk
    raise AssertionError(f"{text[:12]}… is in no block")


def test_identical_texts_are_one_block_all_equal() -> None:
    text = "\n".join(WANGXIN)
    al = align(text, text)
    check_alignment(text, text, al)
    assert al.similarity == 1.0
    assert [(b.a_start, b.a_end, b.b_start, b.b_end) for b in al.blocks] == [(0, len(text), 0, len(text))]
    assert all(tag == "equal" for tag, *_ in al.opcodes[0])


def test_punctuation_and_full_width_digits_do_not_break_anchors() -> None:
    b = "2023年，全县粮食总产量达到24.3万吨，连续12年保持稳定增长；农村居民人均可支配收入达到18650元。"
    a = "２０２３年,全县粮食总产量达到24.3万吨,连续12年保持稳定增长;农村居民人均可支配收入达到18650元。"
    al = align(a, b)
    check_alignment(a, b, al)
    assert len(al.blocks) == 1
    assert al.blocks[0].a_start == 0 and al.blocks[0].a_end == len(a)


def test_long_match_with_punctuation_differences_is_covered_exactly() -> None:
    b = "\n".join(WANGXIN)
    a = b.replace("，", ",").replace("；", ";").replace("\n", "")  # one long match, punctuation differs
    al = align(a, b)
    check_alignment(a, b, al)
    assert len(al.blocks) == 1 and al.similarity > 0.9
    assert rebuild(a, b, list(al.opcodes[0])) == b[al.blocks[0].b_start : al.blocks[0].b_end]


def test_moved_paragraphs_make_blocks_in_scraped_order() -> None:
    b = "\n".join(WANGXIN)
    order = [0, 1, 2, 3, 5, 4, 6, 7, 8, 9, 10, 11, 13, 12, 14, 16, 15, 17]
    moved = [WANGXIN[n] for n in order]
    a = "".join(moved)  # flattened, like the cleaned scraped text
    al = align(a, b)
    check_alignment(a, b, al)
    assert al.similarity > 0.99
    for paragraph in (p for p in moved if len(p) >= 20):  # 同志们： is too short to anchor once flattened
        blk = block_of(al, a, paragraph[:30])
        at = a.index(paragraph[:30])
        # the paragraph aligns with its own place in the reference
        ops = al.opcodes[al.blocks.index(blk)]
        mapped = next(j1 + (at - i1) for tag, i1, i2, j1, _ in ops if tag == "equal" and i1 <= at < i2)
        assert b[mapped : mapped + min(30, len(paragraph))] == paragraph[:30]
    # blocks jump around in the reference
    starts = [blk.b_start for blk in al.blocks]
    assert starts != sorted(starts)


def test_paragraphs_missing_on_either_side() -> None:
    b = "\n".join(WANGXIN[:6] + WANGXIN[8:])  # the reference lacks two paragraphs
    a = "\n".join(WANGXIN[1:5] + WANGXIN[6:12] + WANGXIN[14:])  # the scraped text lacks others
    al = align(a, b)
    check_alignment(a, b, al)
    for paragraph in WANGXIN[6:8]:  # only in the scraped text: in no block
        at = a.index(paragraph)
        assert not any(blk.a_start <= at + 10 < blk.a_end for blk in al.blocks)
    for paragraph in WANGXIN[1:5] + WANGXIN[8:12]:
        assert block_of(al, a, paragraph[:20])


def test_scraped_text_is_a_part_of_a_much_longer_reference() -> None:
    rnd = random.Random(3)
    filler = large_document(60_000, rnd)
    b = "\n".join(filler[:200] + WANGXIN + filler[200:])
    a = "".join(WANGXIN[3:15])
    al = align(a, b)
    check_alignment(a, b, al)
    assert len(b) > 20 * len(a)
    assert al.similarity > 0.98
    start = len("\n".join(filler[:200])) + 1  # where the sample sits (copies of its paragraphs are elsewhere too)
    assert all(start <= blk.b_start and blk.b_end <= start + len("\n".join(WANGXIN)) for blk in al.blocks)


def test_repeated_passage_picks_the_occurrence_of_its_neighbours() -> None:
    shared = "全年共完成投资35亿元，建成重点项目12个，带动就业岗位八千余个。"
    first = f"一是产业发展势头良好。新建高标准农田3.2万亩，培育市级以上龙头企业15家。{shared}特色种养加快发展。"
    second = f"三是乡村治理不断深化。坚持和发展新时代“枫桥经验”，推行网格化管理。{shared}村民议事会全面建立。"
    b = "\n".join([first, RURAL[5], RURAL[6], second, RURAL[8]])
    a = second + RURAL[5]  # the scraped text has the second occurrence, moved before another paragraph
    al = align(a, b)
    check_alignment(a, b, al)
    at = a.index(shared)
    blk = block_of(al, a, shared)
    ops = al.opcodes[al.blocks.index(blk)]
    mapped = next(j1 + (at - i1) for tag, i1, i2, j1, _ in ops if tag == "equal" and i1 <= at < i2)
    assert mapped == b.index(shared, b.index(second))


def test_unrelated_text_has_similarity_near_zero() -> None:
    al = align("\n".join(RURAL), "\n".join(WANGXIN))
    check_alignment("\n".join(RURAL), "\n".join(WANGXIN), al)
    assert al.similarity < 0.1
    al = align(DOC_UNRELATED, "\n".join(SAFETY))
    assert al.similarity < 0.1


def test_empty_and_tiny_inputs() -> None:
    assert align("", "abc").blocks == ()
    assert align("abc", "").similarity == 0.0
    assert align_chars("", "") == []
    assert align_chars("abc", "abd") == [("equal", 0, 2, 0, 2), ("replace", 2, 3, 2, 3)]
    periodic = align("hello world " * 50, "hello world " * 60)  # no unique k-gram at all
    assert periodic.similarity == 1.0


def test_anchor_blocks_sampled_and_full_index_agree() -> None:
    b = "\n".join(WANGXIN + RURAL + SAFETY)
    a = "".join(WANGXIN[2:] + SAFETY[:5] + RURAL)
    full = anchor_blocks(a, b, density=1)
    sampled = anchor_blocks(a, b, density=4)
    covered = [sum(blk.a_end - blk.a_start for blk in blocks) for blocks in (full, sampled)]
    assert covered[1] >= 0.95 * covered[0] >= 0.9 * len(a)


@pytest.mark.parametrize("size", [500, 30_000])
def test_align_chars_rebuilds_the_reference(size: int) -> None:
    rnd = random.Random(size)
    source = "".join(large_document(size, rnd))[:size]
    chars = list(source)
    for _ in range(size // 50):  # scattered edits
        at = rnd.randrange(len(chars))
        choice = rnd.random()
        if choice < 0.4:
            chars[at] = "*"
        elif choice < 0.7:
            del chars[at]
        else:
            chars.insert(at, "的")
    a = "".join(chars)
    ops = align_chars(a, source)
    assert rebuild(a, source, ops) == source
    assert sum(i2 - i1 for tag, i1, i2, *_ in ops if tag == "equal") > 0.9 * len(a)


def test_align_on_a_large_document() -> None:
    """Correct on 200k characters with moved paragraphs (its speed is measured by bench/bench_align.py)."""
    rnd = random.Random(5)
    paragraphs = large_document(200_000, rnd)
    b = "\n".join(paragraphs)
    a = "".join(p.replace("2", "*") for p in paragraphs[5:] + paragraphs[:5])
    al = align(a, b)
    check_alignment(a, b, al)
    assert al.similarity > 0.95


_ALPHABET = "网络治理体系习近平总书记意识形态安全党的二十大一二三四五1234*＊，。“”\n、"


@settings(max_examples=150, deadline=None)
@given(
    st.text(alphabet=_ALPHABET, max_size=300),
    st.text(alphabet=_ALPHABET, max_size=300),
    st.lists(st.integers(min_value=0, max_value=len(WANGXIN) - 1), max_size=6),
)
def test_alignment_invariants_hold_for_any_input(a: str, b: str, picks: list[int]) -> None:
    # random noise glued to real paragraphs, so that both anchored and unanchored paths run
    real = "".join(WANGXIN[n] for n in picks)
    a2, b2 = a + real, "\n".join(WANGXIN[n] for n in sorted(set(picks))) + b
    for x, y in ((a, b), (a2, b2)):
        check_alignment(x, y, align(x, y))
    ops = align_chars(a, b)
    assert rebuild(a, b, ops) == b
