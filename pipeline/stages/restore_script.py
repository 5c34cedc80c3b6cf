"""One script for alignment: a traditional and a simplified version of a text compared character by character.

A reference from a mirror site may be in traditional script while the scraped text is simplified
(or the other way round): the two share almost no characters as they stand. For alignment both are
*folded* to simplified with OpenCC's ``t2s``, one character for one, so every offset stays where it
was (no mapping back is needed); what restoration puts in is taken from the reference as the
scraped text's script shows it (:func:`reference_view`).

    國家網絡安全   →   国家网络安全      (same length, same offsets)
"""

from __future__ import annotations

from functools import lru_cache

import regex

from pipeline.language import opencc_converter

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


def _table(text: str, config: str) -> dict[int, str]:
    """The characters of ``text`` that ``config`` changes, one for one (a translate table)."""
    table = {}
    for char in set(text):
        if char >= "\u2e80":  # CJK and above; nothing below converts
            out = _convert_char(char, config)
            if out != char:
                table[ord(char)] = out
    return table


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


_ALIGNMENT_VARIANTS = str.maketrans("著", "着")
"""Characters OpenCC leaves apart because both are simplified, though one version writes the
other (帶著 → 带著, where the simplified edition has 带着)."""


def fold_for_alignment(text: str, folded: str | None = None) -> str:
    """``text`` folded to simplified (``folded``, if already done) with :data:`_ALIGNMENT_VARIANTS`
    made one: the form both versions are compared in. Never shown: same length as ``text``.

    >>> fold_for_alignment("母親帶著他"), fold_for_alignment("母亲带着他")
    ('母亲带着他', '母亲带着他')
    """
    folded = fold_to_simplified(text) if folded is None else folded
    if not any(chr(code) in folded for code in _ALIGNMENT_VARIANTS):
        return folded
    return folded.translate(_ALIGNMENT_VARIANTS)


def traditional_share(text: str, folded: str) -> float:
    """Share of the Han characters of ``text`` that folding changed (``folded`` is its fold)."""
    han = len(_HAN.findall(text))
    if not han or text == folded:
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
