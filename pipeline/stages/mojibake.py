"""Mojibake repair: UTF-8 text that was decoded as Latin-1 or Windows-1252 (``æ–‡æ¡£`` for ``文档``).

ftfy's encoding fixes undo it — and only those: its width, quote, ligature and normalisation fixes are
turned off, as they would turn Chinese full-width punctuation into ASCII. Only lines holding a Latin-1 lead
byte followed by a continuation byte (how UTF-8 looks when read as Latin-1 / Windows-1252, C1 control
characters included) are handed to ftfy, one line at a time, and each repair is one logged edit of the part
that changed::

    æ–‡æ¡£ä¸‹è½½  →  文档下载
    é\\x81\\x93å®¢å·´å·´  →  道客巴巴   (Latin-1, with C1 controls)

What ftfy cannot repair stays, and the quality record still warns about it (``mojibake``).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from ..document import Edit, make_edit
from ..rules import RuleSet

STAGE = "normalise"
RULE = "normalise.mojibake"
# a UTF-8 lead byte (U+00C2–U+00EF read as Latin-1) followed by a continuation byte read as Latin-1 (C1 or
# U+00A0–U+00BF) or as Windows-1252 (its letters and punctuation in 0x80–0x9F)
_CP1252_HIGH = "\u20ac\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u017d\u2018\u2019\u201c\u201d"
_CP1252_HIGH += "\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u017e\u0178"
SUSPECT_RE = re.compile(f"[\u00c2-\u00ef][\u0080-\u00bf{_CP1252_HIGH}]")
C1_RE = re.compile("[\u0080-\u009f]")


@lru_cache(maxsize=1)
def _config() -> Any:
    import ftfy

    return ftfy.TextFixerConfig(
        unescape_html=False,
        remove_terminal_escapes=False,
        fix_encoding=True,
        restore_byte_a0=True,
        replace_lossy_sequences=False,
        decode_inconsistent_utf8=True,
        fix_c1_controls=False,
        fix_latin_ligatures=False,
        fix_character_width=False,
        uncurl_quotes=False,
        fix_line_breaks=False,
        fix_surrogates=False,
        remove_control_chars=False,
        normalization=None,
        explain=False,
    )


def repair_line(line: str) -> str:
    """The line with its mojibake undone by ftfy's encoding fixes (nothing else changed).

    >>> repair_line("æ–‡æ¡£ä¸‹è½½ï¼Œå…¨æ–‡é˜…è¯»")
    '文档下载，全文阅读'
    >>> repair_line("“引号”——破折号…Ａ１")
    '“引号”——破折号…Ａ１'
    """
    import ftfy

    return ftfy.fix_text(line, _config())


def fix_mojibake(text: str, *, rules: RuleSet, metadata: dict[str, Any]) -> list[Edit]:
    """Edits that repair mojibake line by line, each covering the part of a line that changed.

    >>> from pipeline.document import apply_edits
    >>> from pipeline.rules import load_rules
    >>> t = "标题\\né\\x81\\x93å®¢å·´å·´æ\\x96\\x87æ¡£\\n正文"
    >>> apply_edits(t, fix_mojibake(t, rules=load_rules(), metadata={}))
    '标题\\n道客巴巴文档\\n正文'
    """
    if text.isascii() or not SUSPECT_RE.search(text):
        return []
    edits = []
    position = 0
    for line in text.split("\n"):
        if SUSPECT_RE.search(line):
            repaired = repair_line(line)
            if repaired != line:
                start, end, after = _changed_part(line, repaired)
                reason = "mojibake (UTF-8 read as Latin-1/Windows-1252) repaired by ftfy's encoding fixes"
                edits.append(make_edit(STAGE, RULE, text, position + start, position + end, after, reason))
        position += len(line) + 1
    return edits


def _changed_part(before: str, after: str) -> tuple[int, int, str]:
    """``(start, end, replacement)``: the smallest span of ``before`` whose replacement gives ``after``."""
    prefix = 0
    limit = min(len(before), len(after))
    while prefix < limit and before[prefix] == after[prefix]:
        prefix += 1
    suffix = 0
    while suffix < limit - prefix and before[-1 - suffix] == after[-1 - suffix]:
        suffix += 1
    return prefix, len(before) - suffix, after[prefix : len(after) - suffix]


def is_c1_mojibake(text: str, *, sample: int = 20000) -> bool:
    """True when the C1 control characters of ``text`` are UTF-8 read as Latin-1, which ftfy repairs (ingest
    would otherwise take their number for binary data).

    >>> is_c1_mojibake("文档".encode().decode("latin-1") * 20), is_c1_mojibake("\\x85\\x90\\x91 data" * 20)
    (True, False)
    """
    head = text[:sample]
    controls = len(C1_RE.findall(head))
    if not controls:
        return False
    left = len(C1_RE.findall("\n".join(repair_line(line) for line in head.split("\n"))))
    return left <= controls // 10
