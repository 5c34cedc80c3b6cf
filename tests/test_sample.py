"""The shipped sample, cleaned without a reference: a golden file checked by reading it, and the
specific artefacts samples/README.md lists, each asserted on its own."""

from __future__ import annotations

from collections import Counter

import regex
from conftest import SAMPLES

from pipeline.runner import clean_text

GOLDEN = SAMPLES / "wangxin_scraped_diyiwenku.clean.txt"


def test_sample_matches_golden(scraped_text, rules):
    doc = clean_text(scraped_text, rules=rules)
    assert doc.text + "\n" == GOLDEN.read_text(encoding="utf-8")


def test_sample_artefacts_each_handled(scraped_text, rules):
    doc = clean_text(scraped_text, rules=rules)
    lines = doc.text.split("\n")
    assert doc.title == "在调研网信工作强调要求" and doc.metadata["site"] == "diyiwenku"
    assert lines[0] == "在调研网信工作强调要求"
    assert lines[1].startswith("*月*日至*日召开的")
    assert "由会员分享" not in doc.text and "第一文库网" not in doc.text
    assert not regex.search(r"(?m)^\d+、", doc.text)
    for whole in ("得网络者得天下", "涉及网信工作方方面面", "治理体系和治理能力现代化的重要内容", "网络生态”新部署"):
        assert whole in doc.text
    for heading in ("一、深刻认识", "二、健全网络", "三、把贯彻落实"):
        assert any(line.startswith(heading) for line in lines), heading
    assert not regex.search(r"\p{Han}[,;:()]|[,;:()]\p{Han}", doc.text)
    assert "（党组）" in doc.text
    # masked spans stay as they are without a reference
    assert doc.text.count("党的*大") == scraped_text.count("党的*大") == 5 and "意识斗争" in doc.text


def test_sample_report_lists_each_change(scraped_text, rules):
    doc = clean_text(scraped_text, rules=rules)
    rules_used = Counter(edit.rule_id for edit in doc.edits)
    assert rules_used["diyiwenku.share-header"] == 1
    assert rules_used["page.chunk-marker"] == 10
    assert rules_used["paragraphs.split-after-title"] == 1
    assert rules_used["paragraphs.split-at-heading"] == 3
    assert rules_used["normalise.punctuation"] >= 130
    marker = next(e for e in doc.edits if e.rule_id == "page.chunk-marker" and e.before.endswith("2、"))
    assert marker.before == "\n2、" and marker.after == ""
    assert scraped_text[marker.input_start : marker.input_end] == "\n2、"


RESTORED = SAMPLES / "wangxin_scraped_diyiwenku.restored.txt"


def test_sample_restored_against_reference_matches_golden(scraped_text, reference_text, rules):
    from conftest import REFERENCE

    from pipeline.runner import clean_reference

    doc = clean_text(scraped_text, rules=rules, reference=clean_reference(REFERENCE, rules=rules))
    assert doc.text + "\n" == RESTORED.read_text(encoding="utf-8")


def test_sample_restored_is_the_reference_in_scraped_order(reference_text):
    restored = RESTORED.read_text(encoding="utf-8").splitlines()
    reference = reference_text.splitlines()
    assert len(restored) == 18
    assert restored[0] == "在调研网信工作强调要求"
    assert reference[1].endswith(restored[1]) and restored[1].startswith("1月4日至5日召开的")
    body = restored[2:]
    assert all(line in reference for line in body)
    assert reference[0] not in restored and reference[-1] not in restored  # missing paragraphs not inserted
    order = [reference.index(line) for line in body]
    # the scraped order: 推动… before 实现…, 铸牢 before 发力, 提升 before 高举
    assert order != sorted(order)
    for earlier, later in (("健全网络综合治理体系是推动", "健全网络综合治理体系是实现"), ("铸牢", "发力"), ("提升“战斗力”", "高举")):
        first = next(i for i, line in enumerate(body) if line.startswith(earlier))
        second = next(i for i, line in enumerate(body) if line.startswith(later))
        assert first < second
