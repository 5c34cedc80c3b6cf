"""Build realistic DOCX, HTML and PDF test documents on the fly (no binary fixtures in the repository).

Used by the ingest tests and by other test modules: keep the three public function names and signatures.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

__all__ = ["FOOTER_TEXT", "build_docx", "build_html", "build_pdf"]

# Characters a CJK line may be broken before/after (Han, CJK punctuation, kana, full-width forms).
_CJK = (
    "\u2e80-\u2fdf\u3000-\u303f\u3040-\u31ff\u3200-\u9fff\uac00-\ud7af"
    "\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef\U00020000-\U0003ffff"
)
_CJK_RE = re.compile(f"[{_CJK}]")
_TOKEN_RE = re.compile(f"[ \\t]+|[{_CJK}]|[^ \\t{_CJK}]+")

PDF_FONT = "STSong-Light"
# STSong-Light's CMap (UniGB-UCS2-H) has no code for U+00B7 MIDDLE DOT: drawn as is it comes back as nothing.
# Its middle dot sits at U+30FB, which pdfminer reads back as U+00B7, so draw that one.
_PDF_DRAWN_AS = str.maketrans({"\u00b7": "\u30fb"})


def _is_cjk(ch: str) -> bool:
    return bool(_CJK_RE.match(ch))


# --------------------------------------------------------------------------------------------- DOCX


def build_docx(
    path: Path,
    paragraphs: list[str],
    *,
    header: str | None = None,
    footer: str | None = None,
    table: list[list[str]] | None = None,
    title: str | None = None,
    table_after: int | None = None,
) -> Path:
    """Write a .docx with ``paragraphs`` (one Word paragraph each), an optional table, header, footer and title.

    The table goes after paragraph number ``table_after`` (0-based; ``None``: after the last paragraph), so
    document order can be checked: ``build_docx(p, ["a", "b"], table=[["x", "y"]], table_after=0)`` gives
    the body ``a``, the row ``x | y``, ``b``. ``header``/``footer`` are the section's default header and
    footer; ``title`` is the core-properties title.
    """
    import docx

    path = Path(path)
    document = docx.Document()
    if title is not None:
        document.core_properties.title = title
    section = document.sections[0]
    if header is not None:
        section.header.paragraphs[0].text = header
    if footer is not None:
        section.footer.paragraphs[0].text = footer

    def add_table() -> None:
        assert table is not None
        columns = max((len(row) for row in table), default=1)
        grid = document.add_table(rows=len(table), cols=columns)
        for r, row in enumerate(table):
            for c, cell_text in enumerate(row):
                grid.cell(r, c).text = cell_text

    after = len(paragraphs) - 1 if table_after is None else table_after
    if table is not None and after < 0:
        add_table()
    for index, text in enumerate(paragraphs):
        document.add_paragraph(text)
        if table is not None and index == after:
            add_table()
    document.save(str(path))
    return path


# --------------------------------------------------------------------------------------------- HTML

FOOTER_TEXT = "Copyright 2023 第一文库网 版权所有"
_NAV_ITEMS = ["首页", "文档分类", "热门文档", "上传文档", "会员中心", "登录", "注册"]


def _wrap_source(text: str, every: int = 60) -> str:
    """Insert source-code line breaks between two Han characters roughly every ``every`` characters.

    A browser (and the ingester) drops such a break between CJK characters, so the text is unchanged.
    """
    out: list[str] = []
    since = 0
    for i, ch in enumerate(text):
        out.append(ch)
        since += 1
        if since >= every and i + 1 < len(text) and _is_cjk(ch) and _is_cjk(text[i + 1]):
            out.append("\n")
            since = 0
    return "".join(out)


def _inline_markup(index: int, text: str) -> str:
    """HTML for one paragraph's text: every third paragraph gets a <span>, every third an <a> (inline)."""
    if len(text) < 6 or index % 3 == 0:
        return _wrap_source(html.escape(text, quote=False))
    a, b = len(text) // 3, 2 * len(text) // 3
    head, middle, tail = (html.escape(part, quote=False) for part in (text[:a], text[a:b], text[b:]))
    if index % 3 == 1:
        middle = f'<span style="color:#333">{middle}</span>'
    else:
        middle = f'<a href="/doc/{index}.html" target="_blank"><b>{middle}</b></a>'
    return _wrap_source(head) + middle + _wrap_source(tail)


def build_html(
    path: Path,
    paragraphs: list[str],
    *,
    title: str | None = None,
    encoding: str = "utf-8",
    boilerplate: bool = True,
) -> Path:
    """Write a realistic saved web page: ``<head>`` with a meta charset, script, style; a nav menu;
    the paragraphs in ``<p>`` (some with inline ``<span>``/``<a>``, long ones wrapped in the source between
    Han characters); a ``<footer>``.

    The bytes are encoded with ``encoding`` (unencodable characters become numeric references). UTF-8 pages
    declare ``<meta charset>``, others the ``http-equiv`` form. With ``boilerplate=False`` only the head and
    the paragraphs are written. What a reader should get: the paragraphs, one per line, then (with
    boilerplate) the footer line ``FOOTER_TEXT``; no script, style or nav text.
    """
    path = Path(path)
    if encoding.lower().replace("_", "-") in ("utf-8", "utf8"):
        meta = f'<meta charset="{encoding}">'
    else:
        meta = f'<meta http-equiv="Content-Type" content="text/html; charset={encoding}">'
    parts = [
        "<!DOCTYPE html>",
        '<html lang="zh-CN">',
        "<head>",
        meta,
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{html.escape(title, quote=False)}</title>" if title is not None else "",
        '<link rel="stylesheet" href="/static/css/main.css">',
        "<style>\nbody { font-size: 14px; color: #333 }\n.nav li { float: left; margin: 0 8px }\n</style>",
        "<script>\nvar _hmt = _hmt || [];\ndocument.write('<div>广告位招租</div>');\n</script>",
        "</head>",
        "<body>",
    ]
    if boilerplate:
        items = "".join(f'<li><a href="/{i}/">{name}</a></li>' for i, name in enumerate(_NAV_ITEMS))
        parts.append(f'<div class="top">\n<nav class="nav"><ul>{items}</ul></nav>\n</div>')
        parts.append('<form action="/search"><input name="q"><button>搜一下</button></form>')
    parts.append('<div class="main">\n<div class="content" id="content">')
    for index, text in enumerate(paragraphs):
        parts.append(f"<p>{_inline_markup(index, text)}</p>")
    parts.append("</div>\n</div>")
    if boilerplate:
        parts.append("<script>\n(function(){ var s = document.createElement('script'); })();\n</script>")
        parts.append(f'<footer class="foot">\n<p>{FOOTER_TEXT}</p>\n</footer>')
    parts.append("</body>\n</html>\n")
    source = "\n".join(part for part in parts if part)
    path.write_bytes(source.encode(encoding, errors="xmlcharrefreplace"))
    return path


# ---------------------------------------------------------------------------------------------- PDF


def _units(paragraph: str) -> list[tuple[str, bool]]:
    """Split a paragraph into unbreakable units: one CJK character, or one run of non-CJK non-space text.

    Returns ``(unit, space_before)``: ``space_before`` marks a single space between two Latin units, the
    only kind of space a line may break at (the space is dropped there, as a reader puts it back). Any other
    space is glued to its neighbours so that no break falls on it.
    """
    units: list[tuple[str, bool]] = []
    pending = ""
    for token in _TOKEN_RE.findall(paragraph):
        if token.isspace():
            pending += token
            continue
        if pending and units:
            prev, prev_sep = units[-1]
            if pending == " " and not _is_cjk(prev[-1]) and not _is_cjk(token[0]):
                units.append((token, True))
            else:
                units[-1] = (prev + pending + token, prev_sep)
        else:
            units.append((token, False))
        pending = ""
    return units


def _wrap(paragraph: str, width: float, font_size: float, first_indent: float = 0.0) -> list[str]:
    """Greedy line breaking to ``width`` points (the first line ``first_indent`` points narrower): break
    between CJK characters, keep Latin words whole."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    def measure(s: str) -> float:
        return stringWidth(s, PDF_FONT, font_size)

    space = measure(" ")
    lines: list[str] = []
    line, line_width = "", 0.0
    for unit, space_before in _units(paragraph.strip()):
        unit_width = measure(unit)
        extra = (space if space_before else 0.0) + unit_width
        limit = width - (first_indent if not lines else 0.0)
        if line and line_width + extra <= limit:
            line += (" " if space_before else "") + unit
            line_width += extra
            continue
        if line:
            lines.append(line)
        if unit_width <= width:
            line, line_width = unit, unit_width
            continue
        # A unit wider than the line (a very long word): break it by characters.
        line, line_width = "", 0.0
        for ch in unit:
            w = measure(ch)
            if line and line_width + w > width:
                lines.append(line)
                line, line_width = "", 0.0
            line += ch
            line_width += w
    if line:
        lines.append(line)
    return lines


def build_pdf(
    path: Path,
    paragraphs: list[str],
    *,
    header: str | list[str] | None = None,
    footer_pages: bool = True,
    font_size: float = 10.5,
    leading: float = 2.0,
    paragraph_gap: float = 0.5,
    margin: float = 72.0,
    side_margin: float = 90.0,
    first_line_indent: float = 0.0,
) -> Path:
    """Write an A4 PDF of ``paragraphs`` in the built-in CID font STSong-Light, typeset like a Word export.

    Word's default A4 page (``margin`` top/bottom, ``side_margin`` left/right, in points). Each paragraph is
    wrapped to the text width (between CJK characters anywhere; Latin words and numbers kept whole; first
    line not indented); line pitch ``leading * font_size`` (2.0: Word's 1.5-line spacing of SimSun); an
    extra ``paragraph_gap`` (in lines) between paragraphs (``0`` for none); ``first_line_indent`` (in
    characters, e.g. 2 as in Chinese documents) indents first lines; new pages as needed. The
    sample ``wangxin_scraped_diyiwenku.txt`` fills 3 pages. Every page gets the running
    ``header`` line at the top (if given; a list gives page N its item N, cycling) and, if ``footer_pages``, ``第 N 页 共 M 页`` centred at the bottom.

    What pdfminer reads back: every GB2312 character and ASCII unchanged; ``·`` U+00B7 too (drawn as U+30FB,
    see ``_PDF_DRAWN_AS``). Characters the font's CMap lacks are drawn as nothing and come back as nothing:
    no-break space, ``•`` U+2022, ``‧`` U+2027, ``∙`` U+2219, ``⋅`` U+22C5, ``･`` U+FF65, ``〜`` U+301C,
    ``⑪``–``⑳``, most accented Latin letters outside pinyin. ``⋯`` U+22EF comes back as ``…`` U+2026.
    """
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    if PDF_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(PDF_FONT))
    path = Path(path)
    page_width, page_height = A4
    text_width = page_width - 2 * side_margin
    pitch = leading * font_size
    top = page_height - margin - font_size  # baseline of the first body line
    bottom = margin  # lowest allowed baseline

    # Lay out first (the footer needs the page count), then draw.
    indent = first_line_indent * font_size
    pages: list[list[tuple[float, float, str]]] = [[]]
    y = top
    for number, paragraph in enumerate(paragraphs):
        if number and pages[-1]:
            y -= paragraph_gap * pitch
        for index, line in enumerate(_wrap(paragraph.translate(_PDF_DRAWN_AS), text_width, font_size, indent)):
            if y < bottom:
                pages.append([])
                y = top
            pages[-1].append((side_margin + (indent if index == 0 else 0.0), y, line))
            y -= pitch

    pdf = canvas.Canvas(str(path), pagesize=A4, invariant=True)
    small = max(font_size * 0.85, 6.0)
    for number, lines in enumerate(pages, start=1):
        if header is not None:
            pdf.setFont(PDF_FONT, small)
            page_header = header if isinstance(header, str) else header[(number - 1) % len(header)]
            pdf.drawString(side_margin, page_height - 40, page_header)
        pdf.setFont(PDF_FONT, font_size)
        for x, y, line in lines:
            pdf.drawString(x, y, line)
        if footer_pages:
            pdf.setFont(PDF_FONT, small)
            pdf.drawCentredString(page_width / 2, 36, f"第 {number} 页 共 {len(pages)} 页")
        pdf.showPage()
    pdf.save()
    return path
