"""Property tests over generated scraped-looking text (hypothesis).

* cleaning clean output changes nothing (idempotence);
* replaying the report's edits on the input reproduces the output;
* no Chinese character disappears without an edit that logs it.
"""

from __future__ import annotations

from collections import Counter

import regex
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.document import replay
from pipeline.rules import load_rules
from pipeline.runner import clean_text

RULES = load_rules()
HAN = regex.compile(r"\p{Han}")

FRAGMENTS = [
    "网络综合治理",
    "意识形态",
    "得天下",
    "健全体系",
    "政治安全",
    "党的*大",
    "*月*日",
    "指出",
    "当前",
    "近年来",
    "，",
    "。",
    "；",
    "：",
    "“",
    "”",
    "（",
    "）",
    "、",
    ",",
    ";",
    ":",
    "(",
    ")",
    "!",
    "?",
    ".",
    " ",
    "  ",
    "　",
    "\n",
    "\n",
    "\n\n",
    "\f",
    "1、",
    "2、",
    "3、",
    "一、",
    "二、",
    "（一）",
    "第 3 页 共 12 页",
    "- 4 -",
    "7",
    "1,000",
    "10:30",
    "3.5",
    "http://a.cn/x,y",
    "GDP",
    "Hello, world",
    "⽉",
    "\u200b",
    "Ａ１",
    "\t",
    "《测试.docx》由会员分享,可在线阅读,更多相关《测试.docx(5页珍藏版)》请在第一文库网上搜索。",
    "下载文档到电脑，查找使用更方便",
    "展开阅读全文",
]

scraped_like = st.lists(st.sampled_from(FRAGMENTS), min_size=0, max_size=60).map("".join)
PROFILE = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def han_counts(text: str) -> Counter[str]:
    return Counter(HAN.findall(text))


@PROFILE
@given(scraped_like)
def test_cleaning_is_idempotent(text: str) -> None:
    once = clean_text(text, rules=RULES).text
    twice = clean_text(once, rules=RULES)
    assert twice.text == once
    assert twice.edits == []


@PROFILE
@given(scraped_like)
def test_report_replays_to_output(text: str) -> None:
    doc = clean_text(text, rules=RULES)
    assert replay(doc.original, doc.edits) == doc.text


@PROFILE
@given(scraped_like)
def test_no_chinese_character_lost_without_a_logged_edit(text: str) -> None:
    doc = clean_text(text, rules=RULES)
    accounted = han_counts(doc.text)
    for edit in doc.edits:
        accounted.update(han_counts(edit.before))
        accounted.subtract(han_counts(edit.after))
        assert edit.reason and edit.rule_id and edit.stage
    assert +accounted == han_counts(text)
    assert all(count >= 0 for count in accounted.values())


def test_sample_replays_and_is_stable(scraped_text: str) -> None:
    doc = clean_text(scraped_text, rules=RULES)
    assert replay(doc.original, doc.edits) == doc.text
    assert clean_text(doc.text, rules=RULES).edits == []
    for edit in doc.edits:
        assert doc.original[edit.input_start : edit.input_end] or edit.before == ""
