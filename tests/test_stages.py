"""Each cleaning stage on its own: what it must change, and what it must leave alone."""

from __future__ import annotations

from conftest import run

from pipeline.stages.normalise import normalise_punctuation, normalise_unicode, normalise_whitespace
from pipeline.stages.page_artefacts import remove_page_artefacts
from pipeline.stages.paragraphs import join_broken_lines, split_paragraphs

CHUNK_A = "健全网络综合治理体系是维护意识安全和政治安全的必然要求。指出，“得网络者得天下”，要加强统筹协调、实施综合治理，形成强大工作合力，“得网络者得天"
CHUNK_B = "下”，“过不了互联网这一关，就过不了长期执政这一关”。互联网已成为意识斗争的主阵地、主战场、最前沿，能否在互联网这个战场上顶得住、打得赢，直接关系国家政治安全"
CHUNK_C = "。网络综合治理体系内涵丰富、点多面广，涉及网信工作方方面面，影响网信事业发展的全局，加快建立网络综合治理体系，紧跟互联网迅猛发展势头。"


# --- page artefacts ---------------------------------------------------------------------------


def test_chunk_markers_removed_and_split_word_rejoined(rules):
    text = f"1、{CHUNK_A}\n2、{CHUNK_B}\n3、{CHUNK_C}"
    out = run(remove_page_artefacts, text, rules)
    assert out == CHUNK_A + CHUNK_B + CHUNK_C
    assert "得天下”" in out


def test_real_numbered_list_kept(rules):
    text = "工作要求如下：\n1、提高认识。\n2、加强领导。\n3、狠抓落实。"
    assert run(remove_page_artefacts, text, rules) == text


def test_long_numbered_items_ending_sentences_kept(rules):
    items = [f"{i}、{'加强组织领导，落实工作责任，确保各项任务按时完成' * 3}。" for i in range(1, 4)]
    text = "\n".join(items)
    assert run(remove_page_artefacts, text, rules) == text


def test_page_number_lines_removed(rules):
    text = "第一页的最后一句话。\n第 3 页 共 12 页\n- 4 -\n下一页的第一句话。\nPage 5 of 12\n结尾。"
    assert run(remove_page_artefacts, text, rules) == "第一页的最后一句话。\n下一页的第一句话。\n结尾。"


def test_bare_numbers_only_as_increasing_sequence(rules):
    assert run(remove_page_artefacts, "正文。\n1\n正文。\n2\n正文。", rules) == "正文。\n正文。\n正文。"
    single = "共有\n2023\n年的数据。"
    assert run(remove_page_artefacts, single, rules) == single


def test_form_feed_mid_sentence_rejoined_with_running_header_and_footer(rules):
    pages = [
        "网信工作资料汇编\n第一页正文说到一半，网络综合治理\n第 1 页 共 3 页",
        "网信工作资料汇编\n体系建设取得成效。\n新的段落开始了。\n第 2 页 共 3 页",
        "网信工作资料汇编\n最后一页的正文。\n第 3 页 共 3 页",
    ]
    out = run(remove_page_artefacts, "\f".join(pages), rules)
    assert out == "第一页正文说到一半，网络综合治理体系建设取得成效。\n新的段落开始了。\n最后一页的正文。"


def test_repeated_running_title_without_pages(rules):
    text = "年度工作报告\n正文第一段。\n年度工作报告\n正文第二段。\n年度工作报告\n正文第三段。"
    out = run(remove_page_artefacts, text, rules)
    assert out == "年度工作报告\n正文第一段。\n正文第二段。\n正文第三段。"


# --- paragraphs -----------------------------------------------------------------------------


def test_split_at_inline_headings_and_title(rules):
    text = "在调研网信工作强调要求会议指出，必须坚持。一、深刻认识重要意义当前，互联网已成为主阵地。二、健全体系近年来，成效明显。（一）强化担当。"
    out = run(split_paragraphs, text, rules, {"title": "在调研网信工作强调要求"})
    assert out.split("\n") == [
        "在调研网信工作强调要求",
        "会议指出，必须坚持。",
        "一、深刻认识重要意义",
        "当前，互联网已成为主阵地。",
        "二、健全体系",
        "近年来，成效明显。",
        "（一）强化担当。",
    ]


def test_title_inserted_when_body_lacks_it(rules):
    out = run(split_paragraphs, "正文第一段。", rules, {"title": "某某报告"})
    assert out == "某某报告\n正文第一段。"


def test_heading_words_inside_sentences_not_split(rules):
    text = "依照本法第二十条规定执行，增长3.5倍，其中1.2万人参加。按照第三章的要求办理。"
    assert run(split_paragraphs, text, rules) == text


def test_layout_broken_lines_joined(rules):
    lines = [
        "当前，互联网已成为意识形态斗争的主阵地、文化繁荣发展",
        "的新空间、亿万民众精神生活的新家园。健全网络综合治理",
        "体系，推动形成良好网络生态，既是落实党管互联网原则的",
        "政治要求，也是营造清朗网络空间的治本之策。",
        "二、主要成效",
        "近年来，网信工作坚持把建立健全网络综合治理体系作为工",
        "程。",
    ]
    out = run(join_broken_lines, "\n".join(lines), rules)
    assert out.split("\n") == [
        "".join(lines[:4]),
        "二、主要成效",
        "近年来，网信工作坚持把建立健全网络综合治理体系作为工程。",
    ]


def test_paragraph_per_line_text_not_joined(rules):
    text = "第一段正文，说明情况。\n第二段正文，说明更多情况。\n短标题\n第三段。"
    assert run(join_broken_lines, text, rules) == text


# --- normalise ------------------------------------------------------------------------------


def test_punctuation_full_width_in_chinese_only(rules):
    text = "指出,“得网络者得天下”;党委(党组)负责。1,000元, GDP(国内生产总值) and f(x), see http://a.cn/x?a=1,2 ok!"
    out = run(normalise_punctuation, text, rules)
    assert (
        out
        == "指出，“得网络者得天下”；党委（党组）负责。1,000元， GDP（国内生产总值） and f(x), see http://a.cn/x?a=1,2 ok!"
    )


def test_english_text_untouched(rules):
    text = "Hello, world; this (really) is English: fine? yes!"
    assert run(normalise_punctuation, text, rules) == text


def test_unicode_damage(rules):
    text = "⽉亮\u200b升起，ＡＢＣ１２３，“引号”保持全角（括号）。"
    assert run(normalise_unicode, text, rules) == "月亮升起，ABC123，“引号”保持全角（括号）。"


def test_whitespace(rules):
    text = "  　当前 ，互联网　已成为 新空间。 \n\n  Latin  words  stay  apart.\n"
    assert run(normalise_whitespace, text, rules) == "当前，互联网已成为新空间。\nLatin words stay apart."


def test_parallel_lead_sentences_open_paragraphs(rules):
    text = (
        "总体部署已经明确。突出“主桌面”，实化统筹协调。按照原则推进。铸牢“清朗盾”，净化网络生态。"
        "以打击谣言为抓手。发力“全媒体”，优化舆论格局。围绕新论断宣传。"
    )
    out = run(split_paragraphs, text, rules)
    assert out.split("\n") == [
        "总体部署已经明确。",
        "突出“主桌面”，实化统筹协调。按照原则推进。",
        "铸牢“清朗盾”，净化网络生态。以打击谣言为抓手。",
        "发力“全媒体”，优化舆论格局。围绕新论断宣传。",
    ]


def test_two_similar_sentences_are_not_enough(rules):
    text = "开头一句。突出“主桌面”，实化统筹协调。中间一句。铸牢“清朗盾”，净化网络生态。结尾一句。"
    assert run(split_paragraphs, text, rules) == text


def test_parallel_topic_sentences_open_paragraphs(rules):
    text = (
        "引言。健全治理体系是维护安全的必然要求。论述一，展开说明。健全治理体系是推动发展的现实需要。"
        "论述二。健全治理体系是实现现代化的重要支撑。论述三。健全治理体系，推动形成良好生态，既是政治要求。"
    )
    out = run(split_paragraphs, text, rules)
    assert out.split("\n") == [
        "引言。",
        "健全治理体系是维护安全的必然要求。论述一，展开说明。",
        "健全治理体系是推动发展的现实需要。论述二。",
        "健全治理体系是实现现代化的重要支撑。论述三。健全治理体系，推动形成良好生态，既是政治要求。",
    ]


# --- boilerplate title --------------------------------------------------------------------------


def test_header_title_keeps_its_own_book_title_marks():
    from pipeline.stages.boilerplate import clean_title

    assert clean_title("在调研网信工作强调要求.docx(5页珍藏版)") == "在调研网信工作强调要求"
    assert clean_title("《在调研网信工作强调要求.docx》") == "在调研网信工作强调要求"
    assert clean_title("《linux内核》PPT课件.ppt") == "《linux内核》PPT课件"
    assert clean_title("《《linux内核》PPT课件.ppt》") == "《linux内核》PPT课件"
    assert clean_title("《论语》与《孟子》选读.docx") == "《论语》与《孟子》选读"


def test_a_decimal_starting_a_broken_line_is_no_heading(rules):
    broken = "产量比上年增长，\n1.5倍于五年前的水平。"  # a decimal starting a broken line is no heading
    assert run(join_broken_lines, broken, rules) == "产量比上年增长，1.5倍于五年前的水平。"


def test_question_mark_for_a_lost_symbol_before_a_number_stays(rules):
    text = "孔径如下：\n3、? 55、? 60、? 65"
    assert run(normalise_punctuation, text, rules) == text
    assert run(normalise_punctuation, "是多少?55个吗?", rules) == "是多少？55个吗？"


def test_short_title_lines_among_long_paragraphs_are_no_page_width(rules):
    # a news page: a few short lines of similar length (title, byline, subtitle) between paragraphs of
    # hundreds of characters; once its blank lines are gone they must not read as a wrapped layout
    from pathlib import Path

    from pipeline.runner import clean_file

    page = Path(__file__).parent / "fixtures" / "real_pairs" / "xinhua_opening_chinacom.reference.txt"
    paragraphs = clean_file(page, rules=rules).paragraphs
    # the byline '作者：来自：时间：2022-10-18 08:18' is site chrome the generic chrome stage removes; it
    # must not have been glued into a neighbour either
    assert not any("作者：来自：" in p for p in paragraphs)
    assert "原标题：中国共产党第二十次全国代表大会在京开幕" in paragraphs


def test_title_line_with_its_file_suffix_loses_the_suffix_not_a_paragraph(rules):
    meta = {"title": "BBS论坛的设计实现"}
    text = "BBS论坛的设计实现.docx\n摘要：本文设计了一个论坛。"
    assert run(split_paragraphs, text, rules, meta) == "BBS论坛的设计实现\n摘要：本文设计了一个论坛。"
    glued = "BBS论坛的设计实现摘要：本文设计了一个论坛。"
    assert run(split_paragraphs, glued, rules, meta) == "BBS论坛的设计实现\n摘要：本文设计了一个论坛。"


def test_title_with_full_width_brackets_matches_the_body_before_normalising(rules):
    # the header gives "手册（标准版）"; the body still has "(标准版)" when the paragraph step runs
    meta = {"title": "操作手册（标准版）"}
    text = "操作手册(标准版)第1章系统概述"
    assert run(split_paragraphs, text, rules, meta) == "操作手册(标准版)\n第1章系统概述"


def test_flattened_bullet_list_split_but_names_with_dots_kept(rules):
    text = "本次培训旨在•提高安全意识•规范使用流程•优化空间利用率"
    assert run(split_paragraphs, text, rules) == "本次培训旨在\n•提高安全意识\n•规范使用流程\n•优化空间利用率"
    names = "法国思想家让•雅克•卢梭的著作影响深远。"
    assert run(split_paragraphs, names, rules) == names
    short = "甲•乙•丙•丁"  # items too short to be list items
    assert run(split_paragraphs, short, rules) == short
