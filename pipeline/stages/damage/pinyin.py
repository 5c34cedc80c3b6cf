"""Pinyin layers mixed into the text: readings in parentheses after characters, and a PDF ruby
layer with its tone vowels lost.

    網(wǎng)絡(luò)   →   網絡            臣chn亮ling言yn   →   臣亮言
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import unicodedata
from functools import lru_cache
from typing import Any

from ...document import Edit, make_edit
from ...language import RE_HAN, opencc_converter
from ...rules import RuleSet
from .shared import STAGE, non_overlapping, setting

TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿê"
LATIN = f"A-Za-z{TONED}"
RE_LATIN_RUN = re.compile(f"[{LATIN}]+[0-9]*")
RE_PAREN_PINYIN = re.compile(f"[(（][ \\t]*([{LATIN}]+[1-5]?(?:[ \\t'’-]+[{LATIN}]+[1-5]?)*)[ \\t]*[)）]")


@lru_cache(maxsize=1)
def _pinyin_dict() -> dict[int, str]:
    """pypinyin's readings of each character (code point → ``"liàng,liáng"``), read from its data file:
    importing ``pypinyin`` itself would also load its phrase dictionary and segmenter (half a second
    and tens of MB that only its own conversion needs)."""
    spec = importlib.util.find_spec("pypinyin")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        path = os.path.join(folder, "pinyin_dict.json")
        if os.path.isfile(path):
            with open(path, encoding="utf-8") as handle:
                return {int(code): readings for code, readings in json.load(handle).items()}
    from pypinyin.pinyin_dict import pinyin_dict  # another layout: the module builds the same table

    return pinyin_dict


@lru_cache(maxsize=4096)
def pinyin_forms(char: str) -> frozenset[str]:
    """The ways ``char``'s readings appear in a pinyin layer (lower case): with tone marks, without
    them, with a tone number, and with the tone-marked vowel lost (``liàng`` → ``ling``)."""
    raw = _pinyin_dict().get(ord(char))
    if not raw:
        return frozenset()
    forms: set[str] = set()
    for reading in raw.split(","):
        reading = reading.strip().lower()
        if not reading:
            continue
        plain_chars = []
        dropped_chars = []
        tone = 5
        for ch in reading:
            decomposed = unicodedata.normalize("NFD", ch)
            base = decomposed[0]
            marks = decomposed[1:]
            tone_mark = marks.replace("\u0308", "")
            if tone_mark:
                tone = {"\u0304": 1, "\u0301": 2, "\u030c": 3, "\u0300": 4}.get(tone_mark[0], 5)
            plain = base + ("\u0308" if "\u0308" in marks else "")
            plain = unicodedata.normalize("NFC", plain)
            plain_chars.append(plain)
            if not tone_mark:
                dropped_chars.append(plain)
        plain = "".join(plain_chars)
        dropped = "".join(dropped_chars)
        for variant in {plain, plain.replace("ü", "v"), plain.replace("ü", "u")}:
            forms.update({variant, f"{variant}{tone}"})
        for variant in {dropped, dropped.replace("ü", "v"), dropped.replace("ü", "u")}:
            if variant:
                forms.add(variant)
        forms.add(reading)
    return frozenset(forms)


def is_pinyin_of(char: str, latin: str) -> bool:
    """True if ``latin`` is (a mangled form of) one of ``char``'s pinyin readings."""
    forms = pinyin_forms(char)
    if not forms:
        # a traditional character pypinyin lacks: try its simplified form
        simplified = _t2s_char(char)
        forms = pinyin_forms(simplified) if simplified != char else forms
    return latin.lower() in forms


@lru_cache(maxsize=4096)
def _t2s_char(char: str) -> str:
    try:
        out = opencc_converter("t2s").convert(char)
    except ImportError:  # pragma: no cover
        return char
    return out if len(out) == 1 else char


def strip_pinyin_layers(text: str, *, rules: RuleSet, metadata: dict[str, Any]) -> list[Edit]:
    """Edits removing pinyin that a layer glued after each character.

    Two forms: the reading in parentheses after a character (``網(wǎng)絡(luò)``) — at least
    ``min_paren_groups`` groups in a row, or single glosses anywhere once the document holds
    ``min_document_groups`` of them (mirror sites gloss only some characters: ``版權(quán)說明``) —
    and a PDF ruby layer where each character is followed by
    its reading with the tone vowels lost (``臣chn亮ling``) — at least ``min_ruby_pairs`` pairs in
    a row. Each reading must be one of the character's (pypinyin), so ``使用Python语言`` stays.

    >>> from pipeline.rules import load_rules
    >>> from pipeline.document import apply_edits
    >>> t = "臣chn亮ling言yn：先xin帝d创chung业y未wi半bn"
    >>> apply_edits(t, strip_pinyin_layers(t, rules=load_rules(), metadata={}))
    '臣亮言：先帝创业未半'
    """
    if text.isascii() or not RE_HAN.search(text):
        return []
    edits = _paren_pinyin(
        text,
        int(setting(rules, "damage_pinyin", "min_paren_groups", 2)),
        int(setting(rules, "damage_pinyin", "min_document_groups", 5)),
    )
    edits.extend(
        _ruby_pinyin(
            text,
            int(setting(rules, "damage_pinyin", "min_ruby_pairs", 3)),
            str(setting(rules, "damage_pinyin", "run_joiners", "，。、；：！？,.;:!?“”‘’ \t")),
        )
    )
    return non_overlapping(edits)


def _paren_pinyin(text: str, min_groups: int, min_document_groups: int) -> list[Edit]:
    if "(" not in text and "（" not in text:
        return []
    groups: list[tuple[int, int, int]] = []  # (han start, paren start, paren end)
    for match in RE_PAREN_PINYIN.finditer(text):
        syllables = re.split(r"[ \t'’-]+", match.group(1).strip())
        start = match.start()
        if start and text[start - 1] in " \t":
            start -= 1
        han_start = start - len(syllables)
        if han_start < 0:
            continue
        chars = text[han_start:start]
        if not all(RE_HAN.fullmatch(c) for c in chars):
            continue
        if not all(is_pinyin_of(c, s) for c, s in zip(chars, syllables, strict=True)):
            continue
        groups.append((han_start, start, _repeated_gloss_end(text, match)))
    # mirror sites gloss single characters in the middle of words; a lesson's glossed word list does not
    mid_word = sum(1 for _, _, end in groups if end < len(text) and RE_HAN.match(text[end]))
    if mid_word >= min_document_groups:
        min_groups = 1
    edits: list[Edit] = []
    run: list[tuple[int, int, int]] = []
    for group in [*groups, (-1, -1, -1)]:
        if run and group[0] == run[-1][2]:
            run.append(group)
            continue
        if len(run) >= min_groups:
            for _, start, end in run:
                edits.append(
                    make_edit(
                        STAGE,
                        "damage.pinyin-parenthesised",
                        text,
                        start,
                        end,
                        "",
                        f"pinyin after each character ({len(run)} in a row) removed"
                        if len(run) > 1
                        else f"pinyin gloss after a character removed ({len(groups)} such glosses in the document)",
                    )
                )
        run = [group] if group[0] >= 0 else []
    return edits


def _repeated_gloss_end(text: str, match: re.Match[str]) -> int:
    """End of a gloss and of the copies of it right after it: ``中(zhong)(zhong)`` is one gloss."""
    end = match.end()
    reading = match.group(1).strip().lower()
    while (again := RE_PAREN_PINYIN.match(text, end)) is not None and again.group(1).strip().lower() == reading:
        end = again.end()
    return end


def _ruby_pinyin(text: str, min_pairs: int, joiners: str) -> list[Edit]:
    pairs: list[tuple[int, int, int]] = []  # (han position, end of the han character, latin end)
    for match in RE_LATIN_RUN.finditer(text):
        start, end = match.span()
        if end - start > 8 or (match.group()[-1].isdigit() and match.group()[-1] not in "12345"):
            continue
        if sum(ch.isdigit() for ch in match.group()) > 1:
            continue
        han = start - 1
        if han >= 0 and text[han] in " \t":
            han -= 1
        if han < 0 or not RE_HAN.match(text[han]):
            continue
        pairs.append((han, han + 1, end))
    if len(pairs) < min_pairs:
        return []
    edits: list[Edit] = []
    run: list[tuple[int, int, int]] = []
    for pair in [*pairs, (-1, -1, -1)]:
        if pair[0] >= 0 and run and _joined(text, run[-1][2], pair[0], joiners):
            run.append(pair)
            continue
        _close_ruby_run(text, run, min_pairs, edits)
        run = [pair] if pair[0] >= 0 else []
    return edits


def _joined(text: str, end: int, start: int, joiners: str) -> bool:
    return all(ch in joiners for ch in text[end:start])


def _close_ruby_run(text: str, run: list[tuple[int, int, int]], min_pairs: int, edits: list[Edit]) -> None:
    """Keep the longest stretches of verified pairs in ``run``; remove their readings."""
    if len(run) < min_pairs:
        return
    stretch: list[tuple[int, int, int]] = []
    for pair in [*run, None]:
        if pair is not None and is_pinyin_of(text[pair[0]], text[pair[1] : pair[2]].strip()):
            stretch.append(pair)
            continue
        if len(stretch) >= min_pairs:
            reason = f"pinyin layer ({len(stretch)} characters each followed by its reading) removed"
            for _, start, end in stretch:
                gap = end
                while gap < len(text) and text[gap] in " \t":
                    gap += 1
                if gap > end and gap < len(text) and RE_HAN.match(text[gap]):
                    end = gap  # the space between the reading and the next character goes too
                edits.append(make_edit(STAGE, "damage.pinyin-ruby", text, start, end, "", reason))
        stretch = []
