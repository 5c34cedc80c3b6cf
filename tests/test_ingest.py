"""Ingest: format detection, encoding detection, and each reader (TXT, HTML, DOCX, PDF), errors included."""

from __future__ import annotations

import errno
import hashlib
import io
import os
import random
import re
import unicodedata
import zipfile
from pathlib import Path

import pytest
from conftest import SCRAPED
from fixtures_build import FOOTER_TEXT, build_docx, build_html, build_pdf
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.errors import IngestError
from pipeline.ingest import Ingested, decode_text, detect_format, read_document
from pipeline.ingest import txt as txt_ingest

SAMPLE_TEXT = SCRAPED.read_text(encoding="utf-8")
SAMPLE_PARAGRAPHS = SAMPLE_TEXT.splitlines()
TRADITIONAL = "繁體中文的測試文件。這是一個使用正體字撰寫的段落，包含常見的標點符號與詞彙。\n網路資訊安全與數位發展是當前重要的議題。\n"
PDF_HEADER = "第一文库网 www.1wenku.net"
PDF_FOOTER_RE = re.compile(r"第 \d+ 页 共 \d+ 页")


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _read_unchanged(path: Path) -> Ingested:
    """read_document, asserting the input file's bytes are the same afterwards."""
    before = _digest(path)
    result = read_document(path)
    assert _digest(path) == before
    return result


def _assert_error(path: Path, reason: str) -> IngestError:
    """read_document raises IngestError whose reason contains ``reason``; the file (if any) is unchanged."""
    before = _digest(path) if path.is_file() else None
    with pytest.raises(IngestError) as caught:
        read_document(path)
    error = caught.value
    assert reason in error.reason, error.reason
    assert error.path == path
    assert "\n" not in str(error) and str(error).startswith(str(path))
    if before is not None:
        assert _digest(path) == before
    return error


# ----------------------------------------------------------------------------------------------- TXT


def test_utf8_without_bom(tmp_path: Path) -> None:
    result = _read_unchanged(_write(tmp_path / "a.txt", SAMPLE_TEXT.encode("utf-8")))
    assert result == Ingested(text=SAMPLE_TEXT, format="txt", encoding="utf-8", metadata={})


def test_utf8_with_bom(tmp_path: Path) -> None:
    result = _read_unchanged(_write(tmp_path / "a.txt", "\ufeff网络强国\n".encode()))
    assert result.text == "网络强国\n"
    assert result.encoding == "utf-8-sig"


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"])
def test_utf16_and_32_with_bom(tmp_path: Path, codec: str) -> None:
    result = _read_unchanged(_write(tmp_path / "a.txt", ("\ufeff" + SAMPLE_TEXT).encode(codec)))
    assert result.text == SAMPLE_TEXT
    assert result.encoding == codec


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom(tmp_path: Path, codec: str) -> None:
    result = _read_unchanged(_write(tmp_path / "a.txt", SAMPLE_TEXT.encode(codec)))
    assert result.text == SAMPLE_TEXT
    assert result.encoding == codec


def test_utf16_without_bom_and_without_ascii(tmp_path: Path) -> None:
    text = "网络综合治理体系是维护意识形态安全和政治安全的必然要求。"
    result = read_document(_write(tmp_path / "a.txt", text.encode("utf-16-le")))
    assert (result.text, result.encoding) == (text, "utf-16-le")


@pytest.mark.parametrize("codec", ["gbk", "gb2312", "gb18030"])
def test_gbk_chinese_text(tmp_path: Path, codec: str) -> None:
    result = _read_unchanged(_write(tmp_path / "a.txt", SAMPLE_TEXT.encode(codec)))
    assert result.text == SAMPLE_TEXT
    assert result.encoding == "gb18030"


def test_short_gbk_text_is_not_misnamed(tmp_path: Path) -> None:
    for text in ("中文", "你好，世界\n", "第一章 总则\n"):
        assert decode_text(text.encode("gbk"), tmp_path / "a.txt") == (text, "gb18030")


def test_big5_traditional_text(tmp_path: Path) -> None:
    result = _read_unchanged(_write(tmp_path / "a.txt", TRADITIONAL.encode("big5")))
    assert result.text == TRADITIONAL
    assert result.encoding in ("big5", "cp950", "big5hkscs")


def test_line_ends_normalised_form_feed_kept(tmp_path: Path) -> None:
    data = "第一行\r\n第二行\r第三行\n\f第二页\r\n".encode("gbk")
    result = _read_unchanged(_write(tmp_path / "a.txt", data))
    assert result.text == "第一行\n第二行\n第三行\n\f第二页\n"


@pytest.mark.parametrize("codec", ["utf-8", "gbk", "utf-16-le"])
def test_text_cut_inside_its_last_character(tmp_path: Path, codec: str) -> None:
    data = SAMPLE_TEXT.rstrip("\n").encode(codec)
    text, _ = decode_text(data[:-1], tmp_path / "cut.txt")
    assert text == SAMPLE_TEXT.rstrip("\n")[:-1]


def test_decode_text_direct(tmp_path: Path) -> None:
    assert decode_text("中文\r\n".encode("gbk"), tmp_path / "x.txt") == ("中文\n", "gb18030")
    with pytest.raises(IngestError, match="empty file"):
        decode_text(" \r\n\t\u3000".encode(), tmp_path / "x.txt")


@settings(max_examples=60, deadline=None)
@given(
    st.text(
        st.characters(exclude_categories=("Cc", "Cs", "Cn", "Co"), exclude_characters="\ufeff")
        | st.sampled_from("\n\t中文网络强国，。“”"),
        min_size=1,
    ).filter(lambda s: s.strip()),
    st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-32"]),
)
def test_unicode_encodings_round_trip(text: str, codec: str) -> None:
    decoded, _ = decode_text(text.encode(codec), Path("x.txt"))
    assert decoded == text.replace("\r\n", "\n").replace("\r", "\n")


# ---------------------------------------------------------------------------------------------- HTML

HTML_PARAGRAPHS = [*SAMPLE_PARAGRAPHS[:5], "Plain Latin text with <angle> & ampersand, kept as one line."]


def test_html_saved_page(tmp_path: Path) -> None:
    path = build_html(tmp_path / "page.html", HTML_PARAGRAPHS, title="  在调研网信工作强调要求 - 第一文库网 ")
    result = _read_unchanged(path)
    assert result.format == "html" and result.encoding == "utf-8"
    assert result.metadata == {"html_title": "在调研网信工作强调要求 - 第一文库网"}
    assert result.text.split("\n") == [*HTML_PARAGRAPHS, FOOTER_TEXT]
    for junk in ("首页", "文档分类", "会员中心", "广告位招租", "font-size", "_hmt", "搜一下"):
        assert junk not in result.text


def test_html_gbk_page_with_meta_charset(tmp_path: Path) -> None:
    path = build_html(tmp_path / "page.htm", HTML_PARAGRAPHS, title="标题", encoding="gbk", boilerplate=False)
    result = _read_unchanged(path)
    assert result.encoding == "gb18030"
    assert result.text.split("\n") == HTML_PARAGRAPHS
    assert result.metadata["html_title"] == "标题"


def test_html_blocks_inline_br_tables(tmp_path: Path) -> None:
    page = (
        "<html><head><title>t</title><style>p{}</style></head><body>"
        "<nav>菜单</nav><div>外层<div>内层</div>尾部</div>"
        "<p>前<span>中</span>后 <a href='#'>link</a> <b>end</b></p>"
        "<p>第一行<br>第二行<br/><br>第三行</p>"
        "<ul><li>甲</li><li>乙</li></ul>"
        "<table><tr><th>名称</th><th>数量</th></tr><tr><td>苹果</td><td> 3 </td></tr></table>"
        "<h2>  标题  </h2><pre>  code line\n    indented</pre>"
        "<noscript>请启用</noscript><template><p>模板</p></template><iframe>框</iframe>"
        "<header>站点页眉</header><footer>页脚</footer><!-- comment -->"
        "</body></html>"
    )
    result = read_document(_write(tmp_path / "p.html", page.encode()))
    assert result.text.split("\n") == [
        "外层",
        "内层",
        "尾部",
        "前中后 link end",
        "第一行",
        "第二行",
        "第三行",
        "甲",
        "乙",
        "名称\t数量",
        "苹果\t3",
        "标题",
        "code line",
        "indented",
        "站点页眉",
        "页脚",
    ]


def test_html_whitespace_rules(tmp_path: Path) -> None:
    page = "<!DOCTYPE html><body><p>  网络\n   强国  建设\n<span>\n思想</span>  of\n  the   people </p></body>"
    result = read_document(_write(tmp_path / "p.html", page.encode()))
    assert result.text == "网络强国 建设思想 of the people"


def test_html_detected_by_content_not_suffix(tmp_path: Path) -> None:
    page = "<!-- saved --><html><body><p>正文</p></body></html>".encode("gbk")
    for name in ("page.txt", "page.doc", "page"):
        result = read_document(_write(tmp_path / name, page))
        assert (result.format, result.text) == ("html", "正文")
    assert read_document(_write(tmp_path / "x.html", "<p>不是完整页面</p>\n".encode())).format == "txt"


def test_html_utf8_page_declaring_gb2312(tmp_path: Path) -> None:
    page = f'<html><head><meta charset="gb2312"></head><body><p>{SAMPLE_PARAGRAPHS[1]}</p></body></html>'
    result = read_document(_write(tmp_path / "p.html", page.encode()))
    assert (result.encoding, result.text) == ("utf-8", SAMPLE_PARAGRAPHS[1])


def test_html_layout_table_keeps_blocks_apart(tmp_path: Path) -> None:
    page = (
        "<html><body><table><tr><td><p>第一段</p><p>第二段</p></td><td>侧栏</td></tr>"
        "<tr><td>a</td><td></td><td>c</td></tr></table></body></html>"
    )
    assert read_document(_write(tmp_path / "p.html", page.encode())).text == "第一段\n第二段\n侧栏\na\t\tc"


# ---------------------------------------------------------------------------------------------- DOCX


def test_docx_order_table_header_footer(tmp_path: Path) -> None:
    paragraphs = ["第一段：网络综合治理。", "第二段 second paragraph.", "第三段。"]
    path = build_docx(
        tmp_path / "d.docx",
        paragraphs,
        header="第一文库网",
        footer="第 1 页",
        table=[["名称", "数量"], ["苹果", "3"]],
        title="在调研网信工作强调要求",
        table_after=0,
    )
    result = _read_unchanged(path)
    assert result.format == "docx" and result.encoding is None
    assert result.text.split("\n") == [paragraphs[0], "名称\t数量", "苹果\t3", *paragraphs[1:]]
    assert result.metadata == {
        "docx_headers": ["第一文库网"],
        "docx_footers": ["第 1 页"],
        "docx_title": "在调研网信工作强调要求",
    }


def test_docx_empty_paragraphs_and_cell_paragraphs(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_paragraph("甲")
    document.add_paragraph("   ")
    document.add_paragraph("")
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).text = "网络"
    table.cell(0, 0).add_paragraph("强国")
    table.cell(0, 1).text = "two"
    table.cell(0, 1).add_paragraph("words")
    document.add_paragraph("乙")
    path = tmp_path / "e.docx"
    document.save(str(path))
    result = read_document(path)
    assert result.text == "甲\n网络强国\ttwo words\n乙"
    assert result.metadata == {"docx_headers": [], "docx_footers": []}


def test_docx_sample_paragraphs(tmp_path: Path) -> None:
    result = read_document(build_docx(tmp_path / "s.docx", SAMPLE_PARAGRAPHS))
    assert result.text == "\n".join(SAMPLE_PARAGRAPHS)


# ----------------------------------------------------------------------------------------------- PDF


def _pdf_body_pages(text: str, header: str | None) -> list[list[str]]:
    """The lines of each page with the running header and page-number footer removed."""
    pages = []
    for page in text.split("\f"):
        lines = page.split("\n")
        if header is not None:
            assert lines[0] == header, lines[:2]
            lines = lines[1:]
        if lines and PDF_FOOTER_RE.fullmatch(lines[-1]):
            lines = lines[:-1]
        pages.append(lines)
    return pages


def _assert_paragraphs_round_trip(text: str, paragraphs: list[str], header: str | None) -> None:
    """Each input paragraph is one output line, or split only at page breaks (nowhere else)."""
    pages = _pdf_body_pages(text, header)
    pieces = [(line, index == len(lines) - 1) for lines in pages for index, line in enumerate(lines)]
    position = 0
    for paragraph in paragraphs:
        joined = ""
        while True:
            piece, at_page_end = pieces[position]
            position += 1
            joined += piece
            if joined == paragraph or not at_page_end:
                break
        assert joined == paragraph
    assert position == len(pieces)


def test_pdf_sample_round_trip(tmp_path: Path) -> None:
    path = build_pdf(tmp_path / "sample.pdf", SAMPLE_PARAGRAPHS, header=PDF_HEADER)
    result = _read_unchanged(path)
    assert result.format == "pdf" and result.encoding is None
    pages = result.text.split("\f")
    assert result.metadata == {"pdf_pages": len(pages), "pdf_unmapped_glyphs": 0}
    assert len(pages) >= 2
    for number, page in enumerate(pages, start=1):
        lines = page.split("\n")
        assert lines[0] == PDF_HEADER
        assert lines[-1] == f"第 {number} 页 共 {len(pages)} 页"
    _assert_paragraphs_round_trip(result.text, SAMPLE_PARAGRAPHS, PDF_HEADER)
    assert "".join(line for lines in _pdf_body_pages(result.text, PDF_HEADER) for line in lines) == "".join(
        SAMPLE_PARAGRAPHS
    )


def test_pdf_paragraph_ends_without_spacing(tmp_path: Path) -> None:
    """No extra space between paragraphs and no indent: a short last line alone ends a paragraph."""
    rng = random.Random(7)
    chars = "网络综合治理体系建设推动形成良好生态营造清朗空间"
    paragraphs = ["".join(rng.choice(chars) for _ in range(n)) + "。" for n in (15, 100, 57, 130, 20, 75)]
    path = build_pdf(tmp_path / "p.pdf", paragraphs, paragraph_gap=0, footer_pages=False)
    result = read_document(path)
    assert result.text.split("\n") == paragraphs
    assert result.metadata["pdf_pages"] == 1


def test_pdf_indented_paragraphs_without_spacing(tmp_path: Path) -> None:
    """Chinese layout: 2-character first-line indent, no paragraph spacing; includes one-line paragraphs that
    fill (or nearly fill) their indented line, so only the indent of the next line tells they end."""
    rng = random.Random(11)
    chars = "网络综合治理体系建设推动形成良好生态营造清朗空间"
    lengths = (36, 35, 120, 36, 8, 77, 200, 37, 76, 38, 150, 12, 36, 36, 90)
    paragraphs = ["".join(rng.choice(chars) for _ in range(n)) + "。" for n in lengths]
    path = build_pdf(tmp_path / "indent.pdf", paragraphs, first_line_indent=2, paragraph_gap=0, header=PDF_HEADER)
    result = read_document(path)
    assert result.metadata["pdf_pages"] == 2
    _assert_paragraphs_round_trip(result.text, paragraphs, PDF_HEADER)


def test_pdf_latin_words_and_mixed_text(tmp_path: Path) -> None:
    rng = random.Random(5)
    words = "the of and network governance internationalization co-operation 2023 a in is (draft) well-known".split()
    paragraphs = [
        "The quick brown fox jumps over the lazy dog while internationalization and "
        "counterrevolutionaries argue about well-known co-operation rules in 2023 and beyond, again and again.",
        "短段落:马克思·韦伯、“十四五”规划(2021—2025年)……完。",
        "中文与English单词混排,例如cybersecurity治理和“网络综合治理”写在同一个很长的段落里,"
        "它一定会在页面上折成好几行才能写完。",
        *(" ".join(rng.choice(words) for _ in range(rng.randint(5, 60))) for _ in range(6)),
    ]
    for indent, gap in ((0, 0.5), (2, 0)):
        path = build_pdf(
            tmp_path / "latin.pdf", paragraphs, header=PDF_HEADER, first_line_indent=indent, paragraph_gap=gap
        )
        assert _pdf_body_pages(read_document(path).text, PDF_HEADER) == [paragraphs]


def test_pdf_few_short_lines_stay_apart(tmp_path: Path) -> None:
    """Too few lines to measure the right margin: the longest short line must not swallow the next one."""
    paragraphs = ["短的一行。", "第二行稍微长一点,但也远远没有写满。", "第三行", "end"]
    path = build_pdf(tmp_path / "few.pdf", paragraphs, paragraph_gap=0, footer_pages=False)
    assert read_document(path).text.split("\n") == paragraphs


def test_pdf_character_spacing_is_not_a_space(tmp_path: Path) -> None:
    """Justified CJK text (wide character spacing) and CJK/Latin auto-spacing: pdfminer's invented spaces
    next to CJK characters are dropped; a gap between Latin words stays a space."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfgen import canvas

    build_pdf(tmp_path / "font.pdf", ["字"])  # registers the CID font
    path = tmp_path / "spaced.pdf"
    pdf = canvas.Canvas(str(path))
    pdf.saveState()
    text = pdf.beginText(72, 700)
    text.setFont("STSong-Light", 10.5)
    text.setCharSpace(2.5)
    text.textLine("网络综合治理体系建设推动形成良好生态")
    pdf.drawText(text)
    pdf.restoreState()
    pdf.setFont("STSong-Light", 10.5)
    for y, parts in ((660, ["中文", "English", "混排"]), (620, ["two", "words"])):
        x = 72.0
        for part in parts:
            pdf.drawString(x, y, part)
            x += pdfmetrics.stringWidth(part, "STSong-Light", 10.5) + 3.5
    pdf.showPage()
    pdf.save()
    assert read_document(path).text == "网络综合治理体系建设推动形成良好生态\n中文English混排\ntwo words"


def test_pdf_without_text_layer(tmp_path: Path) -> None:
    from reportlab.pdfgen import canvas

    path = tmp_path / "scan.pdf"
    pdf = canvas.Canvas(str(path))
    pdf.rect(100, 100, 300, 400, fill=1)
    pdf.showPage()
    pdf.save()
    _assert_error(path, "PDF has no text layer (scanned images?)")


def test_encrypted_pdf(tmp_path: Path) -> None:
    from reportlab.lib.pdfencrypt import StandardEncryption
    from reportlab.pdfgen import canvas

    path = tmp_path / "locked.pdf"
    pdf = canvas.Canvas(str(path), encrypt=StandardEncryption("user-secret", "owner-secret"))
    pdf.drawString(72, 720, "secret text")
    pdf.showPage()
    pdf.save()
    _assert_error(path, "encrypted PDF (password protected)")


def test_corrupt_pdf(tmp_path: Path) -> None:
    path = _write(tmp_path / "bad.pdf", b"%PDF-1.4\n" + random.Random(1).randbytes(4000))
    _assert_error(path, "damaged PDF")


def test_truncated_pdf(tmp_path: Path) -> None:
    whole = build_pdf(tmp_path / "whole.pdf", SAMPLE_PARAGRAPHS[:2]).read_bytes()
    path = _write(tmp_path / "cut.pdf", whole[: len(whole) // 3])
    with pytest.raises(IngestError) as caught:
        read_document(path)
    assert caught.value.reason.startswith(("damaged PDF", "PDF has no text layer"))


# -------------------------------------------------------------------------------------------- errors


def test_missing_file(tmp_path: Path) -> None:
    _assert_error(tmp_path / "nope.txt", "file not found")


def test_directory(tmp_path: Path) -> None:
    _assert_error(tmp_path, "is a directory")


def test_unreadable_file_as_any_user(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The permission-denied path, also when the suite runs as root (who may read a mode-0 file): the
    operating system's refusal to open the file is what ingest sees."""
    path = _write(tmp_path / "secret.txt", "机密".encode())
    opened = Path.open

    def refuse(self: Path, *args, **kwargs):
        if self == path:
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(self))
        return opened(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", refuse)
    with pytest.raises(IngestError, match="permission denied") as caught:
        read_document(path)
    assert caught.value.path == path and "\n" not in str(caught.value)
    monkeypatch.undo()
    assert path.read_bytes() == "机密".encode()


@pytest.mark.skipif(not Path("/proc/self/mem").is_file(), reason="needs Linux /proc")
def test_a_file_the_kernel_will_not_read() -> None:
    """A real read error that root gets too: /proc/self/mem at offset 0 is EIO."""
    with pytest.raises(IngestError, match=r"cannot read the file \(input/output error\)"):
        read_document(Path("/proc/self/mem"))


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root can read anything")
def test_unreadable_file(tmp_path: Path) -> None:
    path = _write(tmp_path / "secret.txt", "机密".encode())
    path.chmod(0)
    try:
        with pytest.raises(IngestError, match="permission denied"):
            read_document(path)
    finally:
        path.chmod(0o600)


@pytest.mark.parametrize("name", ["image.png", "image.txt", "image"])
def test_png_is_unsupported(tmp_path: Path, name: str) -> None:
    path = _write(tmp_path / name, b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    _assert_error(path, "unsupported file type (.png)")


def test_xlsx_is_unsupported(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
    _assert_error(_write(tmp_path / "book.xlsx", buffer.getvalue()), "unsupported file type (.xlsx)")


def test_binary_junk_named_txt(tmp_path: Path) -> None:
    junk = random.Random(0).randbytes(3000)
    _assert_error(_write(tmp_path / "junk.txt", junk), "binary data, not text")
    _assert_error(_write(tmp_path / "junk2.txt", junk.replace(b"\x00", b"")), "binary data, not text")


def test_text_with_nul_bytes_is_binary(tmp_path: Path) -> None:
    _assert_error(_write(tmp_path / "n.txt", "正文".encode() + b"\x00\x00\x00\x01\x02" * 20), "binary data, not text")


def test_empty_file(tmp_path: Path) -> None:
    _assert_error(_write(tmp_path / "empty.txt", b""), "empty file")


def test_whitespace_only_file(tmp_path: Path) -> None:
    _assert_error(_write(tmp_path / "blank.txt", " \r\n\t\n\u3000\n".encode()), "empty file")


def test_truncated_docx(tmp_path: Path) -> None:
    whole = build_docx(tmp_path / "whole.docx", SAMPLE_PARAGRAPHS).read_bytes()
    path = _write(tmp_path / "cut.docx", whole[: len(whole) // 2])
    _assert_error(path, "damaged DOCX (not a valid zip archive)")


def test_zip_without_document_named_docx(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hello")
    _assert_error(_write(tmp_path / "fake.docx", buffer.getvalue()), "damaged DOCX")


def test_docx_with_broken_xml(tmp_path: Path) -> None:
    source = build_docx(tmp_path / "ok.docx", ["正文"])
    buffer = io.BytesIO()
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(buffer, "w") as damaged:
        for item in original.infolist():
            data = original.read(item.filename)
            damaged.writestr(item, data[: len(data) // 2] if item.filename == "word/document.xml" else data)
    _assert_error(_write(tmp_path / "broken.docx", buffer.getvalue()), "damaged DOCX")


def test_legacy_doc(tmp_path: Path) -> None:
    data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504) + "正文".encode("utf-16-le")
    for name in ("old.doc", "old.txt"):
        _assert_error(_write(tmp_path / name, data), "legacy .doc format is not supported; convert it to .docx")


# ------------------------------------------------------------------------------------------- detection


def test_detect_format_by_content(tmp_path: Path) -> None:
    assert detect_format(tmp_path / "x.txt", b"%PDF-1.7\n...") == "pdf"
    assert detect_format(tmp_path / "x.pdf", "正文".encode()) == "txt"
    assert detect_format(tmp_path / "x.txt", b"\xef\xbb\xbf  <!DOCTYPE HTML><html>") == "html"
    assert detect_format(tmp_path / "x.txt", "<html>".encode("utf-16")) == "html"
    assert detect_format(tmp_path / "x", b"<div>\n<meta charset=gbk>") == "html"
    docx_path = build_docx(tmp_path / "renamed.bin", ["正文"])
    assert detect_format(docx_path, docx_path.read_bytes()[:8192]) == "docx"
    assert read_document(docx_path).text == "正文"
    with pytest.raises(IngestError, match="unsupported file type"):
        detect_format(tmp_path / "x.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF")


def _control_ratio_by_category(text: str) -> float:
    """The definition: every character's category looked up."""
    sample = text[: txt_ingest._ANALYSE_CHARS]
    bad = sum(1 for ch in sample if ch not in "\t\n\r\f" and unicodedata.category(ch) in ("Cc", "Cs", "Cn"))
    return bad / len(sample) if sample else 0.0


@settings(max_examples=300, deadline=None)
@given(
    st.text(
        alphabet=st.one_of(
            st.sampled_from(
                "\t\n\r\f\x00\x07\x1b\x7f\x85\ud800\udfff\u0378\u4e00\u9fa5\u9fa6\u3000\uff01\uff5f\ue000 a。"
            ),
            st.characters(),
        ),
        max_size=60,
    )
)
def test_control_ratio_counts_what_the_categories_say(text: str) -> None:
    assert txt_ingest._control_ratio(text) == _control_ratio_by_category(text)
