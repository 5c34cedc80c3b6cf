"""News chrome and page footers of the generic chrome stage: datelines at the start of the body, photo
credits and image-source notes, a copyright / ICP footer glued after the last sentence; and the body
sentences that look like them and must stay."""

from __future__ import annotations

import pytest

from pipeline.document import apply_edits
from pipeline.ingest import read_document
from pipeline.runner import clean_file
from pipeline.stages.chrome import flag_chrome, strip_chrome

B1 = "国务院关于进一步优化营商环境的意见已经印发，各地区各部门要认真贯彻落实，切实抓好各项工作。\n"
B2 = "各地要结合实际制定具体措施，推动政策落地见效，持续激发市场主体活力和社会创造力。\n"
B3 = "会议强调，要坚持稳中求进工作总基调，完整准确全面贯彻新发展理念，加快构建新发展格局。\n"


def strip(text: str, rules) -> tuple[str, list]:
    edits = strip_chrome(text, rules=rules, metadata={})
    return apply_edits(text, edits), edits


@pytest.mark.parametrize(
    "dateline",
    [
        "新华社北京3月5日电（记者 张三 李四）",
        "新华社北京3月5日电（记者 张三、李四）",
        "中新网3月5日电 ",
        "本报讯（记者 王五）",
        "人民网北京十月一日电（记者 赵六）",
        "北京3月5日电（记者 张三）",  # no agency: the reporter's parenthesis is the evidence
        "新華社北京3月5日電（記者 張三）",  # traditional
    ],
)
def test_dateline_at_body_start_removed(rules, dateline):
    text = "优化营商环境\n" + dateline + B1 + B2
    out, edits = strip(text, rules)
    assert out == "优化营商环境\n" + B1 + B2
    [edit] = [e for e in edits if e.rule_id == "chrome.dateline"]
    assert edit.before == dateline and "start of the body" in edit.reason


def test_dateline_on_its_own_line_before_the_body_removed_with_its_line(rules):
    out, edits = strip("标题\n本报讯（记者 王五）\n" + B1 + B2, rules)
    assert out == "标题\n" + B1 + B2
    assert [e.rule_id for e in edits] == ["chrome.dateline"]


def test_dateline_later_in_the_text_only_flagged(rules):
    later = "新华社北京3月6日电（记者 张三）另一条消息说，今天的会议开得很成功，大家都很满意。\n"
    text = B1 + B2 + later + B3
    assert strip(text, rules)[0] == text
    flags = [f for f in flag_chrome(text, rules=rules) if f.rule_id == "chrome.dateline-flagged"]
    assert [f.before for f in flags] == ["新华社北京3月6日电（记者 张三）"]
    assert all(f.before == f.after for f in flags)  # a suggestion, not a change


@pytest.mark.parametrize(
    "text",
    [
        B1 + "他说：“新华社北京3月5日电（记者 张三）这样的电头是新闻的标志。”大家都笑了，这也是常识。\n" + B2,
        "本报电话：010-12345678，欢迎读者来电反映情况，我们将认真核实并及时回复。\n" + B2,  # 本报 + 电 but no dateline
        "他3月5日电告有关部门，要求立即采取措施，确保群众生命财产安全，不得有任何懈怠。\n" + B2,
    ],
)
def test_dateline_lookalikes_in_the_body_stay(rules, text):
    out, edits = strip(text, rules)
    assert out == text and not [e for e in edits if e.rule_id == "chrome.dateline"]


@pytest.mark.parametrize(
    ("text", "gone", "rule_id"),
    [
        (B1 + "（图片来源：视觉中国）\n" + B2, "（图片来源：视觉中国）", "chrome.image-source"),
        (B1 + "图源：网络\n" + B2, "图源：网络", "chrome.image-source"),
        (B1.rstrip("\n") + "（摄影：王五）\n" + B2, "（摄影：王五）", "chrome.image-source"),
        (B1 + "图为参会代表在会场交流。新华社记者 王五 摄\n" + B2, "新华社记者 王五 摄", "chrome.photo-credit"),
        (B1 + "新华社记者 王五 摄\n" + B2, "新华社记者 王五 摄", "chrome.photo-credit"),
    ],
)
def test_photo_credits_and_image_sources_removed(rules, text, gone, rule_id):
    out, edits = strip(text, rules)
    assert gone not in out
    assert "图为参会代表在会场交流。" in out or "图为" not in text  # the caption itself stays
    assert out.replace("\n", "") == text.replace(gone, "").replace("\n", "")
    assert rule_id in {e.rule_id for e in edits}


@pytest.mark.parametrize(
    "text",
    [
        B1.replace("落实，", "落实（图片来源：新华社），") + B2,  # inside a sentence: kept (as the govcn rules do)
        B1 + "具体数据见下表（图：各地区增长率），其中东部地区增长最快，西部地区紧随其后。\n" + B2,
        B1 + "摄影爱好者在公园里拍摄秋天的景色，吸引了许多游客驻足观看，场面十分热闹。\n" + B2,
    ],
)
def test_credit_lookalikes_in_the_body_stay(rules, text):
    assert strip(text, rules)[0] == text


FOOTER = "关于我们 | 版权所有 © 2005-2024 某某网 京ICP备12345678号"


def test_copyright_footer_glued_after_the_last_sentence_removed(rules):
    out, edits = strip(B1 + B2.rstrip("\n") + FOOTER + "\n", rules)
    assert out == B1 + B2
    [edit] = edits
    assert edit.rule_id == "chrome.copyright-tail" and edit.before == FOOTER


@pytest.mark.parametrize(
    "text",
    [
        B1 + "版权所有人有权禁止他人复制其作品，这是著作权法的基本规定，各方应当尊重。\n" + B2,
        B1 + "本站的备案号为京ICP备12345678号，如有疑问请与管理员联系，我们会尽快处理。\n" + B2,
        B1 + "本书© 2020 作者所有，未经许可不得转载，违者必究，特此声明并请读者理解。\n" + B2,
    ],
)
def test_copyright_words_in_body_sentences_stay(rules, text):
    assert strip(text, rules)[0] == text


PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>关于优化营商环境的意见_某某网</title></head>
<body><h1>关于优化营商环境的意见</h1><p>{b1}</p><p>{b2}</p>
<div class="bottom"><a href="/about">关于我们</a> | <a href="/contact">联系我们</a> | <a href="/law">免责声明</a><br>
版权所有 © 2005-2024 某某网 <a href="https://beian.miit.gov.cn">京ICP备12345678号-1</a> 京公网安备11010502030001号</div>
</body></html>"""


def test_html_page_about_us_and_copyright_footer_removed(rules, tmp_path):
    path = tmp_path / "page.html"
    path.write_text(PAGE.format(b1=B1.strip(), b2=B2.strip()), encoding="utf-8")
    ingested = read_document(path).text.split("\n")
    assert "关于我们 | 联系我们 | 免责声明" in ingested  # the HTML footer reaches the stages as lines of its own
    doc = clean_file(path, rules=rules)
    assert doc.text.split("\n") == ["关于优化营商环境的意见", B1.strip(), B2.strip()]
    removed = {e.before.strip(): e for e in doc.edits if e.rule_id.startswith("chrome.")}
    assert "关于我们 | 联系我们 | 免责声明" in removed
    assert any("京ICP备12345678号-1" in before for before in removed)
    assert all("score" in e.reason for e in removed.values())
