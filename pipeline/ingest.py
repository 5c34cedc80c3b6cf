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
"""

from __future__ import annotations

import codecs
import io
import itertools
import re
import statistics
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.errors import IngestError

__all__ = [
    "Ingested",
    "decode_text",
    "detect_format",
    "read_document",
    "read_docx",
    "read_html",
    "read_pdf",
    "read_txt",
]


@dataclass(slots=True)
class Ingested:
    """A document read into text.

    ``text``: lines separated by ``"\\n"``, PDF pages by ``"\\f"``. ``format``: ``"txt"``, ``"html"``,
    ``"docx"`` or ``"pdf"``. ``encoding``: the detected encoding for txt/html, else ``None``. ``metadata``:
    format-specific facts (``html_title``; ``docx_title``, ``docx_headers``, ``docx_footers``; ``pdf_pages``,
    ``pdf_unmapped_glyphs``).
    """

    text: str
    format: str
    encoding: str | None
    metadata: dict[str, Any] = field(default_factory=dict)


# ---------------------------------------------------------------------------------------- characters

# Han, CJK punctuation, kana, Hangul, full-width forms: text written without spaces between words.
_CJK_CLASS = (
    "\u1100-\u11ff\u2e80-\u2fdf\u2ff0-\u303f\u3040-\u31ff\u3200-\u9fff\ua960-\ua97f\uac00-\ud7af"
    "\uf900-\ufaff\ufe10-\ufe1f\ufe30-\ufe4f\uff00-\uffef\U00020000-\U0003ffff"
)
_CJK_RE = re.compile(f"[{_CJK_CLASS}]")
# Punctuation shared by Chinese and Latin text: it takes the script of its other neighbour.
_NEUTRAL = "“”‘’\"'…—–·"


def _is_cjk(ch: str) -> bool:
    return bool(_CJK_RE.match(ch))


def _needs_space(left: str, right: str) -> bool:
    """Whether a line break between ``left`` and ``right`` stands for a space.

    Only between two Latin (non-CJK) characters: ``"of"|"the"`` → True; ``"网络"|"强国"``, ``"Word"|"文档"``,
    ``"说：“"|"Hello"`` → False.
    """
    if not left or not right:
        return False
    a, b = left[-1], right[0]
    if a.isspace() or b.isspace() or _is_cjk(a) or _is_cjk(b):
        return False
    if a in _NEUTRAL and len(left) > 1 and _is_cjk(left[-2]):
        return False
    return not (b in _NEUTRAL and len(right) > 1 and _is_cjk(right[1]))


def _join_pieces(pieces: Iterable[str]) -> str:
    """Join text pieces with a space between Latin neighbours, nothing next to CJK: ``["a", "b", "中"]`` →
    ``"a b中"``."""
    out = ""
    for piece in pieces:
        if piece:
            out = out + (" " if _needs_space(out, piece) else "") + piece
    return out


# ------------------------------------------------------------------------------------------ entry point

_HEAD_SIZE = 8192


def read_document(path: str | Path) -> Ingested:
    """Read the document at ``path`` (TXT, HTML, DOCX or PDF, recognised by content) into text.

    ``read_document("notes.txt")`` → ``Ingested(text="第一行\\n第二行", format="txt", encoding="gb18030",
    metadata={})``. Raises :class:`IngestError` (never returns ``None``) when the file is missing, a
    directory, unreadable, empty, binary, unsupported, damaged or encrypted. The file is never modified.
    """
    path = Path(path)
    data = _read_bytes(path)
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


def _describe(exc: BaseException) -> str:
    """A short one-line description of a library exception: ``"PDFSyntaxError: No /Root object!"``."""
    message = " ".join(str(exc).split())
    if len(message) > 80:
        message = message[:77] + "..."
    return f"{type(exc).__name__}: {message}" if message else type(exc).__name__


# -------------------------------------------------------------------------------------- format detection

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
_BINARY_SUFFIXES = frozenset(
    (
        ".png .jpg .jpeg .gif .bmp .tif .tiff .webp .ico .xls .xlsx .ppt .pptx .odt .ods .odp .zip .rar .7z "
        ".gz .exe .dll .mp3 .mp4 .avi .wps .et .dps .caj .kdh .nh .djvu .epub .mobi .chm .swf"
    ).split()
)
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

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_ANALYSE_CHARS = 20000  # statistics look at the first characters only (speed on big files)
_CONTROL_OK = "\t\n\r\f"
_CHINESE_FAMILY = ("gb", "big5", "cp950", "hz", "cp936")


def decode_text(data: bytes, path: Path) -> tuple[str, str]:
    """Decode a text file's bytes, detecting the encoding; return ``(text, encoding name)``.

    Order: byte-order mark (UTF-8/16/32); UTF-16 without BOM (NUL bytes at odd or even positions); strict
    UTF-8; GB18030 (covers GBK and GB2312) when the result reads as common Chinese; Big5; charset-normalizer
    as the fallback detector; GB18030 again for Chinese bytes it misnames. ``"\\r\\n"`` and ``"\\r"`` become
    ``"\\n"``, a leading BOM character is dropped, form feeds are kept.
    ``decode_text("中文\\r\\n".encode("gbk"), p)`` → ``("中文\\n", "gb18030")``.

    Raises IngestError ``"binary data, not text"`` (NUL bytes outside a UTF-16 pattern, more than ~5% control
    characters, undecodable) or ``"empty file"`` (nothing but whitespace).
    """
    path = Path(path)
    if not data:
        raise IngestError(path, "empty file")
    text, encoding = _decode(data, path)
    if "\x00" in text or _control_ratio(text) > 0.05:
        raise IngestError(path, "binary data, not text")
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise IngestError(path, "empty file")
    return text, encoding


def _decode(data: bytes, path: Path) -> tuple[str, str]:
    for bom, codec in _BOMS:
        if data.startswith(bom):
            text = _strict(data, codec)
            if text is None:
                raise IngestError(path, "binary data, not text")
            return text, codec
    if b"\x00" in data:
        found = _decode_utf16_by_nuls(data)
        if found is None:
            raise IngestError(path, "binary data, not text")
        return found
    utf8 = _strict(data, "utf-8")
    if utf8 is not None:
        return utf8, "utf-8"
    gb_text = _strict(data, "gb18030")
    gb_score = _common_score(gb_text, "gb2312", 0xD7) if gb_text is not None else 0.0
    if gb_text is not None and gb_score >= 0.85 and _mostly_common(gb_text):
        return gb_text, "gb18030"
    big5 = _decode_big5(data)
    if big5 is not None and _common_score(big5[0], "big5", 0xC6) > max(0.8, gb_score + 0.1):
        return big5
    utf16 = _decode_utf16_han(data)
    if utf16 is not None:
        return utf16
    nearly = _decode_nearly_utf8(data)
    if nearly is not None:
        return nearly
    guess = _charset_normalizer_guess(data)
    if guess is not None and (gb_text is None or not guess[1].lower().startswith(_CHINESE_FAMILY)):
        return guess
    if gb_text is not None and _mostly_common(gb_text):
        return gb_text, "gb18030"
    if guess is not None:
        return guess
    raise IngestError(path, "binary data, not text")


_CUT_REASONS = ("unexpected end of data", "incomplete multibyte sequence", "truncated data")


def _strict(data: bytes, codec: str) -> str | None:
    """``data`` decoded strictly, or None. A file cut inside its last character (a truncated download) still
    decodes: the partial character is dropped."""
    try:
        return data.decode(codec)
    except LookupError:
        return None
    except UnicodeDecodeError as exc:
        if exc.reason in _CUT_REASONS and exc.end == len(data) and exc.start >= len(data) - 3:
            try:
                return data[: exc.start].decode(codec)
            except UnicodeDecodeError:
                return None
        return None


def _decode_utf16_by_nuls(data: bytes) -> tuple[str, str] | None:
    """UTF-16 without BOM: ASCII characters put their NUL byte at odd (LE) or even (BE) positions.

    The parity with more NUL bytes is tried first (CJK characters such as 一 U+4E00 put a few NULs on the
    other side); the decoded text must read as text.
    """
    sample = data[: min(len(data), 65536)]
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    order = (("utf-16-le", odd), ("utf-16-be", even))
    for codec, nuls in sorted(order, key=lambda item: -item[1]):
        if nuls:
            text = _strict(data, codec)
            if text is not None and _mostly_common(text):
                return text, codec
    return None


def _decode_utf16_han(data: bytes) -> tuple[str, str] | None:
    """UTF-16 without BOM and without any ASCII (so no NUL bytes): accept only text made of common Chinese
    characters (other double-byte encodings read as UTF-16 give rare or non-Han characters)."""
    if len(data) % 2 or len(data) < 4:
        return None
    for codec in ("utf-16-le", "utf-16-be"):
        text = _strict(data, codec)
        if text is not None and _mostly_common(text):
            if max(_common_score(text, "gb2312", 0xD7), _common_score(text, "big5", 0xC6)) >= 0.85:
                return text, codec
    return None


def _decode_big5(data: bytes) -> tuple[str, str] | None:
    for codec in ("big5", "cp950", "big5hkscs"):
        text = _strict(data, codec)
        if text is not None and _mostly_common(text):
            return text, codec
    return None


def _decode_nearly_utf8(data: bytes) -> tuple[str, str] | None:
    """UTF-8 with a handful of bad bytes (each becomes U+FFFD): at most one in a thousand characters."""
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd") - data.decode("utf-8", errors="ignore").count("\ufffd")
    non_ascii = sum(1 for b in data[:65536] if b >= 0x80)
    if non_ascii >= 8 and bad <= max(1, len(text) // 1000):
        return text, "utf-8"
    return None


def _charset_normalizer_guess(data: bytes) -> tuple[str, str] | None:
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(data).best()
    except Exception:  # a detector failure is just "no guess"
        return None
    if best is None or not best.encoding:
        return None
    text = _strict(data, best.encoding)
    if text is None or _control_ratio(text) > 0.05:
        return None
    return text, best.encoding


def _common_score(text: str, codec: str, last_common_lead: int) -> float:
    """Share of the non-ASCII characters that are common in ``codec``'s script.

    A character is common when its ``codec`` encoding has a lead byte at most ``last_common_lead``: GB2312
    symbols and level-1 hanzi (lead ≤ 0xD7), Big5 symbols and level-1 characters (lead ≤ 0xC6). Text
    decoded with the wrong Chinese codec is full of rare characters and scores low.
    """
    chars = [ch for ch in text[:_ANALYSE_CHARS] if ord(ch) > 0x7F]
    if not chars:
        return 1.0
    common = 0
    for ch in chars:
        try:
            encoded = ch.encode(codec)
        except UnicodeEncodeError:
            continue
        if len(encoded) == 2 and encoded[0] <= last_common_lead:
            common += 1
    return common / len(chars)


def _mostly_common(text: str) -> bool:
    """Whether ``text`` is mostly printable ASCII, whitespace, CJK or ordinary punctuation (≥ 90%)."""
    sample = text[:_ANALYSE_CHARS]
    if not sample:
        return False
    good = 0
    for ch in sample:
        if (" " <= ch <= "~") or ch in _CONTROL_OK or _is_cjk(ch) or "\u2000" <= ch <= "\u206f":
            good += 1
        elif "\u00a0" <= ch <= "\u024f" or "\u0370" <= ch <= "\u04ff":  # Latin-1, Latin ext, Greek, Cyrillic
            good += 1
    return good >= 0.9 * len(sample)


def _control_ratio(text: str) -> float:
    """Share of control, surrogate and unassigned characters (tab, line ends and form feed excepted)."""
    sample = text[:_ANALYSE_CHARS]
    if not sample:
        return 0.0
    bad = sum(1 for ch in sample if ch not in _CONTROL_OK and unicodedata.category(ch) in ("Cc", "Cs", "Cn"))
    return bad / len(sample)


# ----------------------------------------------------------------------------------------------- TXT


def read_txt(data: bytes, path: Path) -> Ingested:
    """Plain text: detect the encoding and decode (see :func:`decode_text`)."""
    path = Path(path)
    try:
        text, encoding = decode_text(data, path)
    except IngestError as exc:
        if exc.reason == "binary data, not text" and path.suffix.lower() in _BINARY_SUFFIXES:
            raise IngestError(path, f"unsupported file type ({path.suffix.lower()})") from exc
        raise
    return Ingested(text=text, format="txt", encoding=encoding, metadata={})


# ---------------------------------------------------------------------------------------------- HTML

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


# ---------------------------------------------------------------------------------------------- DOCX

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


# ----------------------------------------------------------------------------------------------- PDF

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
    """Run pdfminer's layout analysis; turn its exceptions into IngestError."""
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LAParams
    from pdfminer.pdfdocument import PDFEncryptionError
    from pdfminer.pdfparser import PDFSyntaxError
    from pdfminer.psexceptions import PSException

    laparams = LAParams(line_margin=0.5, char_margin=2.0, word_margin=0.1, all_texts=True)
    pages: list[_Page] = []
    try:
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
