"""The generic chrome detector's data (``rules/common/chrome.toml``): its settings, and its chrome words,
field names and templates compiled once (with their traditional forms for a traditional page)."""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import regex
from ahocorasick_rs import AhoCorasick, Implementation, MatchKind

from ...language import opencc_converter
from ...pieces import PIECE_CHARS, line_pieces
from ...rules import RuleSet
from ..damage.shared import read_table

RE_LATIN = regex.compile(r"[A-Za-z]")
# a character outside ASCII that a case-insensitive pattern may match with another character (one with a
# case mapping or folding in the regex module's tables, as the Kelvin sign K and the long s ſ)
RE_FOLDS_BEYOND_LOWER = regex.compile(
    r"(?![\x00-\x7f])[\p{Changes_When_Casemapped}\p{Changes_When_Casefolded}\p{Cased}]"
)


@dataclass(frozen=True, slots=True)
class ChromeSettings:
    """The ``[chrome]`` table (see ``rules/common/chrome.toml`` for what each value means)."""

    remove_at: float = 3.0
    flag_at: float = 1.5
    max_line_chars: int = 160
    body_min_chars: int = 30
    mid_factor: float = 0.6
    gap_factor: float = 0.8
    lexicon_cap: float = 4.0
    explained_residual: int = 4
    explained_residual_with_words: int = 8
    explained_share: float = 0.5
    explained_points: float = 1.5
    menu_min_lines: int = 4
    menu_max_chars: int = 8
    menu_min_share: float = 0.4
    menu_points: float = 2.0
    echo_min_chars: int = 3
    echo_points: float = 2.0
    neighbour_points: float = 0.5
    sentence_points: float = -2.0
    sentence_end_points: float = -1.0
    vocabulary_share: float = 0.5
    vocabulary_points: float = -1.5
    vocabulary_min_pairs: int = 4
    vocabulary_sample_chars: int = 20000
    bare_line_chars: int = 30
    bare_points: float = 0.5
    date_points: float = 1.0
    time_points: float = 1.0
    date_line_chars: int = 60
    strong_field_points: float = 2.0
    weak_field_points: float = 1.0
    field_run_points: float = 2.5
    breadcrumb_points: float = 2.5
    breadcrumb_bare_points: float = 1.0
    breadcrumb_max_segment: int = 16
    head_body_lines: int = 2
    key_value_points: float = 1.0
    key_value_line_chars: int = 60
    between_points: float = 2.5
    between_max_chars: int = 30
    between_max_lines: int = 5
    unlike_points: float = 1.0
    unlike_min_pairs: int = 3
    menu_row_min_words: int = 4
    menu_row_points: float = 1.0
    url_points: float = 1.0
    title_site_min_chars: int = 4
    title_site_max_chars: int = 16

    @classmethod
    def read(cls, rules: RuleSet) -> ChromeSettings:
        return read_table(cls, rules, "chrome")


@dataclass(frozen=True, slots=True)
class Template:
    """A chrome pattern with a variable part, from ``[chrome_templates.NAME]``."""

    name: str
    kind: str
    weight: float
    pattern: regex.Pattern[str]
    replace: str
    description: str
    requires: tuple[str, ...] = ()
    absent_from_body: bool = False  # counts only when no body line holds the line's text (a site's name)


@dataclass(frozen=True, slots=True)
class Lexicon:
    """The chrome words and field names, simplified and traditional, as compiled patterns."""

    words: regex.Pattern[str]
    weights: dict[str, float]
    fields: regex.Pattern[str]
    strong_fields: frozenset[str]
    templates: tuple[Template, ...]
    literals: AhoCorasick  # every word and field name, lower case: finds the lines worth scoring in one scan
    required: AhoCorasick | None = None  # every template's non-empty ``requires`` strings (see applies)
    required_strings: tuple[str, ...] = ()
    # the chrome words alone, lower case, for finding where ``words`` can match in a line (None: the words
    # hold a letter whose case the pattern folds beyond lower-casing, and only the pattern can tell)
    word_literals: AhoCorasick | None = None

    def applies(self, template: Template, text: str) -> bool:
        """Whether ``text`` holds one of ``template``'s ``requires`` strings (or it has none): the same
        answer as testing each with ``in``, from one scan of the text for all templates' strings."""
        if not template.requires:
            return True
        return any(literal in _present(self, text) for literal in template.requires)


_LAST_PRESENT: list[tuple[Any, Any, frozenset[str]]] = [(None, None, frozenset())]


def _present(lexicon: Lexicon, text: str) -> frozenset[str]:
    """The ``requires`` strings found in ``text`` (the empty string always), kept for the last text. That
    text is known again by its identity, length and hash (a string keeps its hash once computed), not
    held: an earlier text is freed once the cleaning moved on."""
    key = (id(text), len(text), hash(text))
    last_lexicon, last_key, found = _LAST_PRESENT[0]  # one tuple, read and replaced whole: safe across threads
    if last_lexicon is lexicon and last_key == key:
        return found
    seen = {""}
    if lexicon.required is not None:
        strings = lexicon.required_strings
        # in pieces of whole lines (no required string holds a line break): the scan's memory is about
        # eight bytes per UTF-8 byte it is given
        piece = REQUIRED_SCAN_CHARS if not any("\n" in s for s in strings) else len(text)
        for offset, end in line_pieces(text, piece):
            hits = lexicon.required.find_matches_as_indexes(text[offset:end], overlapping=True)
            seen.update(strings[index] for index, _, _ in hits)
    found = frozenset(seen)
    _LAST_PRESENT[0] = (lexicon, key, found)
    return found


REQUIRED_SCAN_CHARS = PIECE_CHARS


@lru_cache(maxsize=1)
def _traditional() -> Any:
    return opencc_converter("s2t")


# characters only traditional text uses, frequent enough that a traditional page holds some of them
RE_TRADITIONAL = regex.compile("[這們個時來為會於後與點發對從當體還國長門問間開關說頁檔載網頁號傳]")


# the same class for the standard library's ``re``, several times faster on it (Han characters have no case
# and no Unicode property is involved: both modules match the same characters)
RE_TRADITIONAL_FAST = re.compile(RE_TRADITIONAL.pattern)


def looks_traditional(text: str) -> bool:
    return RE_TRADITIONAL_FAST.search(text, 0, TRADITIONAL_SAMPLE) is not None


TRADITIONAL_SAMPLE = 20_000  # a traditional page shows itself in its first characters


def _variants(words: list[str], traditional: bool) -> set[str]:
    """Each word, and with ``traditional`` its traditional form too."""
    if not traditional:
        return set(words)
    try:
        converter = _traditional()
    except Exception:  # OpenCC missing: simplified forms only
        return set(words)
    return set(words) | {converter.convert(w) for w in words}


def load_lexicon(rules: RuleSet, *, traditional: bool = False) -> Lexicon | None:
    """The compiled chrome data of the rules (with traditional forms only for a traditional page: they
    cost an OpenCC load and a larger pattern)."""
    words = rules.settings.get("chrome_words")
    fields_table = rules.settings.get("chrome_fields")
    if not words or not fields_table:
        return None
    tables = (words, fields_table, rules.settings.get("chrome_templates", {}))
    for seen, seen_traditional, lexicon in _RECENT:  # comparing the tables is much cheaper than their repr
        if seen_traditional == traditional and seen == tables:
            return lexicon
    key = (repr(words), repr(fields_table), repr(tables[2]), traditional)
    lexicon = _compiled(key, rules, traditional)
    _RECENT.insert(0, (copy.deepcopy(tables), traditional, lexicon))  # a copy: a table changed in place misses
    del _RECENT[RECENT_LEXICONS:]
    return lexicon


RECENT_LEXICONS = 4
_RECENT: list[tuple[tuple[Any, ...], bool, Lexicon]] = []


_CACHE: dict[tuple[str, str, str, bool], Lexicon] = {}


def _compiled(key: tuple[str, str, str, bool], rules: RuleSet, traditional: bool) -> Lexicon:
    if key in _CACHE:
        return _CACHE[key]
    weights: dict[str, float] = {}
    for kind in rules.settings["chrome_words"].values():
        for word in _variants(list(kind["words"]), traditional):
            weights[word.lower()] = max(weights.get(word.lower(), 0.0), float(kind["weight"]))
    fields_table = rules.settings["chrome_fields"]
    strong = _variants(list(fields_table.get("strong", [])), traditional)
    every_field = strong | _variants(list(fields_table.get("weak", [])), traditional)
    templates = tuple(
        Template(
            name,
            str(raw.get("kind", "line")),
            float(raw.get("weight", 0.0)),
            regex.compile(raw["pattern"]),
            str(raw.get("replace", "")),
            str(raw.get("description", name)),
            tuple(raw.get("requires", ())),
            bool(raw.get("absent_from_body", False)),
        )
        for name, raw in rules.settings.get("chrome_templates", {}).items()
    )
    required = sorted({literal for template in templates for literal in template.requires if literal})
    lexicon = Lexicon(
        _alternation(weights),
        weights,
        regex.compile(
            r"【?("
            + "|".join(_word_pattern(f, spaced=True) for f in sorted(every_field, key=len, reverse=True))
            + r")(?:\s*[:：]|】)"
        ),
        frozenset(strong),
        templates,
        AhoCorasick(
            sorted({w.lower() for w in weights} | {f.lower() for f in every_field}),
            matchkind=MatchKind.Standard,
            implementation=Implementation.DFA,  # the same matches, a faster scan: these are whole-text scans
        ),
        AhoCorasick(required, matchkind=MatchKind.Standard, implementation=Implementation.DFA) if required else None,
        tuple(required),
        None if any(RE_FOLDS_BEYOND_LOWER.search(w) for w in weights) else AhoCorasick(sorted(weights)),
    )
    _CACHE[key] = lexicon
    return lexicon


def _word_pattern(word: str, *, spaced: bool = False) -> str:
    """A word as a pattern; one with Latin letters must not sit inside a longer Latin word. A spaced
    field name (``资 源 描 述:``) still counts."""
    pattern = r"\s*".join(regex.escape(ch) for ch in word) if spaced else regex.escape(word)
    if RE_LATIN.search(word):
        return rf"(?<![A-Za-z]){pattern}(?![A-Za-z])"
    return pattern


def _alternation(weights: dict[str, float]) -> regex.Pattern[str]:
    return regex.compile("|".join(_word_pattern(w) for w in sorted(weights, key=len, reverse=True)), regex.IGNORECASE)
