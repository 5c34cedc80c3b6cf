"""HTML: the visible text, one line per block element, table cells joined by tabs; scripts, styles,
navigation, menus and forms dropped; the page ``<title>`` kept in the metadata."""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..errors import IngestError
from .common import _HEAD_SIZE, Ingested, _describe, _needs_space
from .txt import _strict, decode_text

_META_CHARSET_RE = re.compile(rb"""<meta\b[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_.:\-]+)""", re.IGNORECASE)
_XML_ENCODING_RE = re.compile(rb"""^\s*<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9_.:\-]+)""", re.IGNORECASE)
_CHARSET_ALIASES = {
    **dict.fromkeys(
        "gb2312 gbk x-gbk gb_2312-80 gb_2312 chinese csgb2312 euc-cn cp936 windows-936 ms936 gb18030 iso-ir-58".split(),
        "gb18030",
    ),
    **dict.fromkeys(("big5", "big5-hkscs", "x-x-big5", "cn-big5", "csbig5", "x-big5"), "cp950"),
    **dict.fromkeys(("iso-8859-1", "iso8859-1", "latin1", "latin-1", "l1", "us-ascii", "ascii"), "cp1252"),
    **dict.fromkeys(("utf-16", "utf-16le", "utf-16be", "unicode", "utf-32"), "utf-8"),
}
_HTML_DROP = frozenset(
    (
        "script style noscript template svg math iframe frame frameset nav head form button select textarea "
        "object embed canvas audio video map title"
    ).split()
)
_HTML_BLOCKS = frozenset(
    (
        "address article aside blockquote body caption center dd details dialog dir div dl dt fieldset "
        "figcaption figure footer h1 h2 h3 h4 h5 h6 header hgroup hr html legend li main menu ol p section "
        "summary table tbody thead tfoot td th ul option optgroup"
    ).split()
)
_HTML_WS_RE = re.compile(r"[ \t\n\r\f]+")
# Containers that are navigation menus although the page does not use <nav>: a class or id token naming a
# menu ('<div class="mainnav"><ul class="nav">首页 文档 行业资料 …</ul></div>' on a saved doc88.com page).
# Only these exact tokens: containers called 'header', 'footer' or 'breadcrumb' stay, as site rules read
# them (a breadcrumb can give the title).
_HTML_NAV_TOKENS = frozenset("nav mainnav navbar topnav subnav menu mainmenu topmenu".split())


def read_html(data: bytes, path: Path) -> Ingested:
    """An HTML page: its visible text, one line per block element.

    ``<p>第一段<span>续</span></p><p>第二段</p>`` → ``"第一段续\\n第二段"``. Scripts, styles, the head,
    navigation (``<nav>``, and menus whose class or id is ``nav``, ``mainnav``, ``menu``…) and forms are
    dropped; ``<br>`` breaks a line; table cells are joined by ``"\\t"``; whitespace inside a line collapses
    (a source line wrap between CJK characters disappears). ``metadata["html_title"]`` is the page
    ``<title>``.
    """
    from bs4 import BeautifulSoup

    path = Path(path)
    text, encoding = _decode_html(data, path)
    try:
        soup = BeautifulSoup(text, "lxml")
    except Exception as exc:
        raise IngestError(path, f"damaged HTML ({_describe(exc)})") from exc
    metadata: dict[str, Any] = {}
    title_tag = soup.find("title")
    if title_tag is not None:
        title = _collapse_whitespace(title_tag.get_text())
        if title:
            metadata["html_title"] = title
    lines = _html_lines(soup)
    if not lines:
        raise IngestError(path, "HTML page has no visible text")
    return Ingested(text="\n".join(lines), format="html", encoding=encoding, metadata=metadata)


def _decode_html(data: bytes, path: Path) -> tuple[str, str]:
    """Decode with the BOM, else the declared ``<meta charset>`` (unless the bytes are valid non-ASCII UTF-8:
    pages often declare gb2312 but were re-saved as UTF-8), else by detection."""
    if data.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return decode_text(data, path)
    declared = _declared_charset(data[:_HEAD_SIZE])
    if declared not in (None, "utf-8") and not data.isascii() and _strict(data, "utf-8") is not None:
        declared = "utf-8"  # valid UTF-8 with non-ASCII text is UTF-8 whatever the page claims
    if declared is not None:
        codecs_to_try = ("cp950", "big5hkscs") if declared == "cp950" else (declared,)
        for codec in codecs_to_try:
            text = _strict(data, codec)
            if text is not None:
                return decode_text(text.encode("utf-8"), path)[0], codec
    try:
        return decode_text(data, path)
    except IngestError as exc:
        if declared is None or exc.reason != "binary data, not text":
            raise
    # Declared, but a few bytes are invalid in it: keep the page, replacing what cannot be decoded.
    text = data.decode(declared, errors="replace")
    return decode_text(text.encode("utf-8"), path)[0], declared


def _declared_charset(head: bytes) -> str | None:
    """The charset a page declares in ``<meta>`` (or an XML declaration), as a Python codec name."""
    match = _META_CHARSET_RE.search(head) or _XML_ENCODING_RE.search(head)
    if match is None:
        return None
    name = match.group(1).decode("ascii", errors="ignore").strip().lower()
    name = _CHARSET_ALIASES.get(name, name)
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def _collapse_whitespace(raw: str) -> str:
    """HTML whitespace rules for one line: runs of spaces/newlines → one space, but a run holding a newline
    between CJK characters (a source-code line wrap) → nothing; ends stripped.

    ``"网络\\n  强国  of\\nthe"`` → ``"网络强国 of the"``.
    """

    def replace(match: re.Match[str]) -> str:
        if "\n" in match.group() or "\r" in match.group():
            before = match.string[max(0, match.start() - 2) : match.start()]
            after = match.string[match.end() : match.end() + 2]
            if before and after and not _needs_space(before, after):
                return ""
        return " "

    return _HTML_WS_RE.sub(replace, raw).strip()


class _LineCollector:
    """Accumulates inline text and emits finished, whitespace-collapsed, non-empty lines."""

    __slots__ = ("buffer", "lines")

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.buffer: list[str] = []

    def flush(self) -> None:
        if self.buffer:
            line = _collapse_whitespace("".join(self.buffer))
            self.buffer.clear()
            if line:
                self.lines.append(line)

    def add_line(self, line: str) -> None:
        self.flush()
        line = line.strip()
        if line:
            self.lines.append(line)


def _html_lines(root: Any) -> list[str]:
    """Walk the tree (iteratively: scraped pages nest deeply) and return the visible lines."""
    from bs4.element import NavigableString, PreformattedString, Script, Stylesheet, Tag, TemplateString

    out = _LineCollector()
    end = object()
    stack: list[tuple[Iterator[Any], bool]] = [(iter(root.children), False)]
    while stack:
        node = next(stack[-1][0], end)
        if node is end:
            _, is_block = stack.pop()
            if is_block:
                out.flush()
            continue
        if isinstance(node, NavigableString):
            if not isinstance(node, PreformattedString | Script | Stylesheet | TemplateString):
                out.buffer.append(str(node))
            continue
        if not isinstance(node, Tag):
            continue
        name = (node.name or "").lower()
        if name in _HTML_DROP or _is_nav_container(node):
            continue
        if name == "br":
            out.flush()
        elif name == "tr":
            for line in _html_row(node):
                out.add_line(line)
        elif name == "pre":
            out.flush()
            for line in node.get_text().splitlines():
                out.add_line(line)
        else:
            is_block = name in _HTML_BLOCKS
            if is_block:
                out.flush()
            stack.append((iter(node.children), is_block))
    out.flush()
    return out.lines


def _is_nav_container(node: Any) -> bool:
    """Whether a tag is a menu by its ``class`` or ``id`` (``<ul class="nav">``, ``<div id="mainNav">``)."""
    attrs = getattr(node, "attrs", None) or {}
    classes = attrs.get("class") or []
    if isinstance(classes, str):
        classes = classes.split()
    tokens = [str(token).lower() for token in classes]
    ident = attrs.get("id")
    if isinstance(ident, str):
        tokens.append(ident.lower())
    return any(token in _HTML_NAV_TOKENS for token in tokens)


def _html_row(row: Any) -> list[str]:
    """A table row: one line, cells joined by ``"\\t"``; a layout row whose cells hold several blocks gives
    each block its own line instead."""
    cells = [_html_lines(cell) for cell in row.find_all(["td", "th"], recursive=False)]
    if not cells:
        return _html_lines(row)
    if any(len(cell) > 1 for cell in cells):
        return [line for cell in cells for line in cell]
    line = "\t".join(cell[0] if cell else "" for cell in cells)
    return [line] if line.strip() else []


