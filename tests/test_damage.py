"""The damage stage: anti-copy noise, pinyin layers, spaced headings, repeated and injected text,
traditional → simplified. Each kind: text that must change (exact output) and text that must not."""

from __future__ import annotations

import pytest
from conftest import REFERENCE, SCRAPED

from pipeline import language
from pipeline.document import apply_edits, check_edits, replay
from pipeline.runner import CLEANING_STEPS, clean_text
from pipeline.stages import damage
from pipeline.stages.damage import (
    fix_spaced_headings,
    flag_injected_text,
    remove_anti_copy_noise,
    remove_injected_text,
    remove_repeated_text,
    strip_pinyin_layers,
    to_simplified,
)

STEPS = (
    remove_anti_copy_noise,
    strip_pinyin_layers,
    fix_spaced_headings,
    remove_repeated_text,
    remove_injected_text,
    to_simplified,
)

REF = REFERENCE.read_text(encoding="utf-8")
PARAS = REF.split("\n")
CURRENT = PARAS[3]  # 当前，互联网已成为意识形态斗争的主阵地…治本之策。
assert CURRENT.startswith("当前，互联网已成为")


def run_checked(step, text: str, rules, metadata: dict | None = None) -> str:
    """Apply one step, checking its edits (inside the text, matching, not overlapping) and that a
    second run on its output changes nothing."""
    metadata = {} if metadata is None else metadata
    edits = step(text, rules=rules, metadata=dict(metadata))
    for edit in edits:
        assert edit.before == text[edit.start : edit.end]
        assert edit.stage == "damage" and edit.rule_id.startswith("damage.") and edit.reason
    check_edits(text, edits, "damage")
    out = apply_edits(text, edits)
    again = step(out, rules=rules, metadata=dict(metadata))
    assert again == [], f"{step.__name__} is not idempotent: {[(e.rule_id, e.before) for e in again]}"
    return out


def unchanged(step, text: str, rules, metadata: dict | None = None) -> None:
    edits = step(text, rules=rules, metadata={} if metadata is None else metadata)
    assert edits == [], [(e.rule_id, e.before) for e in edits]


# --------------------------------------------------------------------------------------------
# text that no step may touch

PASS_THROUGH = [
    pytest.param(REF, id="reference-sample"),
    pytest.param(
        "会议要求：\n1、提高认识，加强领导，确保各项工作落到实处。\n2、明确责任，狠抓落实。\n3、强化督查。",
        id="numbered-list",
    ),
    pytest.param("主要做法如下：1、建立台账；2、定期检查；3、及时整改。", id="item-after-colon"),
    pytest.param(
        "臣亮言：先帝創業未半，而中道崩殂；今天下三分，益州疲弊，此誠危急存亡之秋也。"
        "然侍衛之臣不懈於內，忠志之士忘身於外者，蓋追先帝之殊遇，欲報之於陛下也。",
        id="classical-traditional",
    ),
    pytest.param(
        "帝高阳之苗裔兮，朕皇考曰伯庸。摄提贞于孟陬兮，惟庚寅吾以降。\n忳郁邑余侘傺兮，吾独穷困乎此时也。"
        "宁溘死以流亡兮，余不忍为此态也。\n路漫漫其修远兮，吾将上下而求索。饮余马于咸池兮，总余辔乎扶桑。",
        id="chuci-rare-characters",
    ),
    pytest.param(
        "于是乎崇山矗矗，巄嵸崔巍，深林巨木，崭岩参差。九嵕巀嶭，南山峨峨，岩陁甗锜，摧崣崛崎。", id="fu-same-radicals"
    ),
    pytest.param("使用Python语言编写脚本，在iPhone手机上运行，依照第3A条执行。", id="latin-in-chinese"),
    pytest.param("是。\n是。\n否。", id="short-repeated-line"),
    pytest.param("第一章 总则\n第一条 为了规范管理，制定本办法。", id="heading-not-spaced"),
    pytest.param("他沉默了很久……终于开口说：“我不知道该怎么办。”", id="ellipsis-in-prose"),
    pytest.param(
        "实验室常用的试剂有：氢氧化钠、高锰酸钾、硫代硫酸钠、邻苯二甲酸氢钾、乙二胺四乙酸二钠等，使用时要注意安全。",
        id="chemistry-terms",
    ),
    pytest.param(
        "传统上所说的五毒指蜈蚣蝎子蟾蜍壁虎和蛇，端午节时人们会在门上挂艾草来驱赶它们，这一习俗一直流传到今天。",
        id="same-radical-words",
    ),
    pytest.param(
        "屈原在《离骚》中写道：“忳郁邑余侘傺兮，吾独穷困乎此时也。”表达了诗人在政治上失意后的苦闷心情。",
        id="modern-quoting-classical",
    ),
    pytest.param(
        "他姓欧阳，名叫欧阳龑，是一位研究甲骨文的学者，著有《殷墟卜辞中的饕餮纹研究》一书，在学界颇有影响。",
        id="rare-name",
    ),
    pytest.param(
        "香港特別行政區政府今日公布最新經濟數據，本地生產總值按年實質增長百分之三點二。", id="modern-traditional"
    ),
    pytest.param("古人云：“书山有路勤为径，学海无涯苦作舟。”我们要珍惜时间，努力学习。", id="quoted-aphorism"),
    pytest.param("谢谢谢谢\n哈哈哈哈哈哈\n天天向上", id="doubled-words"),
    pytest.param("床前明月光\n疑是地上霜\n举头望明月\n低头思故乡", id="poem-lines"),
]


@pytest.mark.parametrize("text", PASS_THROUGH)
@pytest.mark.parametrize("step", STEPS, ids=lambda s: s.__name__)
def test_pass_through(step, text, rules):
    unchanged(step, text, rules)


def test_scraped_sample_untouched(rules, scraped_text):
    for step in STEPS:
        unchanged(step, scraped_text, rules)
    assert flag_injected_text(REF, rules=rules) == []


# --------------------------------------------------------------------------------------------
# 1. anti-copy noise


def test_noise_brief_example(rules):
    assert run_checked(remove_anti_copy_noise, "这是正文艹虫蚌衤袄裙这是正文", rules) == "这是正文这是正文"


@pytest.mark.parametrize(
    "noise", ["艹虫蚌衤袄裙", "衩衫衬袄袍裤", "蚜蚝蚣蚤蚂", "艹艹虫虫衤衤", "亻仂仉仡仫", "氵汆汔汜汊"]
)
def test_noise_injected_into_a_paragraph(rules, noise):
    text = CURRENT[:30] + noise + CURRENT[30:80] + noise + CURRENT[80:]
    assert run_checked(remove_anti_copy_noise, text, rules) == CURRENT


def test_noise_periodic_through_a_document(rules):
    body = "\n".join(PARAS[3:8])
    noisy = "\n".join(p[:20] + "芈芏芐芑芗芘" + p[20:] for p in PARAS[3:8])
    edits = remove_anti_copy_noise(noisy, rules=rules, metadata={})
    assert {e.rule_id for e in edits} == {"damage.anti-copy-noise"}
    assert apply_edits(noisy, edits) == body
    assert "radical" in edits[0].reason and edits[0].evidence


@pytest.mark.parametrize("block", ["整置夫包志模利问球怎", "影率石将深具山英候系", "父定纪到很新未境报为"])
def test_random_block_at_line_edges(rules, block):
    assert run_checked(remove_anti_copy_noise, block + CURRENT, rules) == CURRENT
    assert run_checked(remove_anti_copy_noise, CURRENT + block, rules) == CURRENT
    no_stop = CURRENT.rstrip("。")
    assert run_checked(remove_anti_copy_noise, no_stop + block, rules) == no_stop
    # after a chunk marker at the line start
    assert run_checked(remove_anti_copy_noise, "2、" + block + CURRENT, rules) == "2、" + CURRENT


def test_random_block_not_in_classical_document(rules):
    classical = (
        "子罕言利与命与仁。达巷党人曰：大哉孔子！博学而无所成名。子闻之，谓门弟子曰：吾何执？执御乎？执射乎？吾执御矣。"
    )
    unchanged(remove_anti_copy_noise, classical, rules)


# --------------------------------------------------------------------------------------------
# 2. pinyin layers


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("網(wǎng)絡(luò)安全", "網絡安全"),
        ("网(wǎng)络(luò)安全", "网络安全"),
        ("网（wǎng）络（luò）", "网络"),
        ("网 (wǎng)络 (luò)空间", "网络空间"),
        ("中(zhong1)国(guo2)", "中国"),
        ("臣chn亮ling言yn：先xin帝d创chung业y未wi半bn，而r中zhng道do崩bng殂c。", "臣亮言：先帝创业未半，而中道崩殂。"),
        ("臣chen亮liang言yan", "臣亮言"),
        ("臣 chén 亮 liàng 言 yán", "臣亮言"),
        # a mirror that glosses single characters inside words: many in the document, so each goes
        (
            "我國網(wǎng)信領(lǐng)域若干創(chuàng)新。版權(quán)說明。進(jìn)行舉報。認(rèn)真。",
            "我國網信領域若干創新。版權說明。進行舉報。認真。",
        ),
    ],
)
def test_pinyin_removed(rules, before, after):
    assert run_checked(strip_pinyin_layers, before, rules) == after


@pytest.mark.parametrize(
    "text",
    [
        "使用Python语言",
        "第3A条",
        "iPhone手机",
        "这个字读作网(wǎng)，意思是网络。",  # one annotation: not a layer
        "生字：网(wǎng)、络(luò)、创(chuàng)、领(lǐng)、权(quán)、认(rèn)。",  # a lesson's word list
        "臣chén是一个字",  # not sustained
        "维生素C和维生素E都很重要",
        "我们使用 Java 和 Go 开发后端服务",
        "A股B股C股",
    ],
)
def test_pinyin_kept(rules, text):
    unchanged(strip_pinyin_layers, text, rules)


# --------------------------------------------------------------------------------------------
# 3. spaced, doubled and TOC headings


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("政 　 府 　 工 　 作 　 报 　 告\n正文。", "政府工作报告\n正文。"),
        ("政 府 工 作 报 告\n正文。", "政府工作报告\n正文。"),
        ("　　关 于 加 强 管 理 的 通 知\n正文。", "　　关于加强管理的通知\n正文。"),
        ("政政府府工工作作报报告告\n正文。", "政府工作报告\n正文。"),
        ("一、总体要求一、总体要求\n正文。", "一、总体要求\n正文。"),
        ("目录\n第一章 总则……………………1\n一、指导思想.........3", "目录\n第一章 总则\n一、指导思想"),
        (
            "目录\n前言 ⋯⋯⋯⋯ 1\n网络综合治理概述 ··········· 5\n主要任务与措施 ........ 12\n结语 ....... 20",
            "目录\n前言\n网络综合治理概述\n主要任务与措施\n结语",
        ),
    ],
)
def test_headings_fixed(rules, before, after):
    assert run_checked(fix_spaced_headings, before, rules) == after


@pytest.mark.parametrize(
    "text",
    [
        "第一章 总则",
        "总之……………………这就是我的看法",  # a lone leader in prose, no page number
        "他数了数……1、2、3……10，一共十个人。",
        "甲 乙\n正文。",  # two characters: not a spaced heading
        "我们常常想想看看",  # doubled pairs but not every character
        "说明：本表数据截至2023年底……单位：万元",
    ],
)
def test_headings_kept(rules, text):
    unchanged(fix_spaced_headings, text, rules)


# --------------------------------------------------------------------------------------------
# 4. repeated text

LONG = "健全网络综合治理体系，推动形成良好网络生态，是营造清朗网络空间的治本之策。"
OTHER = "各级网信部门要切实履行属地管理责任，压实网站平台主体责任，形成工作合力。"


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("网信工作要点网信工作要点网信工作要点\n" + LONG, "网信工作要点\n" + LONG),
        ("网信工作要点网信工作要点网信工作要点" + LONG, "网信工作要点" + LONG),
        ("网信工作要点\n网信工作要点\n网信工作要点\n" + LONG, "网信工作要点\n" + LONG),
        (LONG + "\n" + LONG + "\n" + OTHER, LONG + "\n" + OTHER),
        (LONG + "\n  " + LONG.replace("，", "， ") + "\n" + OTHER, LONG + "\n" + OTHER),  # whitespace ignored
        (LONG + "\n" + OTHER + "\n" + LONG, LONG + "\n" + OTHER),
        (LONG + "\n" + OTHER + "\n" + LONG + "\n是。", LONG + "\n" + OTHER + "\n是。"),
        # a summary followed by the same text again
        (LONG[:32] + "…\n" + LONG + OTHER, LONG + OTHER),
        ("标题\n" + (LONG + OTHER)[:40] + "\n" + LONG + "\n" + OTHER, "标题\n" + LONG + "\n" + OTHER),
    ],
)
def test_repeats_removed(rules, before, after):
    assert run_checked(remove_repeated_text, before, rules) == after


@pytest.mark.parametrize(
    "text",
    [
        "是。\n是。",
        "谢谢谢谢\n正文。",
        "1、提高认识，加强领导，确保各项工作落到实处，不断取得新成效。\n正文。\n1、提高认识，加强领导，确保各项工作落到实处，不断取得新成效。",
        "一、深刻认识健全网络综合治理体系的重要意义\n正文。\n一、深刻认识健全网络综合治理体系的重要意义\n正文二。",
        "阅读下面的文字，完成下列各题。\n材料一。\n阅读下面的文字，完成下列各题。\n材料二。",
        "哈哈哈哈哈哈\n正文。",
    ],
)
def test_repeats_kept(rules, text):
    unchanged(remove_repeated_text, text, rules)


# text doubled inside a paragraph by a PDF/PPT text layer

DOUBLED_SLIDE = "第第1515章章 解析解析LinuxLinux内核内核内核是操作系统的核心，通常说的内核是操作系统的核心，通常说的"


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (DOUBLED_SLIDE, "第15章 解析Linux内核内核是操作系统的核心，通常说的"),
        ("操操作作系系统统的的内内核核是是一一组组软软件件。", "操作系统的内核是一组软件。"),  # every character doubled
        ("前言。内核是操作系统的核心，内核是操作系统的核心，通常说的", "前言。内核是操作系统的核心，通常说的"),
        # a line mostly doubled: its short doubled pieces go too (Latin text came out once)
        (
            "Linux是指是指Linux操操作系统的内核，是一组系统管理软件的集合。作系统的内核，是一组系统管理软件的集合。",
            "Linux是指Linux操作系统的内核，是一组系统管理软件的集合。",
        ),
        # inside a doubled layer, characters the dictionary doubles (人人 一一) are doubled characters too
        ("越越来来越越多多的的人人参参与与到到，，一一起起研研究究。", "越来越多的人参与到，一起研究。"),
    ],
)
def test_doubled_text_undoubled(rules, before, after):
    assert run_checked(remove_repeated_text, before, rules) == after


def test_doubled_text_edits_say_why(rules):
    edits = remove_repeated_text(DOUBLED_SLIDE, rules=rules, metadata={})
    assert {e.rule_id for e in edits} == {"damage.doubled-text", "damage.repeated-phrase"}
    assert all(e.after == "" and e.reason for e in edits)
    phrase = next(e for e in edits if e.rule_id == "damage.repeated-phrase")
    assert phrase.before == "内核是操作系统的核心，通常说的" and "15 characters" in phrase.reason
    assert [e.before for e in edits if e.rule_id == "damage.doubled-text"] == [
        "第",
        "15",
        "章",
        "解析",
        "Linux",
        "内核",
    ]


@pytest.mark.parametrize(
    "text",
    [
        "他常常去图书馆看看书，谢谢你。",
        "这个问题我们要研究研究，大家天天向上。",
        "一个一个地检查，高高兴兴上学，人人有责。",
        "明明白白地说清清楚楚",
        "高高兴兴快快乐乐平平安安",
        "的的确确，认认真真，踏踏实实地干干净净做事情",
        "家家户户，方方面面，时时刻刻",
        "研究研究讨论讨论",
        "我们看看这个问题的答案",
        "他说：“走走走，我们走走看看。”",
        "1111年，2020年，20202020号，电话1212 3434 5656",
        "哈哈哈哈哈哈，谢谢谢谢大家",
        "papa mama",
        "会议强调，必须坚持以人民为中心的发展思想，不断推进改革。" + CURRENT,
    ],
)
def test_reduplication_kept(rules, text):
    unchanged(remove_repeated_text, text, rules)


# --------------------------------------------------------------------------------------------
# 5. injected text

A = "网络治理需要政府、企业、社会组织和网民共同参与。"
B = "各级网信部门要切实履行属地管理责任，压实网站平台主体责任。"


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (A + "\n工作总结范文 工作总结模板 工作总结下载\n" + B, A + "\n" + B),
        (A + "\n关键词：网络治理 综合治理 网络生态\n" + B, A + "\n" + B),
        (A + "\n心得体会范文，心得体会模板，心得体会怎么写，心得体会大全\n" + B, A + "\n" + B),
        (A + "书山有路勤为径，学海无涯苦作舟。" + B, A + B),
        (A + "\n宝剑锋从磨砺出，梅花香自苦寒来。\n" + B, A + "\n" + B),
        (A + "少壮不努力，老大徒伤悲！" + B, A + B),
    ],
)
def test_injected_removed(rules, before, after):
    assert run_checked(remove_injected_text, before, rules) == after


def test_injected_flagged_not_removed(rules):
    related = "同学们要珍惜时间，刻苦学习。书山有路勤为径，学海无涯苦作舟。只有勤奋读书，才能取得好成绩。"
    keywords = "春节 春节习俗 春节由来 春节故事"
    couplet = A + "孤帆远影碧空尽，长江天际一点流。" + B
    text = "\n".join([related, keywords, couplet])
    assert remove_injected_text(text, rules=rules, metadata={}) == []
    flags = flag_injected_text(text, rules=rules)
    assert [(f.rule_id, f.before) for f in flags] == [
        ("damage.stock-aphorism", "书山有路勤为径，学海无涯苦作舟。"),
        ("damage.keyword-run", keywords),
        ("damage.aphorism-like", "孤帆远影碧空尽，长江天际一点流。"),
    ]
    for flag in flags:
        assert flag.before == flag.after == text[flag.start : flag.end]
    check_edits(text, flags, "damage")


@pytest.mark.parametrize(
    "text",
    [
        "张三 李四 王五 赵六",
        "姓名 性别 年龄 职务",
        "古人云：“书山有路勤为径，学海无涯苦作舟。”我们要珍惜时间。",
        "他常说：书山有路勤为径，学海无涯苦作舟。",
        A + B,
    ],
)
def test_injected_kept(rules, text):
    unchanged(remove_injected_text, text, rules)
    assert flag_injected_text(text, rules=rules) == []


KEYWORD_LINKS = "关于同志近三年现实表现材料材料类招标技术评分表图表与交易pdf视力表打印pdf用图表说话 pdf "


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (
            "128. " + KEYWORD_LINKS + "达式和语句128.1每行应该只有一条语句。",
            "128. 表达式和语句128.1每行应该只有一条语句。",
        ),
        (A + KEYWORD_LINKS + "达式和语句。" + B, A + "表达式和语句。" + B),
        (KEYWORD_LINKS + "达式和语句", "表达式和语句"),
    ],
)
def test_keyword_links_removed(rules, before, after):
    assert run_checked(remove_injected_text, before, rules) == after
    edits = remove_injected_text(before, rules=rules, metadata={})
    assert {e.rule_id for e in edits} == {"damage.keyword-links"} and "“表”" in edits[0].reason


def test_keyword_links_flagged_mid_sentence(rules):
    text = "本章说明，" + KEYWORD_LINKS + "达式和语句的写法。"
    unchanged(remove_injected_text, text, rules)
    flags = [f for f in flag_injected_text(text, rules=rules) if f.rule_id == "damage.keyword-links"]
    assert len(flags) == 1 and flags[0].before == flags[0].after == KEYWORD_LINKS


@pytest.mark.parametrize(
    "text",
    [
        "请下载评分表pdf和报名表pdf后填写表格。",
        "统计表 pdf 汇总表 pdf 明细表 pdf 达标情况",  # reads on without 表: 达标
        "见附件：评分表.pdf、报名表.pdf、汇总表.pdf。表达清楚即可。",
        "附件有图表与交易pdf和视力表打印pdf两个文件，用图表说明。",
    ],
)
def test_keyword_links_kept(rules, text):
    unchanged(remove_injected_text, text, rules)
    assert not [f for f in flag_injected_text(text, rules=rules) if f.rule_id == "damage.keyword-links"]


# --------------------------------------------------------------------------------------------
# 6. traditional → simplified

TRADITIONAL = "香港特別行政區政府今日公布最新經濟數據。"
CLASSICAL_QUOTE = "孔子說：「學而時習之，不亦說乎？有朋自遠方來，不亦樂乎？」"
CLASSICAL_LINE = "臣亮言：先帝創業未半，而中道崩殂；今天下三分，益州疲弊，此誠危急存亡之秋也。"


def test_simplified_off_by_default(rules):
    unchanged(to_simplified, TRADITIONAL, rules)
    unchanged(to_simplified, TRADITIONAL, rules, {"to_simplified": False})


def test_simplified_when_asked(rules):
    out = run_checked(to_simplified, TRADITIONAL, rules, {"to_simplified": True})
    assert out == "香港特别行政区政府今日公布最新经济数据。"
    edits = to_simplified(TRADITIONAL, rules=rules, metadata={"to_simplified": True})
    assert [(e.before, e.after) for e in edits] == [("別行政區", "别行政区"), ("經濟數據", "经济数据")]


def test_simplified_keeps_classical(rules):
    text = "\n".join([TRADITIONAL, CLASSICAL_QUOTE, CLASSICAL_LINE])
    out = run_checked(to_simplified, text, rules, {"to_simplified": True})
    assert out == "\n".join(
        [
            "香港特别行政区政府今日公布最新经济数据。",
            "孔子说：「學而時習之，不亦說乎？有朋自遠方來，不亦樂乎？」",
            CLASSICAL_LINE,
        ]
    )
    everything = run_checked(to_simplified, text, rules, {"to_simplified": "all"})
    assert everything.split("\n")[1] == "孔子说：「学而时习之，不亦说乎？有朋自远方来，不亦乐乎？」"
    assert everything.split("\n")[2].startswith("臣亮言：先帝创业未半")


# --------------------------------------------------------------------------------------------
# the language data and the steps in a cleaning run


def test_frequency_data_from_jieba():
    logs = language.char_log_frequencies()
    assert logs[ord("的")] > -3 > logs[ord("蚌")] > logs[ord("衤")]
    assert logs[ord("網")] == logs[ord("网")]  # traditional counts as its simplified form
    assert language.radicals(language.code_points("蚌裙艹"))[:2].tolist() == [142, 145]
    assert (
        damage.is_pinyin_of("亮", "ling")
        and damage.is_pinyin_of("亮", "liàng")
        and not damage.is_pinyin_of("用", "Python")
    )


def test_steps_in_a_cleaning_run(rules):
    """The damage steps as wired into CLEANING_STEPS settle, and the log replays."""
    names = [step.name for step in CLEANING_STEPS]
    assert names.index("strip_pinyin_layers") < names.index("strip_boilerplate") < names.index("fix_spaced_headings")
    assert names.index("normalise_punctuation") < names.index("remove_repeated_text") < names.index("normalise_whitespace")
    damaged = "\n".join(
        [
            "政 　 府 　 工 　 作 　 报 　 告",
            PARAS[1][:40] + "艹虫蚌衤袄裙" + PARAS[1][40:],
            PARAS[3],
            PARAS[3],
            "工作总结范文 工作总结模板 工作总结下载",
            "整置夫包志模利问球怎" + PARAS[4],
        ]
    )
    doc = clean_text(damaged, rules=rules)
    assert doc.text == "\n".join(["政府工作报告", PARAS[1], PARAS[3], PARAS[4]])
    assert replay(damaged, doc.edits) == doc.text
    assert not any("settled" in warning for warning in doc.warnings)
    assert [w["kind"] for w in doc.metadata["quality"]["warnings"]] == ["noise"]
    assert SCRAPED.exists()


@pytest.mark.parametrize(
    "text",
    [
        "《论语》开篇第一句就是学而时习之不亦说乎",
        "他在日记里抄了一句“整置夫包志模利问球怎”",
    ],
)
def test_random_block_guards(rules, text):
    unchanged(remove_anti_copy_noise, text, rules)


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (LONG + "\n" + OTHER + "\n" + LONG + "\n" + LONG, LONG + "\n" + OTHER),  # removed lines end the text
        # blank lines stay (normalise_whitespace drops them)
        (LONG + "\n" + OTHER + "\n\n" + LONG + "\n\n" + OTHER, LONG + "\n" + OTHER + "\n\n"),
        ("工作总结范文 工作总结模板 工作总结下载\n" + A, A),
        (A + "\n工作总结范文 工作总结模板 工作总结下载\n关键词：网络治理 综合治理 网络生态", A),
    ],
)
def test_line_removals_at_text_edges(rules, before, after):
    step = remove_injected_text if "范文" in before else remove_repeated_text
    assert run_checked(step, before, rules) == after
