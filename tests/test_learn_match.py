"""The learning's shortlist of templates: it never leaves out one that a line could join."""

from __future__ import annotations

import random

from rapidfuzz import fuzz, process

from pipeline.corpus.learn import MERGE_SCORE
from pipeline.corpus.learn_match import TemplateShortlist
from pipeline.corpus.templates import DIGITS, GAP, TITLE

ALPHABET = "本文由张三李四上传下载页第章节，。：的了是 " + DIGITS + GAP + TITLE + "abc123"


def _line(rng: random.Random, base: str) -> str:
    """``base`` with a few characters changed, dropped or added (often close enough to join it)."""
    chars = list(base)
    for _ in range(rng.randint(0, max(1, len(chars) // 2))):
        where = rng.randrange(len(chars) + 1)
        action = rng.random()
        if action < 0.4 and where < len(chars):
            chars[where] = rng.choice(ALPHABET)
        elif action < 0.7 and where < len(chars):
            del chars[where]
        else:
            chars.insert(where, rng.choice(ALPHABET))
    return "".join(chars) or "文"


def test_every_template_that_reaches_the_score_is_kept_in_order():
    rng = random.Random(7)
    reached = 0
    for _ in range(60):
        bases = ["".join(rng.choice(ALPHABET) for _ in range(rng.randint(3, 80))) for _ in range(5)]
        keys = list(dict.fromkeys(_line(rng, rng.choice(bases)) for _ in range(40)))
        shortlist = TemplateShortlist(keys)
        for _ in range(10):
            line = _line(rng, rng.choice(bases))
            kept = shortlist.candidates(line, MERGE_SCORE)
            reaching = [k for k in keys if fuzz.ratio(line, k) >= MERGE_SCORE]
            assert [k for k in kept if k in reaching] == reaching
            best = process.extractOne(line, keys, scorer=fuzz.ratio, score_cutoff=MERGE_SCORE)
            shortlisted = process.extractOne(line, kept, scorer=fuzz.ratio, score_cutoff=MERGE_SCORE)
            assert (best and best[:2]) == (shortlisted and shortlisted[:2])  # the same template, the same score
            reached += len(reaching)
    assert reached > 100  # the lines do join templates: the check above is not vacuous


def test_unrelated_templates_are_left_out():
    keys = ["第一章 总则 本办法适用于全体职工", "上传者：张三 下载次数：" + DIGITS, "abcdefghijklmnop"]
    assert TemplateShortlist(keys).candidates("上传者：李四 下载次数：" + DIGITS, MERGE_SCORE) == [keys[1]]
    assert TemplateShortlist([]).candidates("上传者", MERGE_SCORE) == []


def test_literal_chars_counts_what_is_neither_slot_nor_space():
    from pipeline.corpus.templates import SLOTS, literal_chars

    assert not any(chr(c).isspace() for c in range(0x10000, 0x110000))  # the table covers every space
    rng = random.Random(5)
    alphabet = " \t\x1c\x85\u3000\u2028ab本文" + "".join(SLOTS)
    for _ in range(2000):
        key = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 20)))
        assert literal_chars(key) == sum(1 for ch in key if ch not in SLOTS and not ch.isspace())


def test_cached_histograms_count_each_key_and_serve_every_shortlist_alike():
    import numpy as np

    from pipeline.corpus.learn_match import BUCKETS, HISTOGRAMS, histogram

    rng = random.Random(3)
    keys = list(dict.fromkeys("".join(rng.choice(ALPHABET) for _ in range(rng.randint(1, 60))) for _ in range(300)))
    lines = [_line(rng, rng.choice(keys)) for _ in range(40)]
    histogram.cache_clear()
    cold = [TemplateShortlist(keys).candidates(line, MERGE_SCORE) for line in lines]
    for number in range(HISTOGRAMS + 10):  # other groups' templates push these out of the cache
        histogram(f"其他模板{number}")
    warm_shortlist = TemplateShortlist(keys)
    assert [warm_shortlist.candidates(line, MERGE_SCORE) for line in lines] == cold
    assert [TemplateShortlist(keys).candidates(line, MERGE_SCORE) for line in lines] == cold  # cached rows
    assert any(cold)  # the lines do join templates
    for key in keys[:50]:
        direct = np.bincount([ord(ch) % BUCKETS for ch in key], minlength=BUCKETS)
        assert histogram(key).tolist() == direct.tolist()
        assert not histogram(key).flags.writeable  # a shared row cannot be changed by one shortlist
