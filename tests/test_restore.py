"""Tests for pipeline.stages.restore: restoration from a reference, and flagging without one."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest
from corruption import DOC_UNRELATED, Score, base_documents, corrupt, evaluate, generate_case
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.document import Document, Edit, apply_edits, check_edits
from pipeline.errors import RuleError
from pipeline.rules import RuleSet, load_rules
from pipeline.stages.restore import flag_masked_spans, load_config, restore_from_reference

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
TITLE = "在调研网信工作强调要求"
RULE_IDS = {
    "restore.mask",
    "restore.deleted-term",
    "restore.truncated-term",
    "restore.quote-end",
    "restore.paragraph-break",
    "restore.insert-missing-paragraph",
    "restore.insert-missing-text",
    "restore.learned-mask",
}
_HAN = r"\u4e00-\u9fff"


@pytest.fixture(scope="module")
def rules() -> RuleSet:
    return load_rules()


def simulate_cleaning(raw: str, title: str = TITLE) -> str:
    """What the cleaning stages will make of the scraped sample (until they are wired in).

    Drop the site header line, strip the ``N、`` chunk markers and join the lines (the text is
    flattened; the markers cut words: ``得天`` + ``下``), turn ``,;()`` between Chinese characters
    (quotes count as Chinese punctuation) full-width, and put the title on its own first line
    (the scraped text has it glued to the first sentence).
    """
    body = "".join(re.sub(r"^\d+、", "", line) for line in raw.split("\n")[1:])
    for half, full in ((",", "，"), (";", "；"), ("(", "（"), (")", "）")):
        body = re.sub(rf"(?<=[{_HAN}）“”])\s*{re.escape(half)}\s*(?=[{_HAN}（“”])", full, body)
    if body.startswith(title):
        body = body[len(title) :]
    return title + "\n" + body


def check_stage_edits(text: str, applied: list[Edit], suggestions: list[Edit]) -> None:
    check_edits(text, applied, "restore")  # raises on overlap or a wrong ``before``
    for edit in [*applied, *suggestions]:
        assert edit.stage == "restore"
        assert edit.before == text[edit.start : edit.end]
        assert 0.0 <= edit.confidence <= 1.0
        assert edit.reason
    for edit in applied:
        assert edit.rule_id in RULE_IDS
        assert edit.evidence and edit.evidence.startswith("reference: ")


# ---------------------------------------------------------------------------------------------
# the sample pair


@pytest.fixture(scope="module")
def sample() -> tuple[str, str]:
    scraped = (SAMPLES / "wangxin_scraped_diyiwenku.txt").read_text(encoding="utf-8")
    reference = (SAMPLES / "wangxin_reference.txt").read_text(encoding="utf-8")
    return simulate_cleaning(scraped), reference


def expected_sample_paragraphs(reference: str) -> list[str]:
    """The reference's paragraphs 2–18 in the scraped order, the second from its date on."""
    ref = [p for p in reference.split("\n") if p.strip()]  # ref[0] is 同志们：, ref[1] paragraph 2, …
    scraped_order = [2, 3, 4, 5, 7, 6, 8, 9, 10, 11, 12, 13, 15, 14, 16, 18, 17]  # 1-based paragraph numbers
    paragraphs = [ref[n - 1] for n in scraped_order]
    paragraphs[0] = paragraphs[0][paragraphs[0].index("1月4日至5日召开的") :]
    return [TITLE, *paragraphs]


def test_sample_restores_to_the_reference_paragraphs_in_scraped_order(rules: RuleSet, sample: tuple[str, str]) -> None:
    text, reference = sample
    metadata: dict[str, object] = {}
    applied, suggestions = restore_from_reference(text, reference=reference, rules=rules, metadata=metadata)
    check_stage_edits(text, applied, suggestions)
    out = apply_edits(text, applied).split("\n")
    expected = expected_sample_paragraphs(reference)
    assert len(out) == 18
    for n, (got, want) in enumerate(zip(out, expected, strict=True)):
        assert got == want, f"paragraph {n + 1} differs"
    assert metadata["reference_similarity"] > 0.95
    assert not suggestions


def test_sample_restorations_are_the_listed_masks(rules: RuleSet, sample: tuple[str, str]) -> None:
    text, reference = sample
    applied, _ = restore_from_reference(text, reference=reference, rules=rules, metadata={})
    by_rule: dict[str, list[tuple[str, str]]] = {}
    for edit in applied:
        by_rule.setdefault(edit.rule_id, []).append((edit.before, edit.after))
    assert sorted(by_rule["restore.mask"]) == sorted([("*", "1"), ("*", "4"), ("*", "5")] + [("*", "二十")] * 5)
    assert sorted(by_rule["restore.deleted-term"]) == sorted(
        [("", "习近平新时代中国特色社会主义")] * 3 + [("", "习近平总书记")] * 4
    )
    assert by_rule["restore.truncated-term"] == [("", "形态")] * 7
    assert sorted(by_rule["restore.quote-end"]) == [("", "”。"), ("二", "”。")]
    assert len(by_rule["restore.paragraph-break"]) == 16
    # genuine 意识 stays: 意识不强 and 法治意识 are in the reference too
    out = apply_edits(text, applied)
    assert "责任意识不强" in out and "法治意识。" in out


def test_sample_complete_inserts_what_the_preview_cut(rules: RuleSet, sample: tuple[str, str]) -> None:
    text, reference = sample
    applied, suggestions = restore_from_reference(text, reference=reference, rules=rules, metadata={}, complete=True)
    check_stage_edits(text, applied, suggestions)
    out = apply_edits(text, applied).split("\n")
    ref = [p for p in reference.split("\n") if p.strip()]
    assert out[0] == TITLE
    assert out[1] == "同志们：" and out[2] == ref[1]  # the opening and the whole second paragraph
    assert sorted(out[1:]) == sorted(ref), "every reference paragraph, once"
    # the closing paragraph goes after the scraped paragraph aligned with the one before it
    assert out[out.index(ref[17]) + 1] == ref[18]
    rules_used = {e.rule_id for e in applied}
    assert {"restore.insert-missing-paragraph", "restore.insert-missing-text"} <= rules_used


def test_sample_without_complete_leaves_the_cut_beginning_out(rules: RuleSet, sample: tuple[str, str]) -> None:
    text, reference = sample
    applied, _ = restore_from_reference(text, reference=reference, rules=rules, metadata={})
    out = apply_edits(text, applied)
    assert "同志们" not in out and "党的十八大以来" not in out and "征程万里" not in out


def test_flag_masked_spans_without_reference(rules: RuleSet, sample: tuple[str, str]) -> None:
    text, _ = sample
    flags = flag_masked_spans(text, rules=rules)
    spans = [(f.rule_id, f.before) for f in flags]
    assert ("restore.flag-masked-date", "*月*日至*日") in spans
    assert spans.count(("restore.flag-masked-number", "党的*大")) == 5
    truncated = [f for f in flags if f.rule_id == "restore.flag-truncated-term"]
    assert len(truncated) == 7
    assert all(text[f.end : f.end + 2] in ("斗争", "安全", "工作") for f in truncated)
    assert all(f.before == f.after and f.start < f.end for f in flags)
    check_edits(text, flags, "restore")  # never overlapping
    assert ("restore.flag-deleted-speaker", "指出") in spans
    damaged = [f for f in flags if f.rule_id == "restore.flag-quote-damage"]
    assert [(text[f.start - 3 : f.start], f.before) for f in damaged] == [("这一关", "二")]
    unclosed = [f for f in flags if f.rule_id == "restore.flag-unclosed-quote"]
    assert [f.before[:10] for f in unclosed] == ["“青少年网络文明发展"]
    for genuine in ("意识不强", "法治意识"):
        at = text.index(genuine)
        assert not any(f.start <= at + 1 < f.end for f in flags)


# ---------------------------------------------------------------------------------------------
# generated cases with known truth


GENERATED_SEEDS = range(120)


def test_generated_cases_precision_and_recall(rules: RuleSet) -> None:
    total = Score()
    for seed in GENERATED_SEEDS:
        case = generate_case(seed)
        metadata: dict[str, object] = {}
        applied, suggestions = restore_from_reference(
            case.corrupted, reference=case.reference, rules=rules, metadata=metadata
        )
        check_stage_edits(case.corrupted, applied, suggestions)
        total = total + evaluate(case.corrupted, case.truth, applied)
    print(
        f"\ngenerated cases: {len(GENERATED_SEEDS)}; precision {total.precision:.4f} ({total.right_edits}/{total.edits}), "
        f"recall {total.recall:.4f} ({total.restored}/{total.damages}), "
        f"variants kept {total.variants_kept}/{total.variants}"
    )
    assert total.damages > 2000 and total.variants > 500
    assert total.precision >= 0.99, total.wrong[:10]
    assert total.recall >= 0.9, total.missed[:10]
    assert total.variants_kept == total.variants  # no edition variant overwritten


def test_generator_truth_is_consistent() -> None:
    for seed in range(20):
        case = generate_case(seed)
        expected = case.truth.expected
        for item in case.truth.items:
            if item.kind == "variant-omission":
                assert item.start == item.end
            elif item.kind.startswith("variant"):
                assert expected[item.start : item.end] == item.corrupted  # the edition's own words
            else:
                assert expected[item.start : item.end] == item.original
        # the corrupted text is the expected text with the damages applied, the breaks removed
        shown = list(expected)
        for item in sorted(case.truth.damages, key=lambda t: -t.start):
            shown[item.start : item.end] = item.corrupted
        assert "".join(shown).replace("\n", "") == case.corrupted.replace("\n", "")


# ---------------------------------------------------------------------------------------------
# edge cases


def _restore(
    rules: RuleSet, text: str, reference: str, **kwargs: object
) -> tuple[list[Edit], list[Edit], dict[str, object]]:
    metadata: dict[str, object] = {}
    applied, suggestions = restore_from_reference(text, reference=reference, rules=rules, metadata=metadata, **kwargs)  # type: ignore[arg-type]
    check_stage_edits(text, applied, suggestions)
    return applied, suggestions, metadata


def test_reference_identical_to_input_gives_no_edits(rules: RuleSet) -> None:
    text = "\n".join(base_documents()["rural"])
    applied, suggestions, metadata = _restore(rules, text, text)
    assert applied == [] and suggestions == []
    assert metadata["reference_similarity"] == 1.0


def test_reference_in_another_paragraph_order_gives_no_edits(rules: RuleSet) -> None:
    paragraphs = base_documents()["safety"][1:]
    shuffled = paragraphs[:]
    random.Random(1).shuffle(shuffled)
    applied, _, _ = _restore(rules, "\n".join(shuffled), "\n".join(paragraphs))
    assert applied == []


def test_reference_with_extra_chapters_inserts_nothing(rules: RuleSet) -> None:
    docs = base_documents()
    rural = docs["rural"][1:]
    reference = "\n".join(rural[:5] + docs["safety"][1:] + rural[5:] + docs["wangxin"][3:8])
    text = "".join(rural).replace("2023", "*").replace("习近平总书记", "")
    applied, _, _ = _restore(rules, text, reference)
    out = apply_edits(text, applied)
    assert out.split("\n") == rural
    assert {e.rule_id for e in applied} <= {"restore.mask", "restore.deleted-term", "restore.paragraph-break"}


def test_scraped_paragraph_absent_from_reference_is_kept_untouched(rules: RuleSet) -> None:
    rural = base_documents()["rural"][1:]
    extra = DOC_UNRELATED.split("\n")[3]
    text = "".join([*rural[:6], extra, *rural[6:]]).replace("党的二十大", "党的*大")
    applied, _, _ = _restore(rules, text, "\n".join(rural))
    out = apply_edits(text, applied).split("\n")
    assert extra in out, "the paragraph the reference lacks stays, on its own line"
    assert out == [*rural[:6], extra, *rural[6:]]


def test_repeated_passage_restores_from_the_consistent_occurrence(rules: RuleSet) -> None:
    sentence = "全年共完成投资{}亿元，建成重点项目{}个，带动就业岗位八千余个。"
    first = (
        "一是产业发展势头良好。新建高标准农田3.2万亩，培育市级以上龙头企业15家。"
        + sentence.format(12, 30)
        + "特色种养加快发展。"
    )
    second = (
        "三是乡村治理不断深化。坚持和发展新时代“枫桥经验”，推行网格化管理。"
        + sentence.format(35, 48)
        + "村民议事会全面建立。"
    )
    rural = base_documents()["rural"][1:]
    reference = "\n".join([first, rural[5], rural[6], second, rural[8]])
    text = second.replace("35", "*").replace("48", "**") + rural[5].replace("4600", "*")
    applied, _, _ = _restore(rules, text, reference)
    out = apply_edits(text, applied)
    assert out == second + "\n" + rural[5]


def test_reference_of_another_document_gives_no_edits(rules: RuleSet, sample: tuple[str, str]) -> None:
    text, _ = sample
    applied, suggestions, metadata = _restore(rules, text, "\n".join(base_documents()["rural"]))
    assert applied == [] and suggestions == []
    status = metadata["reference_status"]
    assert isinstance(status, str) and status.startswith("unrelated (similarity 0.")
    assert metadata["reference_similarity"] < 0.3


def test_edition_variants_are_kept(rules: RuleSet) -> None:
    reference = "全市上下持续加强组织领导，扎实推进各项任务落实，党的二十大精神得到全面贯彻，取得了明显成效。"
    text = "全县上下不断强化组织领导，推进各项任务落实，党的*大精神得到全面贯彻，取得了显著成效。"
    applied, _, _ = _restore(rules, text, reference)
    assert (
        apply_edits(text, applied)
        == "全县上下不断强化组织领导，推进各项任务落实，党的二十大精神得到全面贯彻，取得了显著成效。"
    )


def test_doubtful_restorations_are_suggestions(rules: RuleSet) -> None:
    reference = "本次会议由市委常委会决定召开，会议由ABCDEFG主持，全体委员出席会议并审议了工作报告。"
    text = "本次会议由市委常委会决定召开，会议由**主持，全体委员出席会议并审议了工作报告。"
    applied, suggestions, _ = _restore(rules, text, reference)
    assert applied == []
    assert [(s.before, s.after, s.rule_id) for s in suggestions] == [("**", "ABCDEFG", "restore.mask")]
    assert suggestions[0].confidence < load_config(rules).apply_threshold


def test_bad_settings_name_the_file_and_key(tmp_path: Path) -> None:
    (tmp_path / "common").mkdir()
    (tmp_path / "common" / "masks.toml").write_text(
        'stage = "restore"\n[restore]\nmin_similarity = "high"\n', encoding="utf-8"
    )
    with pytest.raises(RuleError) as err:
        load_config(load_rules([tmp_path]))
    assert "masks.toml" in str(err.value) and "restore.min_similarity" in str(err.value)


_ALPHABET = "网络治理习近平总书记意识形态斗争党的二十大一二三1234*，。“”\n"


@settings(max_examples=120, deadline=None)
@given(st.text(alphabet=_ALPHABET, max_size=200), st.text(alphabet=_ALPHABET, max_size=200), st.integers(0, 10_000))
def test_any_input_gives_valid_edits(a: str, b: str, seed: int) -> None:
    rules = load_rules()
    paragraphs = base_documents()["wangxin"][1:]
    rnd = random.Random(seed)
    case = corrupt(paragraphs[: rnd.randint(2, 6)], rnd)
    for text, reference in ((a, b), (case.corrupted + a, b + "\n" + case.reference)):
        for complete in (False, True):
            applied, suggestions = restore_from_reference(
                text, reference=reference, rules=rules, metadata={}, complete=complete
            )
            check_stage_edits(text, applied, suggestions)


# ---------------------------------------------------------------------------------------------
# real pairs (tests/fixtures/real_pairs/README.md): pages as found, none of them written here

REAL_PAIRS = Path(__file__).resolve().parent / "fixtures" / "real_pairs"


def _real_pair(name: str, *, complete: bool = False, reference: str | None = None) -> Document:
    from pipeline.runner import clean_file

    ref = REAL_PAIRS / f"{reference or name}.reference.txt"
    return clean_file(REAL_PAIRS / f"{name}.scraped.txt", reference=ref, complete=complete)


def _restorations(doc: Document) -> list[Edit]:
    return [e for e in doc.edits if e.stage == "restore"]


def test_real_spun_copy_keeps_every_reworded_word() -> None:
    # a content farm's synonym-spun copy of the Xinhua report: 复兴→再起, 奋斗→斗争, 关键→要害,
    # 创新→立异, 奋发→高昂, 创造→创立, 分列→排列, 分别→划分, 光荣→庆幸: another edition, not masking
    doc = _real_pair("xinhua_opening_spun")
    assert str(doc.metadata["reference_status"]).startswith("same document")
    assert _restorations(doc) == []
    assert doc.suggestions == []
    for spun in ("擘画再起新蓝图", "创立历史新伟业", "百年斗争目标进军的要害时刻", "守正立异，踔厉高昂", "红旗排列两侧", "眺台上划分悬挂着", "伟大、庆幸、正确"):
        assert spun in doc.text
    # the last paragraph, beyond the reference excerpt, is kept as it is
    assert doc.paragraphs[-1].endswith("王沪宁、赵乐")


def test_real_reference_cut_mid_sentence_breaks_no_paragraph() -> None:
    # the reference excerpt stops at 伟大复兴而 / 作为信息主体: no paragraph break there
    doc = _real_pair("xinhua_opening_chinacom")
    assert "中华民族伟大复兴而团结奋斗！”“伟大、光荣、正确的中国共产党万岁！”的横幅。" in doc.text
    assert _restorations(doc) == []
    gdpr = _real_pair("gdpr_csl")
    assert "是基于公民作为信息主体有权决定其个人信息" in gdpr.text
    # no break restored inside the sentence the reference cuts (the title's own line is kept by cleaning)
    assert [e for e in _restorations(gdpr) if e.rule_id == "restore.paragraph-break"] == []
    assert gdpr.paragraphs[0] == "GDPR个人数据权与《网络安全法》个人信息权之比较"
    assert gdpr.paragraphs[1].startswith("General Data Protection Regulation")


def test_real_law_text_gets_the_reference_break_before_article_one() -> None:
    doc = _real_pair("wangluo_anquanfa")
    assert [e.rule_id for e in _restorations(doc)] == ["restore.paragraph-break"]
    assert any(p.startswith("第一条为了保障网络安全") for p in doc.paragraphs)
    assert doc.paragraphs[1].endswith("第七章附则第一章总则")
    # the scraped articles 第五条/第六条, absent from the reference, are kept in order
    assert doc.paragraphs[-2].startswith("第五条") and doc.paragraphs[-1].startswith("第六条")


def test_real_complete_inserts_a_missing_beginning_once() -> None:
    # the scraped title and the start of the next line both match 中华人民共和国网络安全法 of the
    # reference's 法律依据:《中华人民共和国网络安全法》: its 法律依据:《 goes in once, not twice
    doc = _real_pair("wangluo_anquanfa", complete=True)
    assert doc.text.count("法律依据：《") == 1
    assert "法律依据：《中华人民共和国网络安全法》" in doc.paragraphs


def test_real_reference_of_another_document_restores_nothing() -> None:
    doc = _real_pair("gdpr_csl", reference="xinhua_opening_spun")
    assert str(doc.metadata["reference_status"]).startswith("unrelated")
    assert _restorations(doc) == []
    assert doc.suggestions == []
