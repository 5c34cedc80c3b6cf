"""DOCX: one line per body paragraph or table row, in document order; headers, footers and the title
property kept in the metadata."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..errors import IngestError
from .common import Ingested, _describe, _join_pieces

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_R_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
_W_P, _W_TBL, _W_TR, _W_TC, _W_T = f"{_W}p", f"{_W}tbl", f"{_W}tr", f"{_W}tc", f"{_W}t"
_W_TXBX = f"{_W}txbxContent"
_W_BREAKS = {f"{_W}br", f"{_W}cr"}
_W_TABS = {f"{_W}tab", f"{_W}ptab"}
# Inside a paragraph: property blocks, deleted text, field codes, footnote marks hold no visible text.
_W_SKIP = {
    f"{_W}{name}"
    for name in (
        "pPr rPr delText instrText delInstrText footnoteReference endnoteReference commentReference annotationRef"
    ).split()
}
# Block containers whose children are paragraphs and tables (content controls, custom XML, tracked moves).
_W_BLOCK_WRAPPERS = {f"{_W}{name}" for name in ("sdt", "sdtContent", "customXml", "ins", "moveTo")}


def read_docx(data: bytes, path: Path) -> Ingested:
    """A Word .docx: body paragraphs and table rows in document order, one line each.

    Table cells are joined by ``"\\t"`` (a cell's own paragraphs by a space between Latin text, nothing next
    to CJK). A line break inside a paragraph (``w:br``) starts a new line; text boxes follow their paragraph.
    Headers and footers are not in the text: ``metadata["docx_headers"]``/``["docx_footers"]`` list their
    distinct texts in order; ``metadata["docx_title"]`` is the core-properties title.
    """
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    path = Path(path)
    try:
        document = docx.Document(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise IngestError(path, "damaged DOCX (not a valid zip archive)") from exc
    except PackageNotFoundError as exc:
        raise IngestError(path, "damaged DOCX (not a Word package)") from exc
    except KeyError as exc:
        raise IngestError(path, f"damaged DOCX (missing part {exc})") from exc
    except ValueError as exc:
        if "not a Word file" in str(exc):
            raise IngestError(path, "unsupported Word variant (template or macro-enabled); save it as .docx") from exc
        raise IngestError(path, f"damaged DOCX ({_describe(exc)})") from exc
    except Exception as exc:
        raise IngestError(path, f"damaged DOCX ({_describe(exc)})") from exc

    try:
        lines = list(_docx_blocks(document.element.body))
        metadata = _docx_metadata(document)
    except Exception as exc:
        raise IngestError(path, f"damaged DOCX ({_describe(exc)})") from exc
    if not lines:
        raise IngestError(path, "document has no text")
    return Ingested(text="\n".join(lines), format="docx", encoding=None, metadata=metadata)


def _docx_blocks(container: Any) -> Iterator[str]:
    """The lines of a block container (body, header, cell, text box): its paragraphs and table rows."""
    for child in container.iterchildren():
        tag = child.tag
        if tag == _W_P:
            yield from _docx_paragraph(child)
        elif tag == _W_TBL:
            yield from _docx_table(child)
        elif tag in _W_BLOCK_WRAPPERS:
            yield from _docx_blocks(child)


def _docx_paragraph(paragraph: Any) -> Iterator[str]:
    """One paragraph → its line(s) (split at ``w:br``), then the lines of any text box anchored in it."""
    pieces: list[str] = []
    boxes: list[Any] = []
    _docx_inline_text(paragraph, pieces, boxes)
    for line in "".join(pieces).split("\n"):
        line = line.strip()
        if line:
            yield line
    for box in boxes:
        yield from _docx_blocks(box)


def _docx_inline_text(element: Any, pieces: list[str], boxes: list[Any]) -> None:
    for child in element.iterchildren():
        tag = child.tag
        if not isinstance(tag, str) or tag in _W_SKIP or tag == _MC_FALLBACK:
            continue
        if tag == _W_T:
            pieces.append(child.text or "")
        elif tag in _W_TABS:
            pieces.append("\t")
        elif tag in _W_BREAKS:
            pieces.append("\n")
        elif tag == f"{_W}noBreakHyphen":
            pieces.append("-")
        elif tag == _W_TXBX:
            boxes.append(child)
        else:
            _docx_inline_text(child, pieces, boxes)


def _docx_table(table: Any) -> Iterator[str]:
    """Each row → one line of cell texts joined by ``"\\t"``; rows with only empty cells are skipped."""
    for row in _docx_children(table, _W_TR):
        cells = [_join_pieces(_docx_blocks(cell)) for cell in _docx_children(row, _W_TC)]
        if any(cell.strip() for cell in cells):
            yield "\t".join(cell.replace("\t", " ") for cell in cells)


def _docx_children(element: Any, tag: str) -> Iterator[Any]:
    """Children with ``tag``, looking through content-control and custom-XML wrappers."""
    for child in element.iterchildren():
        if child.tag == tag:
            yield child
        elif child.tag in _W_BLOCK_WRAPPERS:
            yield from _docx_children(child, tag)


def _docx_metadata(document: Any) -> dict[str, Any]:
    """Title, and the distinct header/footer texts of all sections in order."""
    metadata: dict[str, Any] = {}
    headers: list[str] = []
    footers: list[str] = []
    part = document.part
    body = document.element.body
    for sect_pr in body.iter(f"{_W}sectPr"):
        for reference in sect_pr.iterchildren(f"{_W}headerReference", f"{_W}footerReference"):
            target = headers if reference.tag == f"{_W}headerReference" else footers
            related = part.related_parts.get(reference.get(_R_ID))
            if related is None:
                continue
            text = "\n".join(_docx_blocks(related.element))
            if text and text not in target:
                target.append(text)
    metadata["docx_headers"] = headers
    metadata["docx_footers"] = footers
    title = (document.core_properties.title or "").strip()
    if title:
        metadata["docx_title"] = title
    return metadata


