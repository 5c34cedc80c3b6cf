"""Read a document file (TXT, HTML, DOCX, PDF) into plain text.

The format is recognised by content (magic bytes), the file name's suffix only breaks ties. Text encodings
are detected, not guessed from the suffix. Every failure raises :class:`~pipeline.errors.IngestError` with a
one-line reason; the input file is only ever opened for reading.

What each format gives (``Ingested.text``):

- txt: the decoded text, line ends normalised to ``"\\n"``, form feeds kept.
- html: the visible text, one line per block element (``<p>``, ``<div>``, ``<li>``, ``<h1>``…), table cells
  joined by ``"\\t"``; scripts, styles, navigation and forms dropped.
- docx: one line per body paragraph, one line per table row (cells joined by ``"\\t"``), in document order;
  headers and footers go to the metadata.
- pdf: pages separated by ``"\\f"``; lines re-joined into paragraphs from the page geometry; running headers,
  footers and page numbers kept as lines of their own (a later stage removes them).

One module per format (``txt``, ``html``, ``docx``, ``pdf``); ``common`` holds what they share; this module
recognises the format and dispatches.
"""

from __future__ import annotations

import codecs
import re
import zipfile
from pathlib import Path

from ..errors import IngestError
from .common import _HEAD_SIZE, Ingested, _describe
from .docx import read_docx
from .html import read_html
from .pdf import read_pdf
from .txt import decode_text, read_txt

__all__ = [
    "Ingested",
    "decode_text",
    "detect_format",
    "read_document",
    "read_document_bytes",
    "read_docx",
    "read_html",
    "read_pdf",
    "read_txt",
]



def read_document(path: str | Path) -> Ingested:
    """Read the document at ``path`` (TXT, HTML, DOCX or PDF, recognised by content) into text.

    ``read_document("notes.txt")`` → ``Ingested(text="第一行\\n第二行", format="txt", encoding="gb18030",
    metadata={})``. Raises :class:`IngestError` (never returns ``None``) when the file is missing, a
    directory, unreadable, empty, binary, unsupported, damaged or encrypted. The file is never modified.
    """
    path = Path(path)
    return read_document_bytes(_read_bytes(path), path)


def read_document_bytes(data: bytes, path: str | Path) -> Ingested:
    """Read a document from its bytes (fetched from anywhere); ``path`` names it in errors and breaks ties."""
    path = Path(path)
    if not data:
        raise IngestError(path, "empty file")
    fmt = detect_format(path, data[:_HEAD_SIZE])
    readers = {"txt": read_txt, "html": read_html, "docx": read_docx, "pdf": read_pdf}
    try:
        return readers[fmt](data, path)
    except IngestError:
        raise
    except Exception as exc:  # a library failed in a way not anticipated below: still one clear line
        raise IngestError(path, f"cannot read {fmt.upper()} file ({_describe(exc)})") from exc


def _read_bytes(path: Path) -> bytes:
    """The file's bytes; IngestError for missing, directory, not a regular file, unreadable, empty."""
    try:
        if path.is_dir():
            raise IngestError(path, "is a directory")
        if not path.exists():
            raise IngestError(path, "file not found")
        if not path.is_file():
            raise IngestError(path, "not a regular file")
        with path.open("rb") as handle:
            data = handle.read()
    except IngestError:
        raise
    except PermissionError as exc:
        raise IngestError(path, "permission denied (cannot read the file)") from exc
    except FileNotFoundError as exc:
        raise IngestError(path, "file not found") from exc
    except IsADirectoryError as exc:
        raise IngestError(path, "is a directory") from exc
    except OSError as exc:
        raise IngestError(path, f"cannot read the file ({(exc.strerror or str(exc)).lower()})") from exc
    if not data:
        raise IngestError(path, "empty file")
    return data



# Magic bytes of formats docmend does not read, with the suffix named in the error.
_UNSUPPORTED_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", ".png"),
    (b"\xff\xd8\xff", ".jpg"),
    (b"GIF87a", ".gif"),
    (b"GIF89a", ".gif"),
    (b"II*\x00", ".tif"),
    (b"MM\x00*", ".tif"),
    (b"\x1f\x8b", ".gz"),
    (b"7z\xbc\xaf\x27\x1c", ".7z"),
    (b"Rar!\x1a\x07", ".rar"),
    (b"BZh", ".bz2"),
    (b"\xfd7zXZ\x00", ".xz"),
    (b"{\\rtf", ".rtf"),
    (b"\x7fELF", ".elf"),
    (b"%!PS", ".ps"),
    (b"AT&TFORM", ".djvu"),
    (b"ITSF", ".chm"),
    (b"\x00\x00\x01\x00", ".ico"),
    (b"OggS", ".ogg"),
    (b"fLaC", ".flac"),
    (b"ID3", ".mp3"),
    (b"SQLite format 3\x00", ".sqlite"),
)
# Suffixes that are never text: used only to name the type when the content is not readable text.
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_DOC_SUFFIXES = {".docx", ".docm", ".dotx", ".dotm"}
# A zip's telltale member → what it is (for the error), when it is not a Word document.
_ZIP_KINDS = (
    ("xl/workbook.xml", ".xlsx"),
    ("ppt/presentation.xml", ".pptx"),
    ("META-INF/container.xml", ".epub"),
)
_HTML_START_RE = re.compile(rb"^(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html[\s>])", re.IGNORECASE | re.DOTALL)
_HTML_TAG_RE = re.compile(rb"<(?:head|body|meta)[\s>/]", re.IGNORECASE)


def detect_format(path: Path, head: bytes) -> str:
    """Recognise a document's format from its first bytes ``head``; the suffix of ``path`` only breaks ties.

    Returns ``"pdf"`` (``%PDF-``), ``"docx"`` (a zip holding ``word/document.xml``; ``path`` is opened
    read-only to list the archive), ``"html"`` (the first ~2 KB start with ``<!doctype html``/``<html`` or
    contain ``<head``, ``<body`` or ``<meta``) or ``"txt"`` (anything else; decoding decides later whether
    it is text at all). ``detect_format(Path("x.doc"), b"<html>...")`` → ``"html"``.

    Raises IngestError for legacy Word .doc (OLE2), damaged DOCX (a bad zip named .docx, or a zip without
    ``word/document.xml``), known non-text types (images, archives, .xlsx, .pptx…).
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if b"%PDF-" in head[:1024]:
        return "pdf"
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")):
        return _detect_zip(path, suffix)
    if head.startswith(_OLE2_MAGIC):
        if suffix in {".xls", ".ppt", ".msg", ".wps", ".et", ".dps"}:
            raise IngestError(path, f"unsupported file type ({suffix})")
        raise IngestError(path, "legacy .doc format is not supported; convert it to .docx")
    for magic, kind in _UNSUPPORTED_MAGIC:
        if head.startswith(magic):
            raise IngestError(path, f"unsupported file type ({kind})")
    if head[:4] == b"RIFF" and head[8:12] in (b"WEBP", b"AVI ", b"WAVE"):
        raise IngestError(path, f"unsupported file type (.{head[8:12].decode('ascii').strip().lower()})")
    if _looks_like_html(head):
        return "html"
    return "txt"


def _detect_zip(path: Path, suffix: str) -> str:
    """A zip archive: a Word document, something else (unsupported), or a damaged file."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        if suffix in _DOC_SUFFIXES:
            raise IngestError(path, "damaged DOCX (not a valid zip archive)") from exc
        raise IngestError(path, f"damaged or unsupported zip archive ({suffix or 'no suffix'})") from exc
    if "word/document.xml" in names:
        return "docx"
    for member, kind in _ZIP_KINDS:
        if member in names:
            raise IngestError(path, f"unsupported file type ({kind})")
    if suffix in _DOC_SUFFIXES:
        raise IngestError(path, "damaged DOCX (no word/document.xml in the archive)")
    raise IngestError(path, f"unsupported file type ({suffix or '.zip'})")


def _looks_like_html(head: bytes) -> bool:
    """Whether the first ~2 KB look like an HTML page (handles a BOM and UTF-16)."""
    sample = head[:2048]
    for bom, codec in ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if sample.startswith(bom) and not sample.startswith(codecs.BOM_UTF32_LE):
            sample = sample[len(bom) :].decode(codec, errors="ignore").encode("ascii", errors="ignore")
            break
    sample = sample.removeprefix(codecs.BOM_UTF8).lstrip()
    return bool(_HTML_START_RE.match(sample) or _HTML_TAG_RE.search(sample))


# ------------------------------------------------------------------------------------------ decoding
