"""Property tests over generated scraped-looking text (hypothesis): fragments of every damage kind
the cleaner handles (every site's chrome, pinyin layers, anti-copy noise, traditional characters,
flattened and spaced headings, repeated and injected text, punctuation soup), mixed at random.

* cleaning clean output changes nothing (idempotence);
* replaying the report's edits on the input reproduces the output;
* each edit's input span is exactly where the text it replaced came from;
* no Chinese character disappears without an edit that logs it.
"""

from __future__ import annotations

import os
from collections import Counter

import regex
from hypothesis import HealthCheck, example, given, settings
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
# The suite draws the same 150 examples on every run (derandomized: a test that passes keeps passing);
# DOCMEND_EXPLORE=N draws N fresh random ones instead, to hunt for new failures.
EXPLORE = int(os.environ.get("DOCMEND_EXPLORE") or 0)
PROFILE = settings(
    max_examples=EXPLORE or 150,
    derandomize=not EXPLORE,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)

# Failures the wider grammar found, kept as fixed examples (the first three are fixed; see the xfail for
# the one that is not).
TITLE_EDITED_AFTER_INSERTION = (
    "(本资源由会员分享，可在线阅读，更多相关《第七章c盘管理（31页典藏版) 》请在人人文库网上搜索。\n\n"
    "第七章c盘管理第一页，共31页。网络安全法全文_第2页_文档库\n"
    "第二条 在中华人民共和国境内建设、运营、维护和使用网络，适用本法。"
)  # a footer inside the header's title was removed after the title was put first: it came back every pass
TITLE_JOINED_ON_RECLEANING = (
    "意识形态投标单位应当按规定递交投标保证金。 下载文档到电脑，查找使用更方便 1下载券 6681人已下载 下载 还剩 15页未读，继续阅读.\n"
    "国务院关于加强数字政府建设的指导意见_政策_中国政府网\n"
    "加强数字政府建设是适应新一轮科技革命和产业变革趋势的必然要求。\n"
    "第九条 网络运营者应当履行网络安全保护义务。"
)  # cleaned again, without the header, the title line looked like a line wrapped at the page width
LONGER_THAN_THE_PAGE_WIDTH = (
    "臣亮言：先帝創業未半，而中道崩殂；一、总体要求网络综合治理77范文网 - 专业文章范例文档资料分享平台\n\n"
    "计算机系统结构_知识点测评..\n"
    "我國網(wǎng)信領(lǐng)域若干創(chuàng)新。电子商务法学习资料.docx_淘豆网\n"
    "第五条 电子商务经营者从事经营活动，应当遵循自愿、平等、公平、诚信的原则。"
)  # a line longer than the common width was taken for a wrapped one
SENTENCE_TITLE_JOINED_ON_RECLEANING = (
    "《数据库原理与应用》课后习题参考答案\n合集下载\n"
    "数据模型是指描述事物对象的数据组成、数据关系、数据约束的抽象结构及其说明。个人信息保护法全文word免费下载_爱问共享资料\n"
    "第一条 为了保护个人信息权益，规范个人信息处理活动，制定本法。\n"
    "第二十三条 网络关键设备和网络安全专用产品应当按照相关国家标准的强制性要求。网络综合治理意识形态"
)


def clean(text: str, to_simplified: bool):
    return clean_text(text, rules=RULES, metadata={"to_simplified": True} if to_simplified else None)


def han_counts(text: str) -> Counter[str]:
    return Counter(HAN.findall(text))


@PROFILE
@given(scraped_like, simplify)
@example(TITLE_EDITED_AFTER_INSERTION, False)
@example(TITLE_JOINED_ON_RECLEANING, False)
@example(LONGER_THAN_THE_PAGE_WIDTH, False)
@example(SENTENCE_TITLE_JOINED_ON_RECLEANING, False).xfail(
    reason="known bug: a title taken from the site header and put first is only known while the header is "
    "there; cleaned again, a title line that reads like a sentence and matches the width of another line "
    "is joined to the next line (paragraphs.join-layout-line)",
    raises=AssertionError,
)
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
