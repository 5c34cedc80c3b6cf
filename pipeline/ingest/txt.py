"""Plain text: the encoding detected from the bytes (BOMs, UTF-8, UTF-16 without BOM, GB18030/GBK, Big5,
charset-normalizer as the last guess), line ends normalised."""

from __future__ import annotations

import codecs
import re
import unicodedata
from pathlib import Path

from ..errors import IngestError
from ..stages.mojibake import is_c1_mojibake
from .common import _BINARY_SUFFIXES, Ingested, _is_cjk

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
    if "\x00" in text or (_control_ratio(text) > 0.05 and not is_c1_mojibake(text)):
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


_RE_UNCOMMON = re.compile("[^\t\n\r\f\x20-\x7e\u3000-\u303f\u4e00-\u9fa5\uff01-\uff5e]")  # not ASCII, CJK or full-width


def _control_ratio(text: str) -> float:
    """Share of control, surrogate and unassigned characters (tab, line ends and form feed excepted)."""
    sample = text[:_ANALYSE_CHARS]
    if not sample:
        return 0.0
    # each distinct character looked up once, and none of the commonest blocks: every character of
    # those is assigned and none is a control, in every Unicode version
    bad_chars = [
        ch
        for ch in set(_RE_UNCOMMON.findall(sample))
        if ch not in _CONTROL_OK and unicodedata.category(ch) in ("Cc", "Cs", "Cn")
    ]
    return sum(sample.count(ch) for ch in bad_chars) / len(sample)


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
