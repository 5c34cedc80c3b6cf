"""Property tests over generated scraped-looking text (hypothesis): fragments of every damage kind
the cleaner handles (every site's chrome, pinyin layers, anti-copy noise, traditional characters,
flattened and spaced headings, repeated and injected text, punctuation soup), mixed at random.

* cleaning clean output changes nothing (idempotence);
* replaying the report's edits on the input reproduces the output;
* each edit's input span is exactly where the text it replaced came from;
* no Chinese character disappears without an edit that logs it.
"""

from __future__ import annotations

from collections import Counter

import regex
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from provenance import check_input_offsets

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

# The damage kinds the cleaner handles, each a pool of fragments; a generated text mixes them.
SITE_CHROME = sorted(
    {e.before for e in RULES.examples if e.stage in ("boilerplate", "page_artefacts") and e.before.strip()}
)  # every site's headers, footers and prompts, from the rules' own examples
PINYIN = [
    "網(wǎng)絡(luò)安全",
    "网（wǎng）络（luò）",
    "网 (wǎng)络 (luò)空间",
    "中(zhong1)国(guo2)",
    "臣chn亮ling言yn：先xin帝d创chung业y未wi半bn，",
    "臣 chén 亮 liàng 言 yán",
    "我國網(wǎng)信領(lǐng)域若干創(chuàng)新。",
]
NOISE = ["艹虫蚌衤袄裙", "衩衫衬袄袍裤", "蚜蚝蚣蚤蚂", "艹艹虫虫衤衤", "亻仂仉仡仫", "氵汆汔汜汊"]
TRADITIONAL = [
    "香港特別行政區政府今日公布最新經濟數據，",
    "網絡綜合治理體系",
    "臣亮言：先帝創業未半，而中道崩殂；",
    "「這是引文。」",
    "國家網信部門負責統籌協調",
]
HEADINGS = [
    "一、总体要求",
    "（二）主要任务",
    "第一章 总则",
    "第一条 为了规范管理，制定本办法。",
    "第二条",
    "1.1 适用范围",
    "政 府 工 作 报 告",
    "政 　 府 　 工 　 作",
    "政政府府工工作作报报告告",
    "第第1515章章",
    "目录",
    "第一章 总则……………………1",
    "一、指导思想.........3",
    "一是加强领导。二是",
    "● ",
    "（1）",
]
PROSE = [
    "健全网络综合治理体系，推动形成良好网络生态，是营造清朗网络空间的治本之策。",
    "各级网信部门要切实履行属地管理责任，压实网站平台主体责任，形成工作合力。",
    "书山有路勤为径，学海无涯苦作舟。",
    "孤帆远影碧空尽，长江天际一点流。",
    "春节 春节习俗 春节由来 春节故事",
    "关于同志近三年现实表现材料材料类招标技术评分表图表与交易pdf视力表打印pdf用图表说话 pdf ",
    "他说：“我不知道。”",
    "截至2023年底，共计1,234.5万元（约占10%）。",
    "https://www.example.com/a?b=1,2",
    "Hello, world! It's 10:30.",
]
PUNCTUATION = ",.;:!?()，。；：！？（）“”‘’\"'、…—-·《》【】[] 　\n"

damaged_fragment = st.one_of(
    st.sampled_from(FRAGMENTS),
    st.sampled_from(SITE_CHROME),
    st.sampled_from(PINYIN),
    st.sampled_from(NOISE),
    st.sampled_from(TRADITIONAL),
    st.sampled_from(HEADINGS),
    st.sampled_from(PROSE),
    st.text(alphabet=PUNCTUATION, min_size=1, max_size=6),  # punctuation soup
)
scraped_like = st.lists(damaged_fragment, min_size=0, max_size=30).map("".join)
simplify = st.sampled_from([False, True])  # with and without --to-simplified
PROFILE = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def clean(text: str, to_simplified: bool):
    return clean_text(text, rules=RULES, metadata={"to_simplified": True} if to_simplified else None)


def han_counts(text: str) -> Counter[str]:
    return Counter(HAN.findall(text))


@PROFILE
@given(scraped_like, simplify)
def test_cleaning_is_idempotent(text: str, to_simplified: bool) -> None:
    once = clean(text, to_simplified).text
    twice = clean(once, to_simplified)
    assert twice.text == once
    assert twice.edits == []


@PROFILE
@given(scraped_like, simplify)
def test_report_replays_to_output(text: str, to_simplified: bool) -> None:
    doc = clean(text, to_simplified)
    assert replay(doc.original, doc.edits) == doc.text


@PROFILE
@given(scraped_like, simplify)
def test_input_offsets_are_where_each_edit_came_from(text: str, to_simplified: bool) -> None:
    doc = clean(text, to_simplified)
    check_input_offsets(doc.original, doc.edits, doc.suggestions)


@PROFILE
@given(scraped_like, simplify)
def test_no_chinese_character_lost_without_a_logged_edit(text: str, to_simplified: bool) -> None:
    doc = clean(text, to_simplified)
    accounted = han_counts(doc.text)
    for edit in doc.edits:
        accounted.update(han_counts(edit.before))
        accounted.subtract(han_counts(edit.after))
        assert edit.reason and edit.rule_id and edit.stage
    assert +accounted == han_counts(text)
    assert all(count >= 0 for count in accounted.values())


def test_sample_replays_and_is_stable(scraped_text: str, reference_text: str) -> None:
    doc = clean_text(scraped_text, rules=RULES)
    assert replay(doc.original, doc.edits) == doc.text
    assert clean_text(doc.text, rules=RULES).edits == []
    check_input_offsets(doc.original, doc.edits, doc.suggestions)
    restored = clean_text(scraped_text, rules=RULES, reference=reference_text)
    assert replay(restored.original, restored.edits) == restored.text
    check_input_offsets(restored.original, restored.edits, restored.suggestions)
