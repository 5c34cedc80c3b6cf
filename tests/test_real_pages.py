"""Real scraped pages nobody here wrote (tests/fixtures/real/README.md): what must go and what must stay."""

from __future__ import annotations

from pathlib import Path

from pipeline.runner import clean_file

REAL = Path(__file__).parent / "fixtures" / "real"


def test_renrendoc_chunks_rejoined_and_header_dropped(rules):
    doc = clean_file(REAL / "renrendoc_176260434.txt", rules=rules)
    assert "版权说明" not in doc.text and "文档简介" not in doc.text
    assert "租金及房屋状况（待租赁、已出租）" in doc.text
    assert "当租赁者与房主达成租房或退房协议后" in doc.text
    assert not any(line.startswith(("1、", "2、", "3、")) for line in doc.paragraphs)
    assert doc.metadata["site"] == "renrendoc"


def test_360docs_notices_dropped_real_list_kept(rules):
    doc = clean_file(REAL / "360docs_6a9896566.txt", rules=rules)
    assert "下载文档前请自行甄别" not in doc.text and "合集下载" not in doc.text
    assert "如文档侵犯您的权益" not in doc.text
    assert "1. 单选题 C C D B C" in doc.paragraphs
    assert "2. 判断题对错错错对" in doc.paragraphs
    assert "第一章作业参考答案" in doc.paragraphs
