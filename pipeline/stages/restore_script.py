"""One script for alignment: a traditional and a simplified version of a text compared character by character.

A reference from a mirror site may be in traditional script while the scraped text is simplified
(or the other way round): the two share almost no characters as they stand. For alignment both are
*folded* to simplified with OpenCC's ``t2s``, one character for one, so every offset stays where it
was (no mapping back is needed); what restoration puts in is taken from the reference as the
scraped text's script shows it (:func:`reference_view`).

    國家網絡安全   →   国家网络安全      (same length, same offsets)
"""

from __future__ import annotations

import re
from functools import lru_cache

import regex

from ..language import opencc_converter

_HAN = regex.compile(r"\p{Han}")
TRADITIONAL_SHARE = 0.08
"""A text is in traditional script when folding to simplified changes at least this share of its
Han characters (simplified text: none or almost none; traditional text: a fifth and more)."""


@lru_cache(maxsize=1)
def _converter(config: str) -> object:
    return opencc_converter(config)


@lru_cache(maxsize=65536)
def _convert_char(char: str, config: str) -> str:
    out = _converter(config).convert(char)  # type: ignore[attr-defined]
    return out if len(out) == 1 else char


_CJK_RANGES = ((0x2E80, 0x9FFF), (0xF900, 0xFAFF))


@lru_cache(maxsize=2)
def _convertible(config: str) -> tuple[re.Pattern[str], dict[int, str]]:
    """A character class of the characters ``config`` changes one for one, and their table.

    Built once per process from one conversion of all the BMP's CJK characters, one per line."""
    chars = [chr(cp) for lo, hi in _CJK_RANGES for cp in range(lo, hi + 1)]
    converted = _converter(config).convert("\n".join(chars)).split("\n")  # type: ignore[attr-defined]
    table = {}
    if len(converted) == len(chars):
        table = {ord(c): o for c, o in zip(chars, converted, strict=True) if o != c and len(o) == 1}
    if not table:  # pragma: no cover - a converter that joins lines: one call per character
        table = {ord(c): o for c in chars if (o := _convert_char(c, config)) != c}
    return re.compile("[" + re.escape("".join(map(chr, table))) + "]"), table


def _table(text: str, config: str) -> dict[int, str]:
    """The characters of ``text`` that ``config`` changes, one for one (a translate table)."""
    pattern, table = _convertible(config)
    return {ord(c): table[ord(c)] for c in set(pattern.findall(text))}


def fold_to_simplified(text: str) -> str:
    """``text`` with each traditional character replaced by its simplified form; same length.

    OpenCC's phrase-aware conversion is used when it keeps the length (頭髮 → 头发, 發展 → 发展), else
    each character is converted on its own; a text without a traditional character is returned as
    it is.

    >>> fold_to_simplified("習近平總書記強調，網絡安全")
    '习近平总书记强调，网络安全'
    """
    table = _table(text, "t2s")
    if not table:
        return text
    whole = _converter("t2s").convert(text)  # type: ignore[attr-defined]
    return whole if len(whole) == len(text) else text.translate(table)


_ALIGNMENT_VARIANTS = (("著", "着"),)
"""Characters OpenCC leaves apart because both are simplified, though one version writes the
other (帶著 → 带著, where the simplified edition has 带着)."""


def fold_for_alignment(text: str, folded: str | None = None) -> str:
    """``text`` folded to simplified (``folded``, if already done) with :data:`_ALIGNMENT_VARIANTS`
    made one: the form both versions are compared in. Never shown: same length as ``text``.

    >>> fold_for_alignment("母親帶著他"), fold_for_alignment("母亲带着他")
    ('母亲带着他', '母亲带着他')
    """
    folded = fold_to_simplified(text) if folded is None else folded
    for variant, common in _ALIGNMENT_VARIANTS:
        folded = folded.replace(variant, common)
    return folded


def traditional_share(text: str, folded: str) -> float:
    """Share of the Han characters of ``text`` that folding changed (``folded`` is its fold)."""
    if text == folded:
        return 0.0
    han = len(_HAN.findall(text))
    if not han:
        return 0.0
    changed = sum(1 for x, y in zip(text, folded, strict=True) if x != y)
    return changed / han


def is_traditional(text: str, folded: str | None = None) -> bool:
    """Whether ``text`` is written in traditional script (see :data:`TRADITIONAL_SHARE`).

    >>> is_traditional("習近平的讀書故事"), is_traditional("习近平的读书故事")
    (True, False)
    """
    return traditional_share(text, fold_to_simplified(text) if folded is None else folded) >= TRADITIONAL_SHARE


def to_traditional(text: str) -> str:
    """``text`` in traditional script, one character for one (OpenCC ``s2t``, phrases first).

    The phrase-aware conversion is kept when it keeps the length (it nearly always does: 发展 →
    發展, 头发 → 頭髮); otherwise each character is converted on its own.

    >>> to_traditional("头发发展")
    '頭髮發展'
    """
    whole = _converter("s2t").convert(text)  # type: ignore[attr-defined]
    if len(whole) == len(text):
        return whole
    table = _table(text, "s2t")
    return text.translate(table) if table else text


def reference_view(reference: str, folded_reference: str, *, traditional: bool) -> str:
    """The reference as restoration quotes it, in the scraped text's script; same length as ``reference``.

    A simplified scraped text gets the folded reference; a traditional one gets the reference as it
    is when that is traditional too, else the reference converted to traditional.
    """
    if not traditional:
        return folded_reference
    if is_traditional(reference, folded_reference):
        return reference
    return to_traditional(reference)
