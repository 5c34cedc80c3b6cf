"""Template lines: a line with what a site varies set aside, lines aligned into one template, and its pattern.

A template is a string in which slots (private-use characters) stand for what varies: the document's
title, digit runs, hex ids, and gaps where aligned lines differed. :func:`template_pattern` turns it
into the regular expression a learned rule carries: literal text, ``\\d+``, ``.*?``,
``(?P<title>.+?)``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import regex
from rapidfuzz.distance import Indel

DIGITS = "\ue000"
TITLE = "\ue001"
HEX = "\ue002"
GAP = "\ue003"
SLOTS = frozenset((DIGITS, TITLE, HEX, GAP))
SLOT_PATTERNS = {DIGITS: r"\d+", HEX: r"[0-9A-Fa-f]+", GAP: r".*?"}
TITLE_PATTERN = r"(?P<title>.+?)"
PROSE_MIN_CHARS = 16

REGEX_SPECIAL = frozenset(".^$*+?{}[]\\|()")
RE_SPACE = regex.compile(r"\s+")
RE_HEX = regex.compile(r"(?<![0-9A-Za-z])(?=[0-9a-fA-F]*\d)(?=[0-9a-fA-F]*[a-fA-F])[0-9a-fA-F]{8,}(?![0-9A-Za-z])")
RE_DIGITS = regex.compile(r"\d+")
RE_SENTENCE = regex.compile(r"[。！？；!?;]|[，,].*[，,。]")


def mask_line(line: str, titles: Sequence[str] = ()) -> str:
    """The line with what a template varies replaced by slots: the title, hex ids, digit runs, spaces.

    Slots are private-use characters (``\\ue001`` title, ``\\ue002`` hex id, ``\\ue000`` digits);
    whitespace runs become one space.

    >>> mask_line("上传时间：2023-05-17  浏览 1234 次") == "上传时间：\\ue000-\\ue000-\\ue000 浏览 \\ue000 次"
    True
    >>> mask_line("《论语·学而》 编号 a3f9c0d2e1", ["论语·学而"]) == "《\\ue001》 编号 \\ue002"
    True
    """
    line = RE_SPACE.sub(" ", line.strip())
    for title in titles:
        if title in line:
            line = line.replace(title, TITLE)
    line = RE_HEX.sub(HEX, line)
    return RE_DIGITS.sub(DIGITS, line)


def literal_chars(key: str) -> int:
    """How many fixed (non-slot, non-space) characters a template has.

    >>> literal_chars("本文由 \ue003 上传\u3000")
    5
    """
    return len(key) - len(_NOT_LITERAL.findall(key))


# the slots and every character ``str.isspace`` calls a space (all of them in the Basic Multilingual Plane),
# one by one in a character class: counting its matches is faster than a translate table of the whole plane
_NOT_LITERAL_CHARS = sorted({*SLOTS, *(chr(c) for c in range(0x10000) if chr(c).isspace())})
_NOT_LITERAL = re.compile("[" + "".join(map(re.escape, _NOT_LITERAL_CHARS)) + "]")


def merge_templates(template: str, line: str) -> str:
    """The template both strings fit: their common characters kept in order, a gap where they differ.

    A fixed run of one character between two gaps is absorbed into one gap (a coincidence of two
    variable parts, not template text).

    >>> merge_templates("本文由 张三 上传", "本文由 李四四 上传") == "本文由 \\ue003 上传"
    True
    """
    parts: list[str] = []
    for tag, a0, a1, _, _ in Indel.opcodes(template, line):
        if tag == "equal":
            parts.append(template[a0:a1])
        elif not parts or parts[-1] != GAP:
            parts.append(GAP)
    return _tidy("".join(parts))


def _tidy(key: str) -> str:
    """Runs of gaps joined, gaps swallowing the digit slots and lone characters next to them."""
    changed = True
    while changed:
        before = key
        key = regex.sub(f"{GAP}[{DIGITS}{HEX}{TITLE}\\s]*{GAP}|[{DIGITS}{HEX}]{GAP}|{GAP}[{DIGITS}{HEX}]", GAP, key)
        key = regex.sub(f"{GAP}[^{GAP}]{GAP}", GAP + GAP, key)
        key = regex.sub(f"{GAP}+", GAP, key)
        changed = key != before
    return key


def template_pattern(key: str) -> str:
    """The regular expression of a template: literal text, ``\\d+`` for digits, ``.*?`` for a gap,
    ``(?P<title>.+?)`` for the first title slot, ``\\s*`` for a space (a scrape may keep it or not).

    >>> template_pattern("《\\ue001》 上传者：\\ue003 页数：\\ue000 页")
    '《(?P<title>.+?)》\\\\s*上传者：.*?\\\\s*页数：\\\\d+\\\\s*页'
    """
    out: list[str] = []
    titled = False
    for ch in key:
        if ch == TITLE:
            out.append(r".+?" if titled else TITLE_PATTERN)
            titled = True
        elif ch in SLOT_PATTERNS:
            out.append(SLOT_PATTERNS[ch])
        elif ch == " ":
            out.append(r"\s*")
        else:
            out.append("\\" + ch if ch in REGEX_SPECIAL else ch)
    return "".join(out)


def is_prose(line: str) -> bool:
    """Whether a line reads as running text (long enough and sentence-punctuated)."""
    return len(line) >= PROSE_MIN_CHARS and bool(RE_SENTENCE.search(line))
