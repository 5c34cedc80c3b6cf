"""PDF (pdfminer.six layout analysis): pages separated by form feeds, lines re-joined into paragraphs from
the page geometry, running headers and footers kept as lines of their own."""

from __future__ import annotations

import io
import itertools
import re
import statistics
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import IngestError
from .common import Ingested, _describe, _is_cjk, _join_pieces, library_log_silenced

_CID_RE = re.compile(r"\(cid:\d+\)")
_EDGE_BAND = 0.08  # top/bottom share of the page where running headers and footers live
_REACH_CHARS = 1.5  # a line within this many character widths of the right margin is full
_PARAGRAPH_GAP = 1.4  # a baseline gap this many line pitches long ends a paragraph
_COLUMN_GAP_CHARS = 3.0  # fragments on one row further apart than this are separate cells ("\t")


@dataclass(slots=True)
class _Row:
    """One visual line of a PDF page (pdfminer text lines on the same baseline, merged)."""

    x0: float
    y0: float
    x1: float
    y1: float
    text: str
    char_width: float  # median width of its characters
    size: float  # median character height (font size)
    first_word_width: float  # width of a leading Latin word (0 when the row starts with CJK)
    columns: bool = False  # made of fragments far apart (a table row, header with left/right parts)


@dataclass(slots=True)
class _Page:
    x0: float  # left edge of the page box
    y0: float  # bottom edge
    y1: float  # top edge
    width: float
    height: float
    rows: list[_Row]
    top: int = 0  # rows[:top] are running-header rows
    bottom: int = 0  # rows[len - bottom:] are running-footer rows

    @property
    def body(self) -> list[_Row]:
        return [row for row in self.rows[self.top : len(self.rows) - self.bottom] if not row.columns]


def read_pdf(data: bytes, path: Path) -> Ingested:
    """A PDF with a text layer: pages separated by ``"\\f"``, paragraphs rebuilt from the layout.

    A line that reaches the right margin continues into the next one (joined without a space next to CJK,
    with one between Latin words, a line-end hyphen kept); a short line, an indented next line or a wide
    vertical gap ends the paragraph. Isolated lines at the top/bottom of a page (running header, footer,
    page number) stay lines of their own. ``metadata["pdf_pages"]``: page count;
    ``metadata["pdf_unmapped_glyphs"]``: how many ``(cid:N)`` placeholders pdfminer emitted.
    """
    path = Path(path)
    pages = _pdf_pages(data, path)
    _mark_running_lines(pages)
    left, right = _document_margins(pages)
    texts = ["\n".join(_page_lines(page, left.get(_size_key(page)), right.get(_size_key(page)))) for page in pages]
    text = "\f".join(texts)
    if not any(not ch.isspace() for ch in text):
        raise IngestError(path, "PDF has no text layer (scanned images?)")
    metadata = {"pdf_pages": len(pages), "pdf_unmapped_glyphs": len(_CID_RE.findall(text))}
    return Ingested(text=text, format="pdf", encoding=None, metadata=metadata)


def _pdf_pages(data: bytes, path: Path) -> list[_Page]:
    """Run pdfminer's layout analysis; turn its exceptions into IngestError, in words; keep its log quiet."""
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LAParams
    from pdfminer.pdfdocument import PDFEncryptionError
    from pdfminer.pdfparser import PDFSyntaxError
    from pdfminer.psexceptions import PSException

    laparams = LAParams(line_margin=0.5, char_margin=2.0, word_margin=0.1, all_texts=True)
    pages: list[_Page] = []
    try:
        with library_log_silenced("pdfminer"):
            for layout in extract_pages(io.BytesIO(data), laparams=laparams):
                pages.append(_Page(layout.x0, layout.y0, layout.y1, layout.width, layout.height, _page_rows(layout)))
    except PDFEncryptionError as exc:
        raise IngestError(path, "encrypted PDF (password protected)") from exc
    except (PDFSyntaxError, PSException) as exc:
        raise IngestError(path, f"damaged PDF ({_describe(exc)})") from exc
    except Exception as exc:  # pdfminer raises plain KeyError/ValueError/zlib.error… on broken files
        raise IngestError(path, f"damaged PDF ({_describe(exc)})") from exc
    if not pages:
        raise IngestError(path, "damaged PDF (no pages)")
    return pages


def _page_rows(layout: Any) -> list[_Row]:
    """The page's text lines grouped into visual rows, top to bottom; fragments in a row left to right."""
    from pdfminer.layout import LTChar, LTTextLineHorizontal

    lines = [line for line in _iter_layout(layout, LTTextLineHorizontal) if line.get_text().strip()]
    lines.sort(key=lambda line: (-line.y1, line.x0))
    groups: list[list[Any]] = []
    for line in lines:
        if groups:
            row = groups[-1]
            top, bottom = max(item.y1 for item in row), min(item.y0 for item in row)
            overlap = min(top, line.y1) - max(bottom, line.y0)
            if overlap >= 0.5 * min(line.height, top - bottom):
                row.append(line)
                continue
        groups.append([line])

    rows = []
    for group in groups:
        group.sort(key=lambda line: line.x0)
        chars = [obj for line in group for obj in line if isinstance(obj, LTChar) and obj.get_text().strip()]
        if not chars:
            continue
        char_width = statistics.median(ch.width for ch in chars) or 1.0
        size = statistics.median(ch.size for ch in chars) or 1.0
        text, columns = "", False
        previous = None
        for line in group:
            fragment = _line_text(line)
            if previous is not None:
                if line.x0 - previous.x1 > _COLUMN_GAP_CHARS * char_width:
                    text, columns = text + "\t" + fragment, True
                else:
                    text = _join_pieces([text, fragment])
            else:
                text = fragment
            previous = line
        rows.append(
            _Row(
                x0=group[0].x0,
                y0=min(line.y0 for line in group),
                x1=max(line.x1 for line in group),
                y1=max(line.y1 for line in group),
                text=text,
                char_width=char_width,
                size=size,
                first_word_width=_first_word_width(group[0]),
                columns=columns,
            )
        )
    return rows


def _line_text(line: Any) -> str:
    """A pdfminer text line's text, without the spaces pdfminer invents (``LTAnno``, for wide character
    spacing) next to CJK characters: justified Chinese text and CJK/Latin auto-spacing are not spaces."""
    from pdfminer.layout import LTAnno

    objects = list(line)
    parts: list[str] = []
    for index, obj in enumerate(objects):
        text = obj.get_text()
        if isinstance(obj, LTAnno):
            if not text.strip():
                following = next((o.get_text() for o in objects[index + 1 :] if not isinstance(o, LTAnno)), "")
                previous = parts[-1] if parts else ""
                if not previous or not following or _is_cjk(previous[-1]) or _is_cjk(following[0]):
                    continue
                text = " "
        parts.append(text)
    return "".join(parts).strip()


def _iter_layout(container: Any, kind: type) -> Iterator[Any]:
    """All layout objects of ``kind`` under ``container`` (text boxes, figures), depth first."""
    stack = [container]
    while stack:
        item = stack.pop()
        if isinstance(item, kind):
            yield item
        elif hasattr(item, "__iter__"):
            stack.extend(reversed(list(item)))


def _first_word_width(line: Any) -> float:
    """Width of the Latin word a line starts with (0 if it starts with a CJK character)."""
    from pdfminer.layout import LTChar

    start = end = None
    for obj in line:
        if not isinstance(obj, LTChar):
            break
        ch = obj.get_text()
        if ch.isspace() or (len(ch) == 1 and _is_cjk(ch)):
            break
        start = obj.x0 if start is None else start
        end = obj.x1
    return 0.0 if start is None or end is None else end - start


def _pitch(rows: list[_Row]) -> float:
    """The page's normal line pitch: a low quantile of baseline gaps (paragraph gaps are larger)."""
    sizes = [row.size for row in rows] or [10.0]
    size = statistics.median(sizes)
    gaps = sorted(a.y0 - b.y0 for a, b in itertools.pairwise(rows) if 0.5 * size < a.y0 - b.y0 < 4 * size)
    return gaps[len(gaps) // 4] if gaps else 1.3 * size


def _mark_running_lines(pages: list[_Page]) -> None:
    """Mark the isolated rows at the top and bottom of each page (running header, footer, page number):
    up to two rows at each end lying in the outer 8% of the page and set off from the body by a wider gap
    than the line pitch, or set off by a very wide gap anywhere."""
    for page in pages:
        rows = page.rows
        if len(rows) < 2:
            continue
        pitch = _pitch(rows)
        band = _EDGE_BAND * page.height
        top = 0
        while top < min(2, len(rows) - 1):
            row, gap = rows[top], rows[top].y0 - rows[top + 1].y0
            if (row.y0 >= page.y1 - band and gap > 1.25 * pitch) or gap > 2.2 * pitch:
                top += 1
            else:
                break
        bottom = 0
        while bottom < min(2, len(rows) - 1 - top):
            index = len(rows) - 1 - bottom
            row, gap = rows[index], rows[index - 1].y0 - rows[index].y0
            if (row.y1 <= page.y0 + band and gap > 1.25 * pitch) or gap > 2.2 * pitch:
                bottom += 1
            else:
                break
        page.top, page.bottom = top, bottom


def _size_key(page: _Page) -> tuple[int, int]:
    return round(page.width), round(page.height)


def _document_margins(pages: list[_Page]) -> tuple[dict[tuple[int, int], float], dict[tuple[int, int], float]]:
    """Left and right body-text margins shared by pages of one size: the median over the pages that show
    them (at least two body rows start at the page's leftmost start / end at its rightmost end, within
    1.5 character widths). A page of short lines then still gets the document's margins."""
    lefts: dict[tuple[int, int], list[float]] = {}
    rights: dict[tuple[int, int], list[float]] = {}
    for page in pages:
        body = page.body
        if len(body) < 2:
            continue
        slack = _REACH_CHARS * statistics.median(row.char_width for row in body)
        left, right = min(row.x0 for row in body), max(row.x1 for row in body)
        if sum(1 for row in body if row.x0 <= left + slack) >= 2:
            lefts.setdefault(_size_key(page), []).append(left)
        if sum(1 for row in body if row.x1 >= right - slack) >= 2:
            rights.setdefault(_size_key(page), []).append(right)
    return (
        {key: statistics.median(values) for key, values in lefts.items()},
        {key: statistics.median(values) for key, values in rights.items()},
    )


def _page_lines(page: _Page, left: float | None, right: float | None) -> list[str]:
    """The page's output lines: header rows, body rows re-joined into paragraphs, footer rows."""
    rows = page.rows
    if not rows:
        return []
    end = len(rows) - page.bottom
    lines = [row.text for row in rows[: page.top]]
    body = rows[page.top : end]
    plain = [row for row in body if not row.columns] or body
    if left is None:
        left = min(row.x0 for row in plain) if plain else 0.0
    if right is None:
        # No page of the document shows its right margin (no two lines end there): the longest line may be
        # short too, so assume a right margin at least as wide as the left one (less a little slack).
        right = max(row.x1 for row in plain) if plain else 0.0
        if plain:
            mirrored = 2 * page.x0 + page.width - left - 1.5 * statistics.median(row.char_width for row in plain)
            right = max(right, mirrored)
    pitch = _pitch(body)
    current: str | None = None
    starts_paragraph = True  # whether the previous row began the current paragraph
    for index, row in enumerate(body):
        if current is None:
            current = row.text
        elif _continues(body[index - 1], row, left, right, pitch, starts_paragraph):
            current = _join_line(current, row.text)
            starts_paragraph = False
            continue
        else:
            lines.append(current)
            current = row.text
        starts_paragraph = True
    if current is not None:
        lines.append(current)
    lines.extend(row.text for row in rows[end:])
    return lines


def _continues(prev: _Row, row: _Row, left: float, right: float, pitch: float, prev_starts: bool) -> bool:
    """Whether ``row`` continues the paragraph of ``prev`` (the line above it; ``prev_starts``: ``prev`` is
    the first line of its paragraph).

    No when: either is a multi-column row; the baseline gap is a paragraph gap; the font size changes;
    ``prev`` ends short of the right margin (and the next line's first word would have fitted); ``row`` is
    indented (further right than the margin and than ``prev``, or as far as an indented first line ``prev``:
    a continuation line goes back to the margin).
    """
    if prev.columns or row.columns:
        return False
    if prev.y0 - row.y0 > _PARAGRAPH_GAP * pitch:
        return False
    if abs(prev.size - row.size) > 0.15 * max(prev.size, row.size):
        return False
    slack = right - prev.x1
    if slack > _REACH_CHARS * prev.char_width:
        # Short line: a paragraph end, unless the next line's first word could not have fitted in the gap.
        if not row.first_word_width or row.first_word_width + 0.5 * prev.char_width <= slack:
            return False
    if row.x0 - left <= row.char_width:
        return True
    if row.x0 > prev.x0 + 0.5 * row.char_width:
        return False
    return not (prev_starts and prev.x0 - left > row.char_width)


def _join_line(text: str, following: str) -> str:
    """Join a wrapped line to the next: ``"网络"+"强国"`` → ``"网络强国"``, ``"of"+"the"`` → ``"of the"``,
    ``"co-"+"operate"`` → ``"co-operate"`` (a line-end hyphen between Latin letters is kept as is)."""
    if (
        len(text) > 1
        and text.endswith("-")
        and text[-2].isalpha()
        and not _is_cjk(text[-2])
        and following[:1].isalpha()
        and not _is_cjk(following[0])
    ):
        return text + following
    return _join_pieces([text, following])

