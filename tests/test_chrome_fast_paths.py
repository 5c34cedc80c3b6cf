"""The chrome scorer's fast paths give what the slow ones gave: repeated Han pairs, the reused lexicon."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from pipeline.stages.chrome.score import RE_HAN_PAIR, _Vocabulary, han_pair_keys

CHARS = "的是了常见〇々⺀𠀀𪜶中国人，。 a1\t「」"


def _by_regex(lines: list[str]) -> set[str]:
    counts = Counter(pair for line in lines for pair in RE_HAN_PAIR.findall(line))
    return {pair for pair, n in counts.items() if n >= 2}


def test_repeated_pairs_are_those_the_pair_regex_counts_twice():
    rng = random.Random(3)
    for _ in range(200):
        lines = ["".join(rng.choice(CHARS) for _ in range(rng.randint(0, 30))) for _ in range(rng.randint(0, 6))]
        expected = _by_regex(lines)
        vocabulary = _Vocabulary(lines, 20000)
        found = {chr(key >> 21) + chr(key & ((1 << 21) - 1)) for key in vocabulary.pairs()}
        assert found == expected
        seen = {pair for line in lines for pair in RE_HAN_PAIR.findall(line)}
        assert all(
            vocabulary.seen_any(han_pair_keys(pair)) == (pair in seen) for pair in {a + b for a in CHARS for b in CHARS}
        )
        probes = {a + b for a in CHARS for b in CHARS} | {"的", "的是了"}
        assert {p for p in probes if p in vocabulary} == expected & probes


def test_a_pair_seen_once_is_not_vocabulary():
    vocabulary = _Vocabulary(["我们常常见面", "常见问题"], 20000)
    assert "常见" in vocabulary and "我们" not in vocabulary and "见面" not in vocabulary


def test_a_lexicon_follows_its_tables_even_when_changed_in_place():
    import copy

    from pipeline.rules import RuleSet, load_rules
    from pipeline.stages.chrome.data import load_lexicon

    packaged = load_rules()
    rules = RuleSet(packaged.rules, packaged.sites, copy.deepcopy(packaged.settings))
    first = load_lexicon(rules)
    assert first is not None and load_lexicon(rules) is first  # the same tables: the same lexicon
    assert not first.words.search("扫码领红包")
    kind = next(iter(rules.settings["chrome_words"].values()))
    kind["words"] = [*kind["words"], "扫码领红包"]  # changed in place
    changed = load_lexicon(rules)
    assert changed is not first and changed.words.search("扫码领红包")


def test_pair_keys_and_their_known_count_are_the_regex_pairs():
    rng = random.Random(9)
    body = ["".join(rng.choice(CHARS) for _ in range(40)) for _ in range(8)]
    vocabulary = _Vocabulary(body, 20000)
    for _ in range(300):
        line = "".join(rng.choice(CHARS) for _ in range(rng.randint(0, 40)))
        pairs = RE_HAN_PAIR.findall(line)
        keys = han_pair_keys(line)
        assert [chr(k >> 21) + chr(k & ((1 << 21) - 1)) for k in keys.tolist()] == pairs
        assert vocabulary.count_known(keys) == sum(pair in vocabulary for pair in pairs)


def test_skipping_a_line_template_never_skips_a_match():
    from pathlib import Path

    from pipeline.rules import load_rules
    from pipeline.stages.chrome.data import load_lexicon
    from pipeline.stages.chrome.score import may_match

    root = Path(__file__).resolve().parent.parent
    lines = {
        line.strip()
        for folder in (root / "samples", root / "tests" / "fixtures")
        for path in folder.rglob("*.txt")
        for line in path.read_text(encoding="utf-8", errors="replace").split("\n")
    }
    lines |= {"©2023 本站版权所有", "本篇文章为你整理了通知的详细内容", "未完，继续阅读", "第一文库网", "開通VIP"}
    matched = 0
    for traditional in (False, True):
        lexicon = load_lexicon(load_rules(), traditional=traditional)
        assert lexicon is not None
        for template in (t for t in lexicon.templates if t.kind == "line"):
            for line in lines:
                if template.pattern.search(line):
                    matched += 1
                    assert may_match(template.pattern, line), (template.name, line)
    assert matched >= 10


def test_residual_is_what_no_span_covers():
    from pipeline.stages.chrome.score import RE_RESIDUAL, _residual

    def by_character(line: str, spans: list[tuple[int, int]]) -> list[str]:
        covered = [any(a <= i < b for a, b in spans) for i in range(len(line))]
        uncovered = "".join("\n" if flag else ch for ch, flag in zip(line, covered, strict=True))
        return RE_RESIDUAL.findall(uncovered)

    rng = random.Random(11)
    for _ in range(3000):
        line = "".join(rng.choice("ab1 中文，:-") for _ in range(rng.randint(0, 30)))
        spans = []
        for _ in range(rng.randint(0, 6)):
            start = rng.randint(0, len(line))
            spans.append((start, rng.randint(start, len(line))))
        assert _residual(line, spans) == by_character(line, spans)


@pytest.mark.parametrize("piece", [1 << 18, 4])  # a tiny piece: the scan of a long text, cut after line breaks
def test_a_template_applies_when_the_text_holds_one_of_its_strings(piece, monkeypatch):
    from pathlib import Path

    from pipeline.rules import load_rules
    from pipeline.stages.chrome import data
    from pipeline.stages.chrome.data import load_lexicon

    monkeypatch.setattr(data, "REQUIRED_SCAN_CHARS", piece)
    monkeypatch.setattr(data, "_LAST_PRESENT", [(None, None, frozenset())])

    root = Path(__file__).resolve().parent.parent
    texts = [path.read_text(encoding="utf-8", errors="replace") for path in sorted((root / "samples").glob("*.txt"))]
    rng = random.Random(13)
    for traditional in (False, True):
        lexicon = load_lexicon(load_rules(), traditional=traditional)
        assert lexicon is not None
        strings = sorted({s for t in lexicon.templates for s in t.requires})
        for _ in range(300):  # texts made of the strings, overlapping and cut, and of plain text
            pieces = [rng.choice(strings)[rng.randint(0, 1) :] for _ in range(rng.randint(0, 4))]
            texts.append(rng.choice(["", "正文。", "\n"]).join(pieces))
        applied = 0
        for text in texts:
            for template in lexicon.templates:
                expected = not template.requires or any(s in text for s in template.requires)
                assert lexicon.applies(template, text) == expected, (template.name, text)
                applied += expected and bool(template.requires)
        assert applied > 100


def test_chrome_words_found_where_the_lower_cased_line_holds_one_are_those_of_the_pattern():
    """The word pattern tried only at the starts of chrome words in the lower-cased line finds what scanning
    the whole line finds, also with letters a case-insensitive pattern folds beyond lower-casing (the Kelvin
    sign K for k, the long s ſ for s, dotted İ, Greek sigmas, fullwidth Latin) and around Latin words."""
    import copy

    from pipeline.rules import RuleSet, load_rules
    from pipeline.stages.chrome.data import load_lexicon
    from pipeline.stages.chrome.score import chrome_word_matches

    packaged = load_rules()
    rules = RuleSet(packaged.rules, packaged.sites, copy.deepcopy(packaged.settings))
    kind = next(iter(rules.settings["chrome_words"].values()))
    kind["words"] = [*kind["words"], "desk", "ks文档"]  # letters with a second case-insensitive match
    rng = random.Random(17)
    for traditional in (False, True):
        lexicon = load_lexicon(rules, traditional=traditional)
        assert lexicon is not None and lexicon.word_literals is not None
        words = sorted(lexicon.weights)
        latin = [w for w in words if any(c.isascii() and c.isalpha() for c in w)]
        pieces = [*rng.sample(words, 40), *latin, "PDF", "Pdf", "x", "ab", "中", "，", " ", "İ", "ς", "Ｐ", "𐐀", "𠀀"]
        for _ in range(3000):
            line = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 8)))
            line = "".join(ch.upper() if rng.random() < 0.2 else ch for ch in line)
            if rng.random() < 0.3:
                line = line.replace("k", "\u212a").replace("S", "\u017f").replace("σ", "ς")
            expected = [(m.span(), m.group()) for m in lexicon.words.finditer(line)]
            assert [(m.span(), m.group()) for m in chrome_word_matches(line, lexicon)] == expected, line


def test_strings_occurring_once_are_those_str_count_counts_once():
    from pipeline.stages.chrome.score import occurring_once

    rng = random.Random(5)
    for _ in range(3000):
        text = "".join(rng.choice("aab\n") for _ in range(rng.randint(0, 40)))
        texts = {"".join(rng.choice("ab") for _ in range(rng.randint(1, 4))) for _ in range(rng.randint(1, 6))}
        expected = {s for s in texts if text.count(s) == 1}
        for piece in (1, 3, 1 << 12):  # one scan, in pieces (a match across the cut counted once)
            assert occurring_once(texts, text, direct_chars=0, piece_chars=piece) == expected, (text, texts)
        assert occurring_once(texts, text) == expected  # one count each


def _pieces_of_pages(lexicon) -> list[str]:
    rng = random.Random(23)
    return [
        *rng.sample(sorted(lexicon.weights), 30),
        "来源：", "作者:", "【标签】", "2023-01-05 12:30", "2023-01-05", "2019年", " > ", " | ", " - ", "，", "。", "；", "！", ",",
        "3页", "12次", "800像素", "⺀⻊", "的", "平台", "栏目", "http", ".", "www.", "10.", "首页", "当前位置",
        "QQ", *["首页 > 要闻 > 时政，"] * 6, *["在这个过程中我们发现了一个重要的问题，", "数据的质量往往决定了模型的效果", "推动形成综合治网格局"] * 12,
    ]  # fmt: skip


def test_a_line_ruled_below_flag_scores_below_it_whatever_the_vocabulary():
    """below_flag_whatever_else never rules out a line that could score flag_at or remove_at between body
    lines (an empty vocabulary: no body evidence against it) or that the block classifier reads as link-like."""
    from pipeline.rules import load_rules
    from pipeline.stages.chrome.blocks import BlockSettings, link_like
    from pipeline.stages.chrome.data import ChromeSettings, load_lexicon
    from pipeline.stages.chrome.score import Scored, _evidence, below_flag_whatever_else

    rules = load_rules()
    cfg, lexicon, blocks = ChromeSettings.read(rules), load_lexicon(rules), BlockSettings.read(rules)
    pieces = _pieces_of_pages(lexicon)
    rng = random.Random(31)
    ruled = 0
    for _ in range(4000):
        line = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 12))).strip()
        if not line or not below_flag_whatever_else(line, cfg, lexicon):
            continue
        ruled += 1
        for zone in ("mid", "gap"):
            item = Scored(0, len(line), line, zone)
            _evidence(item, cfg, lexicon, _Vocabulary([], 20000))
            assert item.raw < min(cfg.flag_at, cfg.remove_at), (line, item.evidence)
        assert not link_like(line, blocks)
    assert ruled >= 300


def test_lines_ruled_below_flag_left_unscored_change_no_edit(monkeypatch):
    """Pages of body lines with chrome words, fields, dates and separators between them: strip_chrome and
    flag_chrome give the same edits whether or not the lines that cannot reach flag_at are scored."""
    from pipeline.rules import load_rules
    from pipeline.stages.chrome import flag_chrome, score, strip_chrome
    from pipeline.stages.chrome.data import load_lexicon

    rules = load_rules()
    pieces = _pieces_of_pages(load_lexicon(rules))
    body = "为了帮助大家更好地理解平台设计思想，本文将具体介绍各关键部分的代码实现。"
    rng = random.Random(37)
    ruled = 0
    real = score.below_flag_whatever_else

    def counted(*args: object) -> bool:
        nonlocal ruled
        answer = real(*args)  # type: ignore[arg-type]
        ruled += answer
        return answer

    for _ in range(150):
        lines = ["".join(rng.choice(pieces) for _ in range(rng.randint(1, 10))) for _ in range(rng.randint(2, 12))]
        page = "\n".join(body + line if rng.random() < 0.5 else line for line in lines)
        page = f"{rng.choice(pieces)}\n{body}\n{page}\n{body}\n{rng.choice(pieces)}"
        runs = []
        for rule in (counted, lambda *_: False):
            monkeypatch.setattr(score, "below_flag_whatever_else", rule)
            score._LAST[0] = (None, [])
            runs.append((strip_chrome(page, rules=rules, metadata={}), flag_chrome(page, rules=rules, metadata={})))
        assert runs[0] == runs[1], page
    assert ruled >= 50


def _fixture_lines() -> set[str]:
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    return {
        line.strip()
        for folder in (root / "samples", root / "tests" / "fixtures")
        for path in folder.rglob("*.txt")
        for line in path.read_text(encoding="utf-8", errors="replace").split("\n")
        if line.strip()
    }


def test_line_templates_found_through_their_literals_are_those_that_match():
    from pipeline.rules import load_rules
    from pipeline.stages.chrome.data import load_lexicon
    from pipeline.stages.chrome.score import matching_line_templates

    lines = _fixture_lines() | {"©2023 本站版权所有", "本篇文章为你整理了通知的详细内容", "未完，继续阅读", "开通VIP"}
    matched = 0
    for traditional in (False, True):
        lexicon = load_lexicon(load_rules(), traditional=traditional)
        assert lexicon is not None
        templates = [t for t in lexicon.templates if t.kind == "line"]
        for line in lines:
            expected = [t for t in templates if t.pattern.search(line)]
            matched += len(expected)
            assert matching_line_templates(line, lexicon) == expected, line
    assert matched >= 10


def test_breadcrumb_evidence_is_the_same_without_looking_for_separators_a_line_cannot_hold(monkeypatch):
    import regex

    from pipeline.rules import load_rules
    from pipeline.stages.chrome import score
    from pipeline.stages.chrome.data import ChromeSettings

    cfg = ChromeSettings.read(load_rules())
    rng = random.Random(41)
    pieces = ["首页", "当前位置", " > ", ">>", "»", "›", "＞", "→", "|", "/", "&gt;", " - ", " — ", "-", "新闻", "正文", " ", "，"]
    lines = {"".join(rng.choice(pieces) for _ in range(rng.randint(1, 9))).strip() for _ in range(3000)}
    lines |= _fixture_lines()

    def evidence() -> list[list[tuple[str, float]]]:
        out = []
        for line in sorted(lines):
            item = score.Scored(0, len(line), line, "head")
            score._breadcrumb(item, cfg)
            out.append(item.evidence)
        return out

    fast = evidence()
    monkeypatch.setattr(score, "RE_BREADCRUMB_HINT", regex.compile(""))  # always look for separators
    assert fast == evidence()
    assert sum(map(bool, fast)) >= 100


def test_han_characters_left_unexplained_counted_with_the_standard_library_as_with_regex():
    from pipeline.stages.chrome.score import RE_HAN_RESIDUAL, han_residual_count

    rng = random.Random(43)
    alphabet = "平台的⺀⼀〇々〆㐀豈，。a1١𠀀 \t页"
    for _ in range(3000):
        line = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 20)))
        assert han_residual_count(line) == len(RE_HAN_RESIDUAL.findall(line)), line
    assert han_residual_count("".join(map(chr, range(0x3000, 0xA000)))) == len(
        RE_HAN_RESIDUAL.findall("".join(map(chr, range(0x3000, 0xA000))))
    )


def test_traditional_characters_found_by_re_as_by_regex():
    from pipeline.stages.chrome.data import RE_TRADITIONAL, RE_TRADITIONAL_FAST

    plane = "".join(map(chr, range(0x10000)))
    assert [m.span() for m in RE_TRADITIONAL_FAST.finditer(plane)] == [m.span() for m in RE_TRADITIONAL.finditer(plane)]
