"""What every format reader shares: the ``Ingested`` record, CJK-aware joining of text pieces, short
library-error descriptions in words, and silencing a library's log while it reads."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import regex


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


# Where a library's message turns into a dump of its data: a byte string, escaped bytes, a list or
# dictionary, an object repr, a quoted name.
_DATA_START = regex.compile(r"""\bb['"]|\\x[0-9a-fA-F]{2}|[\[{<]|/?'|\d+\s*,\s*\d+|[^\p{L}\p{N}\p{P}\p{Zs}]""")
# Library exceptions in words, by class: these first, whatever their message says.
_KNOWN = {
    "PSEOF": "the file is cut short",
    "zlib.error": "a compressed stream is corrupt",
}
# The words for an exception whose message is only data, by class name.
_WORDS = {
    "KeyError": "a part the file refers to is missing",
    "IndexError": "a part the file refers to is missing",
    "UnicodeDecodeError": "text in the file cannot be decoded",
    "RecursionError": "its structure is nested too deeply",
    "MemoryError": "too large to read",
}


def _describe(exc: BaseException) -> str:
    """What went wrong, in words, on one line: a library's message without the data it dumps.

    ``PSSyntaxError("Invalid dictionary construct: [/b'I\\xc7', ...]")`` → ``"invalid dictionary construct"``;
    ``PDFSyntaxError("No /Root object! - Is this really a PDF?")`` → ``"no /Root object! - is this really a
    PDF?"``; an exception whose message is only data (``KeyError(b'\\xd5')``) → words for its kind.
    """
    kind = type(exc).__name__
    known = _KNOWN.get(kind) or _KNOWN.get(f"{type(exc).__module__}.{kind}")
    if known is not None:
        return known
    message = " ".join(str(exc).split())
    match = _DATA_START.search(message)
    if match is not None:
        message = message[: match.start()]
    message = message.strip(" :;,-=([{")
    if len(message) > 80:
        message = message[:77].rstrip() + "..."
    if not regex.search(r"\p{L}{2}", message):
        return _WORDS.get(kind, "its structure cannot be read")
    return message[0].lower() + message[1:] if message[1:2].islower() or len(message) == 1 else message


# -------------------------------------------------------------------------------------- format detection

_BINARY_SUFFIXES = frozenset(
    (
        ".png .jpg .jpeg .gif .bmp .tif .tiff .webp .ico .xls .xlsx .ppt .pptx .odt .ods .odp .zip .rar .7z "
        ".gz .exe .dll .mp3 .mp4 .avi .wps .et .dps .caj .kdh .nh .djvu .epub .mobi .chm .swf"
    ).split()
)


@contextmanager
def library_log_silenced(name: str) -> Iterator[None]:
    """Keep the ``name`` library's log records (``pdfminer``: "Not adding object 7 to xref because position
    b'00000\\xf81674'…") from reaching stderr while the block runs: what matters is raised as an error.
    """
    logger = logging.getLogger(name)
    saved = logger.level
    logger.setLevel(logging.CRITICAL + 1)  # its modules' loggers inherit the level: none of them emits
    try:
        yield
    finally:
        logger.setLevel(saved)
