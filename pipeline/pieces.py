"""Reading a long text in bounded pieces: the whole-text scans of the stages keep their arrays small.

A 20 MB Chinese text is a Python ``str`` of about 15 MB (two bytes a character) but an array of its
code points is 30 MB, and every mask, count or cast over it another 7 to 30 MB. The stages read such
a text in pieces of whole lines (:func:`line_pieces`), or as 16-bit code units where no character
needs more (:func:`code_units`), so their memory stays a fraction of the text's.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

PIECE_CHARS = 1 << 18  # characters per piece: a few MB of arrays however long the text


def line_pieces(text: str, piece_chars: int = PIECE_CHARS) -> Iterator[tuple[int, int]]:
    """(start, end) of consecutive pieces covering ``text``, each about ``piece_chars`` characters and cut
    just after a line break (a line longer than that stays whole).

    >>> list(line_pieces("ab\\ncd\\nef", 1))
    [(0, 3), (3, 6), (6, 8)]
    """
    offset = 0
    while offset < len(text):
        cut = text.find("\n", offset + piece_chars - 1)
        end = len(text) if cut == -1 else cut + 1
        yield offset, end
        offset = end


def code_units(text: str) -> np.ndarray:
    """The text's code points as 16-bit units when every character is in the BMP and none is a surrogate
    (a UTF-16 view, half the size of :func:`pipeline.language.code_points`), else as 32-bit code points.
    Either way one entry per character, equal to its code point.

    >>> code_units("a中").dtype, code_units("a中").tolist(), code_units("a\\U00020000").dtype
    (dtype('uint16'), [97, 20013], dtype('uint32'))
    """
    try:
        data = text.encode("utf-16-le")  # strict: a lone surrogate fails here
    except UnicodeEncodeError:
        data = b""
    if len(data) == 2 * len(text):
        return np.frombuffer(data, dtype=np.uint16)
    del data  # a character outside the BMP took two units
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


def replaced_units(text: str, positions: list[np.ndarray], chars: list[str]) -> str | None:
    """``text`` with the character at each of ``positions[k]`` replaced by ``chars[k]``, built on a 16-bit
    copy of the text (no 32-bit one); None when the text or a replacement needs more than 16 bits.

    >>> replaced_units("a,b,c", [np.array([1, 3])], ["，"])
    'a，b，c'
    """
    if any(not ("\x00" <= ch < "\ud800" or "\ue000" <= ch <= "\uffff") for ch in chars):
        return None
    units = np.empty(len(text), dtype=np.uint16)
    for start in range(0, len(text), PIECE_CHARS):
        piece = code_units(text[start : start + PIECE_CHARS])
        if piece.dtype != np.uint16:
            return None
        units[start : start + PIECE_CHARS] = piece
    for at, ch in zip(positions, chars, strict=True):
        units[at] = ord(ch)
    return str(memoryview(units).cast("B"), "utf-16-le")
