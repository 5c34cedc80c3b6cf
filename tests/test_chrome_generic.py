"""Generic evidence of the chrome stage that names no site: runs of lines between chrome lines, key: number
fields of any key, head/tail lines unlike the body, rows of short words, URLs, and the templates with a
variable part (call to action, byline, reading time, a line that is only a site's name, generated intros).
Each case has its counterpart that must stay: precision first."""

from __future__ import annotations

import copy

import pytest

from pipeline.rules import load_rules
from pipeline.stages.chrome import flag_chrome, strip_chrome

BODY = (
    "本发明涉及计算机互联网领域，具体而言，涉及一种语料标注方法和装置，用于语料的多次标注。\n"
    "现有技术中已经有的关于语料标注的具体展现方案主要针对情感标注，主要包括两种方式。\n"
)
STRONG_1 = "发布时间:2021-11-24 10:27:05 来源:互联网"
STRONG_2 = "2366人阅读 评论(0) 收藏 举报"


def removed(text: str, rules) -> list[str]:
    return [e.before.strip() for e in strip_chrome(text, rules=rules, metadata={})]


def flagged(text: str, rules) -> list[str]:
    return [f.before.strip() for f in flag_chrome(text, rules=rules, metadata={})]


def test_run_of_lines_between_chrome_lines_removed(rules):
    """Unknown short lines (a poster's rank, a counter) between two chrome lines go with them."""
    page = f"{STRONG_1}\n管理员\n- 12632\n{STRONG_2}\n" + BODY
    assert removed(page, rules) == [STRONG_1, "管理员", "- 12632", STRONG_2]
    [edit] = [e for e in strip_chrome(page, rules=rules, metadata={}) if e.before.strip() == "管理员"]
    assert "between chrome lines" in edit.reason


def test_without_the_run_rule_the_lines_stay(rules):
    """The same page with the rule's points at zero (and the content-block classifier, which takes such
    lines too, off): the two unknown lines are not removed (so the test above measures the rule, not some
    other evidence)."""
    off = copy.copy(rules)
    off.settings = copy.deepcopy(rules.settings)
    off.settings["chrome"]["between_points"] = 0.0
    off.settings["chrome_blocks"]["enabled"] = False
    off.settings["chrome_model"] = {"enabled": False}  # the learned model's own run rule (test_chrome_model.py)
    page = f"{STRONG_1}\n管理员\n- 12632\n{STRONG_2}\n" + BODY
    assert removed(page, off) == [STRONG_1, STRONG_2]


@pytest.mark.parametrize(
    "middle",
    [
        "语料标注方法和装置",  # the page's title, repeated in the body's heading below: a title is kept
        "本文讨论两种方式。",  # a sentence
        "一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十一",  # longer than between_max_chars
    ],
)
def test_line_between_chrome_lines_that_reads_as_more_stays(rules, middle):
    page = f"{STRONG_1}\n{middle}\n{STRONG_2}\n语料标注方法和装置\n" + BODY
    assert middle not in removed(page, rules)


def test_a_run_longer_than_the_limit_stays(rules):
    lines = [f"第{n}项" for n in "一二三四五六"]  # six unknown lines: more than between_max_lines
    page = STRONG_1 + "\n" + "\n".join(lines) + "\n" + STRONG_2 + "\n" + BODY
    assert removed(page, rules) == [STRONG_1, STRONG_2]


def test_key_number_of_any_key_is_evidence(rules):
    """'签到天数: 382 天' names no known field, yet a key, a colon and a number read as page metadata."""
    page = "签到天数: 382 天\n" + BODY
    flags = flag_chrome(page, rules=rules, metadata={}) + strip_chrome(page, rules=rules, metadata={})
    assert any("key: number" in f.reason for f in flags)
    assert removed("答案: 3 个\n" + BODY + BODY, rules) == []  # alone it removes nothing


def test_unlike_the_body_adds_to_other_evidence_only(rules):
    """Sharing no character pair with the body adds to other chrome evidence (flagged here, not removed);
    alone, as a heading with words of its own, it is nothing."""
    page = "鸟哥笔记小乔 APP\n" + BODY
    assert removed(page, rules) == []
    [flag] = [f for f in flag_chrome(page, rules=rules, metadata={}) if f.before == "鸟哥笔记小乔 APP"]
    assert "unlike the body" in flag.reason
    assert flag_chrome("一、墨香鸟哥笔记翻译\n" + BODY, rules=rules, metadata={}) == []


def test_sentence_unlike_the_body_kept(rules):
    page = "分类：按照数据的重要程度实行分级保护。\n" + BODY
    assert removed(page, rules) == []


def test_row_of_short_words_and_url_lines(rules):
    assert removed("公司简介 公司的服务 新闻动态 联系我们 在线留言\n" + BODY, rules) == [
        "公司简介 公司的服务 新闻动态 联系我们 在线留言"
    ]
    assert removed("更多资源 www.example.com 欢迎访问\n" + BODY, rules) == ["更多资源 www.example.com 欢迎访问"]


@pytest.mark.parametrize(
    ("line", "template"),
    [
        ("【点击图片进入下一页或下一篇】", "call-to-action"),
        ("△点击收听本刊制作的音频", "call-to-action"),
        ("腾讯云开发TCB发表于2020-06-07", "byline"),
        ("共 9926字,需浏览 20分钟", "reading-time"),
        ("益智教育网", "site-line"),
    ],
)
def test_templates_at_the_page_head(rules, line, template):
    edits = strip_chrome(line + "\n" + BODY, rules=rules, metadata={})
    assert [e.before.strip() for e in edits] == [line]
    assert f"template {template}" in edits[0].reason


def test_generated_intro_under_the_title_removed(rules):
    intro = "本文介绍了检测签名之间对已签名PDF所做的更改的处理方法,对大家解决问题具有一定的参考价值"
    page = "检测签名之间对已签名PDF所做的更改\n" + intro + "\n" + BODY
    assert removed(page, rules) == [intro]


@pytest.mark.parametrize(
    "page",
    [
        # a heading that is a word the body uses is no site name
        "互联网\n" + BODY,
        # a tutorial step telling the reader to click, as a sentence in the body
        BODY + "点击文件菜单，选择另存为。\n" + BODY,
        # a date after 发表于 inside a sentence of the body
        BODY + "该论文发表于2019-05年的期刊上，引起了广泛的关注和讨论，此后被多次引用。\n" + BODY,
    ],
)
def test_template_lookalikes_in_the_body_kept(rules, page):
    assert removed(page, rules) == []


def test_data_only_in_rules_file():
    """The new evidence reads its points and words from rules/common/chrome.toml."""
    settings = load_rules().settings
    assert {"between_points", "key_value_points", "unlike_points", "menu_row_points", "url_points"} <= set(
        settings["chrome"]
    )
    assert "每日心情" in settings["chrome_words"]["forum"]["words"]
    assert {"call-to-action", "byline", "reading-time", "site-line"} <= set(settings["chrome_templates"])


@pytest.mark.parametrize(
    ("first", "left"),
    [
        ("语料标注方法和装置-某某网站建设", "语料标注方法和装置"),  # <title>-<site>
        ("云端书斋 -语料标注方法和装置", "语料标注方法和装置"),  # <site> -<title>
        ("语料标注方法和装置_某某资讯中心", "语料标注方法和装置"),
    ],
)
def test_site_name_beside_the_title_on_the_first_line_removed(rules, first, left):
    page = f"{first}\n语料标注方法和装置\n" + BODY
    edits = strip_chrome(page, rules=rules, metadata={})
    assert [e.rule_id for e in edits] == ["chrome.title-site"]
    out = page[: edits[0].start] + page[edits[0].end :]
    assert out.splitlines()[0] == left
    assert "recurs below" in edits[0].reason


@pytest.mark.parametrize(
    "page",
    [
        # the suffix is a word of the document (it recurs): part of the title
        "语料标注方法和装置-情感标注\n语料标注方法和装置\n" + BODY + "情感标注是其中一种。\n",
        # the title does not recur below: nothing shows the first line is a browser title
        "情感分析综述-某某网站建设\n" + BODY,
        # a year range is no separator
        "2020-2021学年第一学期期末考试\n2020\n" + BODY,
    ],
)
def test_first_line_that_is_no_browser_title_kept(rules, page):
    assert [e for e in strip_chrome(page, rules=rules, metadata={}) if e.rule_id == "chrome.title-site"] == []


def test_breadcrumb_with_spaced_hyphens(rules):
    """' - ' between short segments is a breadcrumb's separator; a hyphen inside a word is not."""
    crumb = "法律咨询服务网 - 法律咨询 - 论令的含义"
    assert any("separated segments" in f.reason for f in flag_chrome(crumb + "\n" + BODY, rules=rules))
    assert not any("separated" in f.reason for f in flag_chrome("ISO-9001-2015质量体系认证\n" + BODY, rules=rules))
