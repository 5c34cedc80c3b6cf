"""Generic chrome detection (pipeline/stages/chrome/): what it removes, what it only flags, what it leaves."""

from __future__ import annotations

import pytest
from conftest import run

from pipeline.document import apply_edits
from pipeline.runner import clean_text
from pipeline.stages.chrome import flag_chrome, strip_chrome

BODY = (
    "本发明涉及计算机互联网领域，具体而言，涉及一种语料标注方法和装置，用于语料的多次标注。\n"
    "现有技术中已经有的关于语料标注的具体展现方案主要针对情感标注，主要包括两种方式。\n"
)


def removed(text: str, rules) -> list[str]:
    return [e.before.strip() for e in strip_chrome(text, rules=rules, metadata={})]


@pytest.mark.parametrize(
    "line",
    [
        "文档序号:17534513发布日期:2019-04-29 13:50阅读:407来源:国知局",  # key:value run of an unknown site
        "2366人阅读 评论(0) 收藏 举报",  # counts and toolbar
        "導航:首頁 > 源碼編譯 > 帖子排序演算法",  # traditional breadcrumb
        "發布時間:2023-06-26 10:25:43",  # traditional field and a timestamp
        "CSDN 2024-06-27 08:01:06 阅读 59",  # name, timestamp, reads
        "编号:20181101170526110    类型:共享资源    大小:10.49MB    格式:RAR    上传时间:2019-04-03",
    ],
)
def test_chrome_line_at_page_head_removed_with_evidence(rules, line):
    edits = strip_chrome(line + "\n" + BODY, rules=rules, metadata={})
    assert [e.before.strip() for e in edits] == [line]
    edit = edits[0]
    assert edit.rule_id == "chrome.line" and edit.stage == "boilerplate"
    assert "score" in edit.reason and "page head" in edit.reason  # the score and the evidence are in the reason


def test_body_untouched(rules, reference_text):
    assert strip_chrome(BODY, rules=rules, metadata={}) == []
    assert strip_chrome(reference_text, rules=rules, metadata={}) == []


def test_same_line_between_body_lines_only_flagged(rules):
    """Weak evidence in the middle of the body: the line is reported, never removed."""
    text = BODY + "热搜\n" + BODY
    assert removed(text, rules) == []
    flags = flag_chrome(text, rules=rules, metadata={})
    assert [f.before for f in flags] == ["热搜"]
    assert all(f.before == f.after and f.rule_id == "chrome.line-flagged" for f in flags)


OTHER_BODY = (
    "数据安全作为信息安全领域中的重要课题，正越来越受到关注，各种数据在网络上进行传输时带来的问题也极为复杂。\n"
    "应用程序接口是一个企业服务对外提供请求服务的必要途径，普通用户可以通过接口对企业服务信息进行访问和交互。\n"
)


def test_clean_reports_flags_as_suggestions(rules):
    doc = clean_text(BODY + "热搜\n" + OTHER_BODY, rules=rules)
    assert "热搜" in doc.text
    assert any(s.rule_id == "chrome.line-flagged" for s in doc.suggestions)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "《详细设计说明书.doc》由会员分享,可在线阅读,更多相关《详细设计说明书.doc(34页珍藏版)》请在咨信网上搜索。\n"
            + BODY,
            BODY,
        ),
        ("外交部发言人表示关切******\n" + BODY, "外交部发言人表示关切\n" + BODY),
        ("第6版(国际)<br/>专栏:<br/>" + BODY, "第6版(国际)\n专栏:\n" + BODY),
        (
            "图为公园层林尽染，市民漫步其中。 刘力鑫 摄图为公园秋色。\n" + BODY,
            "图为公园层林尽染，市民漫步其中。图为公园秋色。\n" + BODY,
        ),
        ("单击此处编辑母版标题样式\n" + BODY, BODY),
        ("1、精品名师归纳总结资料教学内容\n" + BODY, "1、资料教学内容\n" + BODY),
    ],
    ids=["share-header", "star-run", "html-break", "photo-credit", "ppt-master", "watermark"],
)
def test_templates_with_a_variable_part(rules, text, expected):
    assert run(strip_chrome, text, rules) == expected


def test_site_name_left_in_chrome_removed_where_glued(rules):
    page = (
        "seo靠我 2023-09-25 10:45:25\n"
        "前段时间听过了纯真ip数据库，它就是将qqwrSEO靠我y.dat集成到项目里面，做成一个查询服务来使用的。\n"
        "纯真数据库收集了包括中国电信、中国移动等 ISP 的 SEO靠我IP 地址数据，包括网吧数据，用来查询ip的大致位置。\n"
    )
    out = run(strip_chrome, page, rules)
    assert "靠我" not in out
    assert "qqwry.dat" in out and "ISP 的IP 地址数据" in out


def test_site_name_echo_lines_removed(rules):
    page = "正在阅读:彩神88-彩神88\n彩神88-彩神88\n来源:彩神882024-03-06 17:48\n彩神88\n" + BODY
    assert run(strip_chrome, page, rules) == BODY


def test_menu_of_short_lines_removed(rules):
    menu = "首页\n下载应用\n提交文章\n关于我们\n分类\n社会\n娱乐\n国际\n"
    assert run(strip_chrome, menu + BODY, rules) == BODY


def test_table_of_contents_kept(rules):
    toc = "目录\n第一章 总则\n第二章 数据安全\n第三章 个人信息\n第四章 附则\n"
    assert run(strip_chrome, toc + BODY, rules) == toc + BODY


def test_idempotent(rules):
    page = "关闭\n标签: 平台框架null工具\n1757人阅读 评论(4) 收藏 举报\n分类:\n" + BODY
    once = run(strip_chrome, page, rules)
    assert once == BODY
    assert run(strip_chrome, once, rules) == once


def test_generic_chrome_has_no_effect_without_its_data(rules):
    bare = type(rules)(
        rules.rules, rules.sites, {k: v for k, v in rules.settings.items() if not k.startswith("chrome")}
    )
    page = "2366人阅读 评论(0) 收藏 举报\n" + BODY
    assert strip_chrome(page, rules=bare, metadata={}) == []
    assert apply_edits(page, strip_chrome(page, rules=rules, metadata={})) == BODY


def test_title_after_a_breadcrumb_kept(rules):
    """A breadcrumb ends with the page's title: what it leaves over is a title, not a site name."""
    page = "導航:首頁 > 源碼編譯 > 帖子排序演算法\n帖子排序演算法\n發布時間:2023-06-26 10:25:43\n" + BODY
    assert run(strip_chrome, page, rules) == "帖子排序演算法\n" + BODY


def test_site_name_only_where_glued_into_body_lines_twice(rules):
    """A Latin-and-Han word left in a removed line is a site name only if the body holds it twice."""
    page = "UNIX系统编程 下载 pdf 百度网盘 epub 免费 电子书 mobi 在线\nUNIX系统编程精美图片\n" + BODY
    out = run(strip_chrome, page, rules)
    assert out == "UNIX系统编程精美图片\n" + BODY


def test_field_name_opening_a_sentence_kept(rules):
    """'分类：' opening a sentence at the top of a page is body: the line ends a sentence."""
    page = "分类：按照数据的重要程度实行分级保护。\n" + BODY
    assert strip_chrome(page, rules=rules, metadata={}) == []


@pytest.mark.parametrize(
    "tail",
    [
        "Copyright © 2008-2024 wenku.example.com All Rights Reserved 京ICP备12345678号-2",
        "全文共3856字，未完，继续阅读",
        "版权所有 © 某某文库 | 关于我们 | 联系我们 | 免责声明",
    ],
)
def test_copyright_footer_and_paywall_notice_at_page_tail_removed(rules, tail):
    edits = strip_chrome(BODY + tail + "\n", rules=rules, metadata={})
    assert [e.before.strip() for e in edits] == [tail]
    assert "page tail" in edits[0].reason


def test_share_header_of_an_unknown_site_names_the_title(rules):
    header = "《测试文档.docx》由会员分享,可在线阅读,更多相关《测试文档.docx(5页珍藏版)》请在某某文库网上搜索。\n"
    doc = clean_text(header + BODY, rules=rules)
    assert doc.title == "测试文档" and doc.metadata["title_source"] == "chrome.share-header"
    assert doc.text.split("\n")[0] == "测试文档" and "某某文库网" not in doc.text
    metadata = {"title": "站点规则给的标题"}
    strip_chrome(header + BODY, rules=rules, metadata=metadata)
    assert metadata["title"] == "站点规则给的标题"  # a title named before is kept


@pytest.mark.parametrize(
    ("header", "site"),
    [
        # traditional script, as a real page printed it (rishikeshbazar.com): 上傳分享, 免費, 內容 (U+5167)
        ("《學生骨幹學習心得》由會員上傳分享,免費在線閱讀,更多相關內容在工程資料-天天文庫。\n", "天天文庫"),
        ("《測試文檔.docx》由會員分享,可在線閱讀,更多相關《測試文檔.docx》請在某某文庫網上搜尋。\n", "某某文庫網"),
        # the whole site name goes, up to the full stop (it once stopped after one character), dots and all
        ("《测试文档》由会员上传分享,免费在线阅读,更多相关内容在www.example-wenku.com。\n", "example-wenku"),
    ],
)
def test_share_header_in_either_script_is_removed_with_the_whole_site_name(rules, header, site):
    doc = clean_text(header + BODY, rules=rules)
    assert doc.text.strip().endswith(BODY.strip()) and site not in doc.text
    assert any(e.rule_id == "chrome.share-header" for e in doc.edits)


def test_a_collection_intro_of_a_fanwen_site_is_removed_at_the_head_and_kept_between_body_lines(rules):
    intro = "导语：这里是某某之家根据多年的文秘经验，为你推荐的十篇科技论文范文，还可以咨询客服老师，欢迎参考。\n"
    doc = clean_text(intro + BODY, rules=rules)
    assert doc.text.strip() == BODY.strip()
    assert any(e.rule_id.startswith("chrome.") and "collection-intro" in e.reason for e in doc.edits)
    # the same words inside the body, between two body paragraphs, are the body's: at most flagged
    lesson = "课后，老师为大家整理了三篇范文，请同学们对照参考，写出自己的读后感。\n"
    body_lines = BODY.splitlines(keepends=True)
    doc = clean_text(body_lines[0] + lesson + body_lines[1] + body_lines[0], rules=rules)
    assert lesson.strip() in doc.text


NOTICE = (
    "【下载声明】\n"
    "1. 本站全部试卷类文档，若标题未写含答案，则无答案。请谨慎下单，一旦售出，不予退换。\n"
    "2. 本页资料《年度工作计划.docx》由用户（某某）主动上传，其收益全归该用户。某某文库仅提供信息存储空间，不做任何修改。\n"
    "3. 本站不保证下载资源的准确性、安全性和完整性，请根据预览情况自愿下载。\n"
)


def test_download_notice_of_an_unknown_site_is_removed_though_it_reads_as_sentences(rules):
    doc = clean_text(NOTICE + BODY, rules=rules)
    assert doc.text.strip() == BODY.strip()
    notice_edits = [e for e in doc.edits if e.rule_id == "chrome.line" and "site-notice" in e.reason]
    assert len(notice_edits) == 4


@pytest.mark.parametrize(
    "line",
    [
        "列车到达本站后，本站所有工作人员要做好旅客引导，确保安全有序。",  # 本站 as a railway station
        "云盘为每位用户提供信息存储空间，用户可以随时上传和下载自己的文件。",  # storage in a body text
        "商品一经售出，如无质量问题，原则上不予退换，请消费者理解。",  # a shop's terms in a body text
    ],
)
def test_body_sentences_near_the_notice_words_stay(rules, line):
    doc = clean_text(BODY + line + "\n" + BODY.split("\n")[0] + "\n", rules=rules)
    assert line in doc.text


def test_seo_keyword_tail_with_the_sites_disclaimer_is_cut_from_the_title_line(rules):
    """A paper mirror's keyword list and disclaimer glued after the title go; the title stays."""
    title = "顾客体验的结构、传导机制及其收入的调节效应"
    tail = ",本文主要内容关键词为:效应论文,顾客论文,机制论文,此文献不代表本站观点,内容供学术参考,文章仅供参考阅读下载。"
    doc = clean_text(title + tail + "\n" + BODY, rules=rules)
    assert title in doc.text and "关键词为" not in doc.text and "本站观点" not in doc.text
    assert BODY.splitlines()[0] in doc.text
    assert any(e.rule_id == "chrome.keyword-disclaimer" for e in doc.edits)
    # a paper's own keyword sentence, without a site's disclaimer, is body
    own = "本文关键词为：语料标注，情感分析，数据集，这些词概括了研究的主要内容。\n"
    assert own.strip() in clean_text(BODY + own + BODY, rules=rules).text


def test_cnki_body_mark_is_removed_at_a_line_start_only(rules):
    line = "<正>随着电视剧的热播，低龄留学再次引起社会热议，这其实已经是一个老话题了，值得认真讨论。\n"
    doc = clean_text(line + BODY, rules=rules)
    assert "<正>" not in doc.text and "随着电视剧的热播" in doc.text
    inside = "古籍整理时常用符号<正>标出正文的开头，这一做法沿用至今，各家出版社大多如此。\n"
    assert "<正>" in clean_text(BODY + inside + BODY, rules=rules).text


@pytest.mark.parametrize(
    "label", ["论文部分内容阅读", "文章摘要", "问题描述", "展开全部", "論文部分內容閱讀", "展开", "收起"]
)
def test_section_label_at_the_page_head_removed(rules, label):
    assert removed("最近更新:2023-10-30\n" + label + "\n" + BODY, rules) == ["最近更新:2023-10-30", label]


def test_section_label_between_body_lines_only_flagged_and_the_words_in_prose_kept(rules):
    first, second = BODY.splitlines()
    text = first + "\n问题描述\n" + second + "\n" + first + "\n"
    assert "问题描述" not in removed(text, rules)
    prose = "在问题描述部分，作者给出了推荐答案的评价标准，并展开全部实验进行了对比分析。\n"
    assert prose.strip() in clean_text(prose + BODY, rules=rules).text


def test_reading_toolbar_at_the_page_head_removed_and_its_words_in_prose_kept(rules):
    head = "2022年09月21日 10:16 来源:某某公众号\n大字体\n小字体\n分享到:\n"
    doc = clean_text(head + BODY, rules=rules)
    assert "大字体" not in doc.text and "小字体" not in doc.text and doc.text.strip() == BODY.strip()
    prose = "这本书用大字体印刷，方便老人阅读，小字体的版本则更便于携带。\n"
    assert prose.strip() in clean_text(prose + BODY, rules=rules).text


def test_author_popularity_line_at_the_head_removed_and_popularity_in_prose_kept(rules):
    assert removed("失足成万古风流人物 人气:0\n" + BODY, rules) == ["失足成万古风流人物 人气:0"]
    prose = "这部电视剧的人气很高，播出以后引起了观众的广泛讨论。\n"
    assert prose.strip() in clean_text(prose + BODY, rules=rules).text


def test_bulleted_menu_items_with_bars_at_the_head_removed(rules):
    menu = "".join(f"      • {item} |\n" for item in ("畢業論文", "個人簡歷", "入黨申請書", "求職信"))
    menu += "".join(f"  • {item}>\n" for item in ("临时分类", "IT计算机"))
    doc = clean_text(menu + BODY, rules=rules)
    assert doc.text.strip() == BODY.strip()
    assert any("menu-item" in e.reason for e in doc.edits)


def test_reprint_notice_naming_the_sites_address_is_cut_and_the_title_beside_it_kept(rules):
    line = "本論文在其他論文欄目,由論文格式網整理,轉載請注明來源www.example.cn,更多論文,請點論文格式范文查看  題庫設計與實現\n"
    doc = clean_text(line + BODY, rules=rules)
    assert "題庫設計與實現" in doc.text
    assert not any(word in doc.text for word in ("整理", "轉載", "example", "查看"))
    # a reprint request without the site's address is the author's own sentence
    own = "本文为作者原创，转载请注明出处并保留作者署名，这是对作者劳动的基本尊重。\n"
    assert own.strip() in clean_text(BODY + own + BODY, rules=rules).text


def test_comment_section_label_at_the_tail_removed(rules):
    tail = "评论区\n搬砖小能手: 老师要是都这么讲就好了 👍🏽336 💭北京 🕐2025-04-25 23:19:03\n"
    doc = clean_text(BODY + tail, rules=rules)
    assert doc.text.strip() == BODY.strip()
    reasons = " ".join(e.reason for e in doc.edits)
    assert "template section-label" in reasons
    prose = "进入评论区以后，他给这条视频点了👍，又在2025-04-25写下了自己的看法，表示非常认同。\n"
    assert prose.strip() in clean_text(BODY + prose + BODY, rules=rules).text


def test_news_video_credits_are_cut_from_the_transcripts_end_and_from_lines_of_their_own(rules):
    transcript = "这个春天的故事 新华人正在书写 记者:张扬、马原驰、赵世通 新华社张扬工作室制作 新华社音视频部出品 |\n"
    doc = clean_text(BODY + transcript, rules=rules)
    assert "新华人正在书写" in doc.text
    assert not any(word in doc.text for word in ("马原驰", "工作室制作", "音视频部出品"))
    lines = "监制:张平锋\n统筹:李杰\n新華社音視頻部製作\n"
    doc = clean_text(BODY + lines, rules=rules)
    assert doc.text.strip() == BODY.strip()
    # an interview's questions start with 记者: and stay
    interview = "记者：这项研究的难点在哪里，团队又是怎样克服的？\n"
    assert interview.strip() in clean_text(BODY + interview + BODY, rules=rules).text
    # a sentence naming who made a film is body
    prose = "这部纪录片由新华社音视频部制作\n"
    assert prose.strip() in clean_text(BODY + prose + BODY, rules=rules).text
