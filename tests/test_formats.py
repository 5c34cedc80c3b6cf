"""The same scraped document given as TXT (UTF-8, GBK, UTF-16), DOCX, HTML and PDF comes out the same."""

from __future__ import annotations

import pytest
from conftest import SCRAPED
from fixtures_build import build_docx, build_html, build_pdf

from pipeline.runner import clean_file


@pytest.fixture(scope="module")
def expected(rules) -> str:
    return clean_file(SCRAPED, rules=rules).text


@pytest.fixture(scope="module")
def sample_lines() -> list[str]:
    return SCRAPED.read_text(encoding="utf-8").splitlines()


@pytest.mark.parametrize("encoding", ["gb18030", "gbk", "utf-16", "utf-8-sig"])
def test_txt_in_other_encodings(tmp_path, rules, expected, encoding):
    path = tmp_path / "doc.txt"
    path.write_bytes(SCRAPED.read_text(encoding="utf-8").encode(encoding))
    assert clean_file(path, rules=rules).text == expected


def test_docx_same_as_txt(tmp_path, rules, expected, sample_lines):
    path = build_docx(tmp_path / "doc.docx", sample_lines, header="第一文库网", footer="第 1 页")
    doc = clean_file(path, rules=rules)
    assert doc.text == expected
    assert doc.metadata["format"] == "docx"


def test_html_same_as_txt(tmp_path, rules, expected, sample_lines):
    path = build_html(tmp_path / "doc.html", sample_lines, title="在调研网信工作强调要求.docx - 第一文库网", boilerplate=False)
    assert clean_file(path, rules=rules).text == expected


def test_html_in_gbk_same_as_txt(tmp_path, rules, expected, sample_lines):
    path = build_html(tmp_path / "doc.htm", sample_lines, encoding="gbk", boilerplate=False)
    assert clean_file(path, rules=rules).text == expected


def test_pdf_with_running_header_and_page_footers_same_as_txt(tmp_path, rules, expected, sample_lines):
    path = build_pdf(tmp_path / "doc.pdf", sample_lines, header="第一文库网 www.wenku1.com", footer_pages=True)
    doc = clean_file(path, rules=rules)
    assert doc.metadata["pdf_pages"] >= 2
    assert doc.text == expected
    rules_used = {edit.rule_id for edit in doc.edits}
    assert {"page.running-line", "page.number-of-total"} & rules_used or "page.break-join" in rules_used
