"""Real saved HTML pages nobody here wrote (tests/fixtures/real_html/README.md), cleaned end to end:
ingest (HTML → lines) and every cleaning stage; what must go, what must stay."""

from __future__ import annotations

from pathlib import Path

from conftest import assert_gone

from pipeline.ingest import read_document
from pipeline.runner import NO_BODY, clean_file

REAL_HTML = Path(__file__).parent / "fixtures" / "real_html"
GOVCN = REAL_HTML / "govcn_5628785.html"
DOC88_HOME = REAL_HTML / "doc88_home.html"


def test_govcn_article_ingest_keeps_title_and_drops_head(rules):
    ingested = read_document(GOVCN)
    assert ingested.format == "html" and ingested.encoding == "utf-8"
    assert ingested.metadata["html_title"] == "王勇在河北检查指导防汛减灾工作_国务委员王勇_中国政府网"
    assert "manuscriptPage_N" not in ingested.text and "allmobilize" not in ingested.text
    assert "shareStyle" not in ingested.text and "date_picker" not in ingested.text
    # the <br>s of the centred headline give three lines
    assert (
        "王勇在河北检查指导防汛减灾工作时强调\n进一步抓细抓实防汛责任措施\n切实提高暴雨洪水防御应急能力"
        in ingested.text
    )


def test_govcn_article_chrome_dropped_body_kept(rules):
    doc = clean_file(GOVCN, rules=rules)
    assert doc.metadata["site"] == "govcn"
    # the page <title> (…_国务委员王勇_中国政府网) names the first paragraph as the document's title
    assert doc.title == "王勇在河北检查指导防汛减灾工作" and doc.metadata["title_source"] == "html_title"
    assert_gone(
        doc.text,
        "分享到",
        "QQ空间",
        "豆瓣网",
        "首页 > 国务院",
        "来源： 新华社",
        "字体",
        "打印",
        "我要纠错",
        "责任编辑",
        "扫一扫在手机打开当前页",
        "相关稿件",
        "王勇指挥部署河南防汛抢险救灾工作",  # a related-article link
        "回到顶部",
    )
    assert doc.paragraphs[0] == "王勇在河北检查指导防汛减灾工作"
    assert doc.paragraphs[1:4] == [
        "王勇在河北检查指导防汛减灾工作时强调",
        "进一步抓细抓实防汛责任措施",
        "切实提高暴雨洪水防御应急能力",
    ]
    # the news dateline at the start of the body goes (chrome.dateline), the sentence it led stays
    assert doc.paragraphs[4].startswith("国务委员、国家防总总指挥王勇31日在河北检查指导防汛减灾工作。")
    assert "新华社石家庄7月31日电" not in doc.text
    assert [e.before.strip() for e in doc.edits if e.rule_id == "chrome.dateline"] == ["新华社石家庄7月31日电"]
    assert doc.paragraphs[4].endswith("确保人民群众生命财产安全。")
    assert doc.paragraphs[5].startswith("王勇在河北张家口详细检查冬奥会、冬残奥会场馆及配套设施防汛应急工作")
    assert doc.paragraphs[-1].endswith("坚决守住不发生重大人员伤亡底线，最大限度减少洪涝灾害损失。")
    assert len(doc.paragraphs) == 7
    # the hidden WeChat-share summary repeats the second paragraph; it must not come back after the body
    assert sum("王勇在河北张家口详细检查" in p for p in doc.paragraphs) == 1


def test_doc88_home_menu_dropped_by_ingest(rules):
    ingested = read_document(DOC88_HOME)
    assert ingested.metadata["html_title"] == "道客巴巴-在线文档分享平台"
    lines = ingested.text.split("\n")
    for menu_item in ("首页", "文档", "行业资料", "学术论文", "网络文学", "任务", "文辑"):
        assert menu_item not in lines, menu_item  # <div class="mainnav"><ul class="nav"> …
    assert "道客巴巴认证上线了！" in lines and "加载更多..." in lines  # page text outside the menu stays for the rules


def test_doc88_home_page_has_no_document_body(rules):
    doc = clean_file(DOC88_HOME, rules=rules)
    assert doc.metadata["site"] == "doc88"
    assert doc.metadata["status"] == NO_BODY
    assert doc.text == ""
