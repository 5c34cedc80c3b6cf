"""Bounded memory on large inputs: what a plain TXT clean loads, and the whole-text scans done in pieces
giving the same answers as one pass. (The peak RSS figures themselves are measured by
``bench/bench_speed.py --only memory``: memory, like time, is a benchmark figure, not a test.)"""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path

import numpy as np
from ahocorasick_rs import AhoCorasick, MatchKind

from pipeline.language import code_points, han_mask
from pipeline.quality import _pair_counts, _pair_keys
from pipeline.stages.chrome.score import literal_starts
from pipeline.stages.normalise import _nearest_solid

ROOT = Path(__file__).resolve().parent.parent
NOT_FOR_TXT = ("pdfminer", "docx", "bs4", "lxml", "rapidfuzz", "pyarrow", "ray", "datatrove")

LOADED_AFTER_CLEAN = """
import json, sys
from pipeline.cli import main
sys.argv = ["docmend", "clean", sys.argv[1], "-o", sys.argv[2], "-q"]
try:
    main()
except SystemExit as exit:
    code = exit.code
print(json.dumps({"code": code, "modules": sorted({name.split(".")[0] for name in sys.modules})}))
"""


def test_cleaning_a_txt_file_loads_no_library_only_other_formats_or_a_reference_need(tmp_path: Path) -> None:
    source = tmp_path / "notes.txt"
    source.write_text("关于网络安全工作的通知\n各单位要加强网络安全管理,落实责任。\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-c", LOADED_AFTER_CLEAN, str(source), str(tmp_path / "out")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["code"] == 0 and (tmp_path / "out" / "notes.txt").exists()
    loaded = set(result["modules"])
    assert "pipeline" in loaded and "numpy" in loaded  # the check itself sees what was imported
    assert loaded.isdisjoint(NOT_FOR_TXT), sorted(loaded & set(NOT_FOR_TXT))


def test_chrome_literals_found_in_pieces_are_those_of_one_scan() -> None:
    automaton = AhoCorasick(["ab", "bc", "下载", "载人", "首页"], matchkind=MatchKind.Standard)
    rng = random.Random(3)
    for _ in range(300):
        text = "".join(rng.choice("ab c\n下载人首页") for _ in range(rng.randint(0, 200)))
        whole = [start for _, start, _ in automaton.find_matches_as_indexes(text)]
        assert literal_starts(automaton, text, rng.randint(1, 20)) == whole


def test_pair_counts_in_pieces_equal_the_counts_of_all_pairs_at_once() -> None:
    rng = random.Random(5)
    text = "".join(rng.choice("网络安全治理体系建设工作,。a1\n") for _ in range(20_000))
    cps = code_points(text)
    han = han_mask(cps)
    kinds, counts = np.unique(_pair_keys(cps, han[:-1] & han[1:]), return_counts=True)
    for piece in (1, 7, 1000, 1 << 21):
        got_kinds, got_counts = _pair_counts(cps, han, piece)
        assert got_kinds.tolist() == kinds.tolist() and got_counts.tolist() == counts.tolist()
    empty_kinds, empty_counts = _pair_counts(cps[:1], han[:1])
    assert len(empty_kinds) == len(empty_counts) == 0


def test_nearest_non_space_found_without_an_index_of_the_text() -> None:
    rng = random.Random(7)
    for _ in range(2000):
        text = "".join(rng.choice("  \t\t a中,") for _ in range(rng.randint(0, 60)))
        cps = code_points(text)
        solid = [i for i, ch in enumerate(text) if ch not in " \t"]
        at = np.array(sorted(rng.sample(range(len(text) + 1), min(len(text) + 1, 5))), dtype=np.int64)
        before = [max((s for s in solid if s < a), default=-1) for a in at.tolist()]
        after = [min((s for s in solid if s >= a), default=-1) for a in at.tolist()]
        assert _nearest_solid(text, cps, at - 1, -1).tolist() == before
        assert _nearest_solid(text, cps, at, 1).tolist() == after


# --- the whole-text scans done in pieces (pipeline/pieces.py): each compared with one pass --------------

ONE_PASS = 1 << 40  # a piece size no text reaches: the scan is done in one piece
NOISE_RUNS = ["艹虫蚌衤袄裙", "衩衫衬袄袍裤", "蚜蚝蚣蚤蚂", "亻仂仉仡仫", "氵汆汔汜汊"]
COMMON = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多"


def _noisy_text(seed: int, lines: int) -> str:
    """Lines of the sample reference text in random order, with rare-character runs inside some lines
    and random common-character blocks stuck to the edges of others."""
    rng = random.Random(seed)
    body = [line for line in (ROOT / "samples" / "wangxin_reference.txt").read_text(encoding="utf-8").split("\n")]
    body = [line for line in body if len(line) > 30]
    out = []
    for _ in range(lines):
        line = rng.choice(body)
        roll = rng.random()
        if roll < 0.4:
            at = rng.randrange(len(line))
            line = line[:at] + rng.choice(NOISE_RUNS) + line[at:]
        elif roll < 0.6:
            block = "".join(rng.choice(COMMON) for _ in range(10))
            line = block + line if rng.random() < 0.5 else line + block
        out.append(line)
    return "\n".join(out)


def test_anti_copy_noise_found_in_pieces_of_lines_is_that_of_one_pass(monkeypatch) -> None:
    from pipeline.rules import load_rules
    from pipeline.stages.damage import noise

    rules = load_rules()
    cfg = noise.NoiseSettings.read(rules)
    monkeypatch.setattr(noise, "NORM_SAMPLES", 997)  # the norm is a median of every n-th log frequency
    for seed, lines in ((1, 700), (3, 300)):
        text = _noisy_text(seed, lines)
        monkeypatch.setattr(noise, "PIECE_CHARS", ONE_PASS)
        runs, blocks = noise._rare_runs(text, cfg), noise._edge_blocks(text, cfg)
        whole = noise.remove_anti_copy_noise(text, rules=rules, metadata={})
        assert len(runs) > 100 and len(blocks) > 10  # both kinds found: the comparison means something
        for piece in (1, 150, 2000):
            monkeypatch.setattr(noise, "PIECE_CHARS", piece)
            assert noise._rare_runs(text, cfg) == runs
            assert noise._edge_blocks(text, cfg) == blocks
            assert noise.remove_anti_copy_noise(text, rules=rules, metadata={}) == whole


def _random_text(rng: random.Random, alphabet: str, size: int) -> str:
    """Words of ``alphabet`` written once, twice or three times in a row (doubled pieces of any length)."""
    parts = []
    while sum(map(len, parts)) < size:
        word = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 25)))
        parts.append(word * rng.choice((1, 1, 2, 3)))
    return "".join(parts)


ALPHABETS = ("ab", "abc\n", "第15章解析Linux内核—\n ", "一二三四五六七八九十\U00020000", "，,?!：:\n中文 a\t")


def test_repeat_runs_compared_in_pieces_are_those_of_one_pass(monkeypatch) -> None:
    from pipeline.pieces import code_units
    from pipeline.stages.damage import repeats

    rng = random.Random(11)
    for number in range(60):
        text = _random_text(rng, ALPHABETS[number % len(ALPHABETS)], rng.randint(0, 500))
        if number % 2:  # pieces of up to 40 characters written twice: the longest reach across a piece's edge
            words = ("".join(rng.choice("一二三四五六七八九十\n") for _ in range(rng.randint(1, 40))) for _ in range(20))
            text = "".join(rng.choice("，。a") + word * 2 for word in words)
        monkeypatch.setattr(repeats, "PIECE_CHARS", ONE_PASS)
        whole = repeats._repeat_runs(text, 40)
        for piece in (9, 64):
            monkeypatch.setattr(repeats, "PIECE_CHARS", piece)
            got = repeats._repeat_runs(text, 40)
            assert got.keys() == whole.keys()
            for size, (starts, ends) in whole.items():
                assert got[size][0].tolist() == starts.tolist() and got[size][1].tolist() == ends.tolist()
    low = code_units(_random_text(rng, "ab", 5000))
    for size in (8, 9, 10, 11, 40):
        every = [bool(low[4 * j] == low[4 * j + size]) for j in range(len(low)) if 4 * j + size < len(low)]
        assert repeats._equal_every_fourth(low, size).tolist() == every


def test_doubled_heading_characters_found_in_overlapping_pieces_are_those_of_one_pass() -> None:
    from pipeline.stages.damage.headings import _doubled_positions

    rng = random.Random(13)
    for _ in range(300):
        text = "".join(rng.choice("政府工作a\n") * rng.choice((1, 2, 2, 2)) for _ in range(rng.randint(0, 100)))
        whole = _doubled_positions(text, ONE_PASS)
        assert all(_doubled_positions(text, piece) == whole for piece in (1, 2, 5, 6, 13))
    assert _doubled_positions("政政府府工工", 1) == [0]


def test_punctuation_marks_found_in_pieces_are_those_of_one_pass(monkeypatch) -> None:
    from pipeline.rules import load_rules
    from pipeline.stages import normalise

    rules = load_rules()
    rng = random.Random(17)
    found = 0
    for _ in range(150):
        text = _random_text(rng, "中文,;:!? ab\n12", rng.randint(0, 300))
        monkeypatch.setattr(normalise, "PIECE_CHARS", ONE_PASS)
        whole = [(e.before, e.positions.tolist()) for e in normalise.normalise_punctuation(text, rules=rules, metadata={})
                 if hasattr(e, "positions")]
        found += len(whole)
        for piece in (1, 7, 50):
            monkeypatch.setattr(normalise, "PIECE_CHARS", piece)
            got = normalise.normalise_punctuation(text, rules=rules, metadata={})
            assert [(e.before, e.positions.tolist()) for e in got if hasattr(e, "positions")] == whole
    assert found > 50


def test_han_in_long_parenthesised_spans_counted_per_block_as_per_character() -> None:
    from pipeline.stages.normalise import _SpanIndex

    rng = random.Random(19)
    for _ in range(200):
        text = "".join(rng.choice("ab (〇\n") if rng.random() < 0.97 else "中" for _ in range(rng.randint(0, 700)))
        spans = _SpanIndex(text)
        before = np.concatenate(([0], np.cumsum(han_mask(code_points(text)))))
        for _ in range(30):
            start = rng.randint(0, len(text))
            end = rng.randint(start, len(text))
            if end - start > spans.SHORT:
                assert spans.has_han(start, end) == bool(before[end] - before[start])


def test_chrome_literals_of_the_lower_cased_text_found_piece_by_piece() -> None:
    from pipeline.stages.chrome.score import lowered_literal_starts

    automaton = AhoCorasick(["pdf", "σας", "下载", "首页"], matchkind=MatchKind.Standard)
    rng = random.Random(23)
    for _ in range(300):
        text = "".join(rng.choice(["PDF", "pdf", "ΣΑΣ", "σας", "下载", "首页", "\n", " ", "a", "Σ"]) for _ in range(60))
        whole = [start for _, start, _ in automaton.find_matches_as_indexes(text.lower())]
        for piece in (1, 9, 100):
            assert lowered_literal_starts(automaton, text, piece) == whole
    assert lowered_literal_starts(automaton, "首页\nİ下载", 1) is None  # lower-casing İ adds a character


def test_chrome_scores_of_a_text_are_kept_by_its_digest_not_by_the_text() -> None:
    from pipeline.rules import load_rules
    from pipeline.stages.chrome import score
    from pipeline.stages.chrome.data import ChromeSettings, load_lexicon

    rules = load_rules()
    cfg, lexicon = ChromeSettings.read(rules), load_lexicon(rules, traditional=False)
    body = "为了帮助大家更好地理解平台设计思想，本文将具体介绍各关键部分的代码实现。\n"
    text = "首页 > 新闻 > 正文\n" + body * 3
    items = score.score_lines(text, cfg, lexicon, {})
    assert items and score.score_lines("".join(list(text)), cfg, lexicon, {}) is items  # an equal text: kept
    other = text.replace("新闻", "要闻")  # as long as the text: its length alone does not tell them apart
    assert len(other) == len(text) and score.score_lines(other, cfg, lexicon, {}) is not items
    assert not any(isinstance(part, str) and len(part) >= len(text) for part in score._LAST[0][0])


def test_site_names_absent_from_body_lines_found_in_batches(monkeypatch) -> None:
    from pipeline.stages.chrome import score

    rng = random.Random(29)
    for _ in range(200):
        body = ["".join(rng.choice(["彩神88", "彩神AP", "SEO靠我", "正文", "x"]) for _ in range(rng.randint(0, 3))) for _ in range(9)]
        names = {"彩神88", "彩神ap", "seo靠我", "正文正文"}
        whole = {name for name in names if name not in "\n".join(body).lower()}
        for piece in (1, 10, 60):
            monkeypatch.setattr(score, "PIECE_CHARS", piece)
            assert score._not_in_lines(names, body) == whole


def test_boilerplate_line_rules_matched_in_batches_of_short_lines(monkeypatch) -> None:
    from pipeline.rules import load_rules
    from pipeline.stages import boilerplate

    rules = load_rules()
    pages = sorted((ROOT / "tests" / "fixtures" / "sites").glob("*.txt"))
    lines = [line for page in pages for line in page.read_text(encoding="utf-8").split("\n")]
    rng = random.Random(31)
    text = "\n".join(rng.choice(lines) for _ in range(1500))
    monkeypatch.setattr(boilerplate, "PIECE_CHARS", ONE_PASS)
    monkeypatch.setattr(boilerplate, "SCAN_CHARS", ONE_PASS)
    whole = boilerplate.strip_boilerplate(text, rules=rules, metadata={})
    line_rules = {rule.id for rule in rules.for_stage("boilerplate") if rule.kind == "line"}
    assert sum(edit.rule_id in line_rules for edit in whole) > 5
    for piece in (1, 100, 3000):
        monkeypatch.setattr(boilerplate, "PIECE_CHARS", piece)
        monkeypatch.setattr(boilerplate, "SCAN_CHARS", piece)
        assert boilerplate.strip_boilerplate(text, rules=rules, metadata={}) == whole


def test_quality_counts_over_pieces_of_the_text_equal_those_over_its_arrays(monkeypatch) -> None:
    from pipeline import quality
    from pipeline.stages.damage.noise import document_known_share, text_known_share

    rng = random.Random(37)
    reference = (ROOT / "samples" / "wangxin_reference.txt").read_text(encoding="utf-8")
    for number in range(12):
        text = _random_text(rng, "网络安全治理体系建设工作,。a1\n\U00020000", rng.randint(0, 1500)) + reference[: number * 300]
        cps = code_points(text)
        han = han_mask(cps)
        kinds, counts = quality._pair_counts(cps, han)
        for piece in (1, 7, 1000):
            got_kinds, got_counts = quality._text_pair_counts(text, piece)  # pairs across pieces counted once
            assert got_kinds.tolist() == kinds.tolist() and got_counts.tolist() == counts.tolist()
            monkeypatch.setattr(quality, "PIECE_CHARS", piece)
            assert quality.han_characters(text) == int(han.sum())
        for budget in (80, 800, 400_000):
            assert text_known_share(text, -7.0, budget) == document_known_share(cps, han, -7.0, budget)


def test_bilingual_switches_read_line_by_line_as_over_a_list_of_lines() -> None:
    from pipeline.quality import SENTENCE_ENDS, _script, bilingual_switches

    def listed(text: str) -> tuple[int, float]:
        lines = [line.strip() for line in text.split("\n") if line.strip()]
        scripts = [_script(line) for line in lines]
        pairs = [(i, scripts[i], scripts[i + 1]) for i in range(len(lines) - 1)]
        counted = [(i, a, b) for i, a, b in pairs if a is not None and b is not None]
        switches = sum(a != b and lines[i][-1] not in SENTENCE_ENDS for i, a, b in counted)
        return switches, (switches / len(counted) if counted else 0.0)

    rng = random.Random(41)
    words = ["The policy", "网络安全治理", "abc.", "体系。", "\n", "\n\n", " ", "工作", "reads"]
    for _ in range(300):
        text = "".join(rng.choice(words) for _ in range(rng.randint(0, 40)))
        assert bilingual_switches(text) == listed(text)


def test_substitutions_applied_on_16_bit_units_as_on_code_points() -> None:
    from pipeline.document import Edit, Substitutions, _code_points, apply_edits
    from pipeline.pieces import replaced_units

    rng = random.Random(43)
    for _ in range(300):
        text = "".join(rng.choice("ab,，中\n\U00020000\ud800") for _ in range(rng.randint(1, 60)))
        commas = np.array([i for i, ch in enumerate(text) if ch == ","], dtype=np.int64)
        after = rng.choice(["，", "\U00020001", "\ud801"])
        cps = _code_points(text).copy()
        cps[commas] = ord(after)
        expected = cps.tobytes().decode("utf-32-le", "surrogatepass")
        subs = Substitutions("s", "r", ",", after, "", commas)
        assert apply_edits(text, [subs]) == expected
        got = replaced_units(text, [commas], [after])
        assert got is None or got == expected
        assert (got is None) == ("\U00020000" in text or "\ud800" in text or after != "，")
    plain = apply_edits("a,b", [Substitutions("s", "r", ",", "，", "", np.array([1])), Edit("s", "r", 0, 1, "a", "", "")])
    assert plain == "，b"


def test_paragraphs_streamed_as_listed_and_the_txt_written_in_pieces(tmp_path: Path, monkeypatch) -> None:
    from pipeline import write
    from pipeline.document import Document

    rng = random.Random(47)
    for _ in range(300):
        doc = Document("s", "", text="".join(rng.choice(["一", "二三", "\n", " ", "\t", "\u3000"]) for _ in range(30)))
        assert list(doc.iter_paragraphs()) == doc.paragraphs and doc.paragraph_count == len(doc.paragraphs)
        monkeypatch.setattr(write, "PIECE_CHARS", rng.choice([1, 5, ONE_PASS]))
        assert "".join(write.clean_text_pieces(doc)) == write.clean_text_output(doc)


def test_substitution_records_written_from_arrays_as_from_lists() -> None:
    import orjson

    from pipeline.document import Substitutions
    from pipeline.edit_log import as_dict, as_json

    sub = Substitutions("normalise", "normalise.punctuation", ",", "，", "width \"quoted\"", np.arange(0, 90, 3))
    assert as_json(sub) == orjson.dumps(as_dict(sub))  # input positions not set yet: null
    sub.input_positions = np.arange(5, 95, 3)[::-1][::-1]
    assert as_json(sub) == orjson.dumps(as_dict(sub))


def test_repeated_lines_found_by_hash_are_checked_against_the_earlier_line(monkeypatch) -> None:
    from pipeline.rules import load_rules
    from pipeline.stages.damage import repeats

    rules = load_rules()
    line = "各单位要加强网络安全管理，落实网络安全主体责任，切实做好网络安全各项工作。"
    text = "\n".join([line, "其他内容" * 10 + "。", line.replace("各单位", "各部门"), line, "第二段" * 12 + "。"])
    expected = repeats.remove_repeated_text(text, rules=rules, metadata={})
    assert [text[e.start : e.end].strip() for e in expected] == [line]  # the later copy only
    monkeypatch.setattr(repeats, "hash", lambda key: 0, raising=False)  # every key collides
    assert repeats.remove_repeated_text(text, rules=rules, metadata={}) == expected


def test_a_page_of_short_lines_before_its_only_body_line_is_not_counted_line_by_line() -> None:
    """Where a page's only body line is its last, every short line before it may be a line between chrome
    lines, and each must occur once in the page: that is found in one scan, not by counting each line in the
    whole text (the square of its length)."""
    from pipeline.rules import load_rules
    from pipeline.stages.chrome import score
    from pipeline.stages.chrome.data import ChromeSettings, load_lexicon

    class CountedText(str):
        counts = 0

        def count(self, *args: object) -> int:  # type: ignore[override]
            CountedText.counts += 1
            return super().count(*args)  # type: ignore[arg-type]

    rules = load_rules()
    cfg, lexicon = ChromeSettings.read(rules), load_lexicon(rules, traditional=False)
    rng = random.Random(3)
    heads = ["".join(rng.choice("春夏秋冬山水风云日月星辰江河湖海") for _ in range(rng.randint(2, 6))) for _ in range(1500)]
    page = CountedText("\n".join(heads) + "\n" + "为了帮助大家更好地理解平台设计思想，本文将具体介绍各关键部分的代码实现。")
    items = score._score(page, cfg, lexicon, {})
    candidates = [x for x in items if x.zone == "head" and x.score(cfg.mid_factor) < cfg.remove_at]
    assert len(candidates) > 1000 and not any(p < 0 for x in candidates for _, p in x.evidence)  # all may be
    assert CountedText.counts * len(page) <= 1 << 22  # whole-text counts walk a bounded number of characters
