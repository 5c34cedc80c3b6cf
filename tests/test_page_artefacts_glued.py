"""Page artefacts without a line of their own: chunk markers and page footers glued inside a line, and a
running header cut to the page width at different lengths on different pages (a generated PDF)."""

from __future__ import annotations

from conftest import SCRAPED, run
from fixtures_build import build_pdf

from pipeline.runner import clean_file
from pipeline.stages.page_artefacts import merge_truncated, remove_page_artefacts

CHUNKS = [
    "“得网络者得天",
    "下”，这句话在互联网时代已经成为共识，各国都在加紧布局网络空间的治理体系建设，力图抢占先",
    "机，形成自己的优势，我们必须",
    "清醒认识到这一点并采取有力措施，切实加强网络安全和信息化工作的统筹协调，推动网络强国建设不断取得新成",
    "效，为实现中华民族伟大复兴作出新的贡献。",
]
JOINED = "".join(CHUNKS) + "\n"


def test_chunk_marker_glued_inside_a_line_removed(rules):
    text = CHUNKS[0] + "\n2、" + CHUNKS[1] + "\n3、" + CHUNKS[2] + "4、" + CHUNKS[3] + "\n5、" + CHUNKS[4] + "\n"
    edits = remove_page_artefacts(text, rules=rules, metadata={})
    assert run(remove_page_artefacts, text, rules) == JOINED
    [glued] = [e for e in edits if e.rule_id == "page.chunk-marker-glued"]
    assert glued.before == "4、" and "between markers 3、 and 5、" in glued.reason


def test_chunk_markers_past_9999_removed_as_the_first_ones(rules):
    # a whole book cut into chunks numbers them past four digits; the chain goes on, glued marker included
    text = (
        CHUNKS[0]
        + "\n9998、"
        + CHUNKS[1]
        + "\n9999、"
        + CHUNKS[2]
        + "10000、"
        + CHUNKS[3]
        + "\n10001、"
        + CHUNKS[4]
        + "\n"
    )
    edits = remove_page_artefacts(text, rules=rules, metadata={})
    assert run(remove_page_artefacts, text, rules) == JOINED
    assert sorted(e.before.strip() for e in edits) == ["10000、", "10001、", "9998、", "9999、"]


def test_glued_marker_needs_the_chain_it_is_missing_from(rules):
    # the same glued '4、' with no chain of line-start markers around it: not a chunk marker
    text = "".join(CHUNKS[:3]) + "4、" + "".join(CHUNKS[3:]) + "\n"
    assert run(remove_page_artefacts, text, rules) == text


def test_real_numbered_list_stays(rules):
    text = (
        "会议提出了三点要求，一是加强统筹，二是压实责任，三是强化保障，各地要认真落实并及时报告进展情况。\n"
        "1、加强组织领导，各级党委政府要把这项工作摆上重要议程，主要负责同志亲自抓。\n"
        "2、完善工作机制，建立健全部门协同机制，形成工作合力，其中第3、4两项由办公室负责。\n"
        "3、强化督促检查，对工作不力的单位进行通报，确保取得实效，做到件件有着落。\n"
    )
    assert run(remove_page_artefacts, text, rules) == text


def test_list_with_a_glued_number_between_its_items_stays(rules):
    # a real list (each item a sentence): a glued '3、' between Han characters is not a marker
    text = (
        "1、加强组织领导，各级党委政府要把这项工作摆上重要议程，主要负责同志亲自抓好落实。\n"
        "2、完善工作机制，建立健全部门协同机制，确保各项任务落到实处，见附件3、附表和说明。\n"
        "4、强化督促检查，对工作不力的单位进行通报，确保取得实效，做到件件有着落。\n"
    )
    assert run(remove_page_artefacts, text, rules) == text


FIRST = "各国都在加紧布局网络空间的治理体系建设，力图抢占先机，形成自己的优势。\n"
GLUED = "我们必须清醒认识第 3 页 共 12 页到这一点并采取有力措施，切实加强网络安全和信息化工作的统筹协调。\n"


def test_page_footer_glued_mid_sentence_removed(rules):
    text = FIRST + "第 2 页 共 12 页\n" + GLUED  # the page before has its footer on a line of its own
    edits = remove_page_artefacts(text, rules=rules, metadata={})
    assert run(remove_page_artefacts, text, rules) == FIRST + GLUED.replace("第 3 页 共 12 页", "")
    glued = [e for e in edits if e.rule_id == "page.number-glued"]
    assert [e.before for e in glued] == ["第 3 页 共 12 页"] and "page 3 of 12" in glued[0].reason


def test_page_footer_lookalikes_in_a_sentence_stay(rules):
    text = (
        FIRST
        + GLUED  # one page reference, no other footer giving 12 pages: too weak
        + "这本书第5页共3页的内容都是错的，读者可以对照原书核实，第 15 页共 3 页纸需要重印。\n"  # N > M
        + "推动网络强国建设不断取得新成效，为实现中华民族伟大- 4 -复兴作出新的贡献，这是使命。\n"  # a bare number
    )
    assert run(remove_page_artefacts, text, rules) == text


TITLE = "全国网络安全和信息化工作会议精神学习材料汇编（内部资料）"


def test_running_header_cut_to_the_page_width_removed_from_pdf(rules, tmp_path):
    lines = SCRAPED.read_text(encoding="utf-8").splitlines()
    headers = [TITLE, TITLE[:19], TITLE[:23], TITLE[:15]]
    doc = clean_file(build_pdf(tmp_path / "cut.pdf", lines, header=headers), rules=rules)
    assert doc.metadata["pdf_pages"] >= 3
    assert TITLE[:12] not in doc.text  # no length of the header is left
    cut = [e for e in doc.edits if "page.running-line-cut" in e.rule_id or "page.running-line-cut" in e.reason]
    assert len(cut) >= 3 and "cut to the page width" in next(
        e.reason for e in cut if e.rule_id == "page.running-line-cut"
    )
    # the same pages with the whole header on each give the same text
    whole = clean_file(build_pdf(tmp_path / "whole.pdf", lines, header=TITLE), rules=rules)
    assert doc.text == whole.text


def test_merge_truncated_keeps_unrelated_and_short_lines_apart():
    groups = {"第一章总则": [0], "第一章": [4], "网络安全工作要点汇编": [8], "网络安全工作要点": [12], "附件说明": [16]}
    merged, cut = merge_truncated(groups, 8)
    assert merged == {"第一章总则": [0], "第一章": [4], "网络安全工作要点汇编": [8, 12], "附件说明": [16]}
    assert cut == {"网络安全工作要点汇编": {8, 10}}


def test_merge_truncated_joins_prefixes_of_the_title():
    merged, cut = merge_truncated(
        {"网络安全工作要点": [3], "网络安全工作要点汇": [9]}, 8, "网络安全工作要点汇编（2024）"
    )
    assert merged == {"网络安全工作要点汇编（2024）": [3, 9]} and cut["网络安全工作要点汇编（2024）"] == {8, 9}
