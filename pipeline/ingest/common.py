"""What every format reader shares: the ``Ingested`` record, CJK-aware joining of text pieces, short
library-error descriptions."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any


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


def _describe(exc: BaseException) -> str:
    """A short one-line description of a library exception: ``"PDFSyntaxError: No /Root object!"``."""
    message = " ".join(str(exc).split())
    if len(message) > 80:
        message = message[:77] + "..."
    return f"{type(exc).__name__}: {message}" if message else type(exc).__name__


# -------------------------------------------------------------------------------------- format detection

_BINARY_SUFFIXES = frozenset(
    (
        ".png .jpg .jpeg .gif .bmp .tif .tiff .webp .ico .xls .xlsx .ppt .pptx .odt .ods .odp .zip .rar .7z "
        ".gz .exe .dll .mp3 .mp4 .avi .wps .et .dps .caj .kdh .nh .djvu .epub .mobi .chm .swf"
    ).split()
)
