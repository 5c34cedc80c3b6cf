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
