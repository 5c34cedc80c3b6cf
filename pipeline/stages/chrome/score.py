"""Scoring lines as site chrome: the evidence on each line, menus, the site's own name, neighbours."""

from __future__ import annotations

import bisect
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, overload

import numpy as np
import regex
from ahocorasick_rs import AhoCorasick, MatchKind

from ...pieces import PIECE_CHARS, line_pieces
from .data import RE_FOLDS_BEYOND_LOWER, ChromeSettings, Lexicon, Template

STAGE = "boilerplate"
SENTENCE_PUNCT = "，。；！？,;!?"
RE_SENTENCE_PUNCT = regex.compile("[，。；！？,;!?]")
RE_SENTENCE_END = regex.compile(r"[。！？!?…][”」』）)]?\s*$")
RE_DATE = regex.compile(r"\d{4}[-/.]\d{1,2}[-/.]\d{1,2}(?:[ \tT]+\d{1,2}:\d{2}(?::\d{2})?)?|\d{1,2}:\d{2}(?::\d{2})?")
RE_NUMBER = regex.compile(r"(?<![\p{Han}A-Za-z\d.])\d[\d.,]*\s*(?:KB|MB|GB|kb|mb|页|頁|次|人|个|個|px|dpi|像素)?")
RE_DOI = regex.compile(r"\b10\.\d{4,9}/\S+")
RE_URL = regex.compile(r"(?:https?://|www\.)\S+|\b[\w-]+\.(?:com|cn|net|org|cc|me)(?:\.cn)?\b", regex.ASCII)
RE_FILLER = regex.compile(r"[\s\p{P}\p{S}\p{Zs}]+")  # separators, punctuation, emoji and spaces
RE_RESIDUAL = regex.compile(r"[\p{Han}A-Za-z0-9]+")
# breadcrumb separators; a hyphen or dash only with spaces around it (法律咨询服务网 - 法律咨询 - 标题)
RE_BREADCRUMB_SEP = regex.compile(r"\s*(?:>>|»|›|>|＞|→|\||/|&gt;)\s*|\s+[-－–—]\s+")
RE_BREADCRUMB_HINT = regex.compile(r"[>»›＞→|/&\-－–—]")  # a character every separator match holds
RE_LATIN_OR_DIGIT = regex.compile(r"[A-Za-z0-9]")
RE_HAN = regex.compile(r"\p{Han}")
RE_HAN_PAIR = regex.compile(r"(?=(\p{Han}{2}))")
# a key of a few Han characters, a colon and a number: page metadata whatever its key (签到天数: 382)
RE_KEY_NUMBER = regex.compile(r"(?<!\p{Han})\p{Han}{2,6}[ \t]*[:：][ \t]*(?=\d)")
NAV_STARTS = ("首页", "首頁", "当前位置", "當前位置", "您的位置", "导航", "導航", "位置")


@dataclass(slots=True)
class Scored:
    """One line's score and the evidence behind it."""

    start: int
    end: int
    line: str
    zone: str
    evidence: list[tuple[str, float]] = field(default_factory=list)
    residual: list[str] = field(default_factory=list)
    words: set[str] = field(default_factory=set)

    @property
    def raw(self) -> float:
        return sum(points for _, points in self.evidence)

    def score(self, mid_factor: float, gap_factor: float = 0.8) -> float:
        raw = self.raw
        if raw <= 0 or self.zone in ("head", "tail"):
            return raw
        return raw * (mid_factor if self.zone == "mid" else gap_factor)

    def reason(self, score: float) -> str:
        listed = ", ".join(f"{name} {points:+.1f}" for name, points in self.evidence)
        where = {"head": "page head", "tail": "page tail", "mid": "next to body lines", "gap": "among short lines"}[
            self.zone
        ]
        return f"site chrome (score {score:.1f}, {where}): {listed}"


def lines(text: str) -> list[tuple[int, int]]:
    """(start, end) of each line of ``text``, its line break excluded."""
    spans = []
    start = 0
    while start <= len(text):
        end = text.find("\n", start)
        end = len(text) if end == -1 else end
        spans.append((start, end))
        start = end + 1
    return spans


def is_body(line: str, cfg: ChromeSettings) -> bool:
    """A body line: long enough, with sentence punctuation."""
    return len(line) >= cfg.body_min_chars and RE_SENTENCE_PUNCT.search(line) is not None


class _Vocabulary:
    """The Han character pairs occurring at least twice in (a sample of) the body lines, counted only
    when a line asks. ``total``: the characters of all the lines."""

    def __init__(self, lines: Sequence[str], sample_chars: int, total: int | None = None) -> None:
        self.lines = lines
        self.sample_chars = sample_chars
        self.total = total if total is not None else sum(len(line) for line in lines)
        self._pairs: set[int] | None = None
        self._repeated: np.ndarray | None = None
        self._seen: np.ndarray | None = None

    def holds(self, text: str) -> bool:
        """Whether some body line holds ``text`` (line by line: no copy of the body is made)."""
        return any(text in line for line in self.lines)

    def __contains__(self, pair: str) -> bool:
        return self.known(pair)

    def known(self, pair: str) -> bool:
        """Whether ``pair`` (two characters) is one of the body's repeated Han pairs."""
        return len(pair) == 2 and (ord(pair[0]) << 21 | ord(pair[1])) in self.pairs()

    def count_known(self, keys: np.ndarray) -> int:
        """How many of the pair keys (:func:`han_pair_keys`) are the body's repeated pairs, repeats counted."""
        if self._repeated is None:
            self._count()
        return _count_in(self._repeated, keys)  # type: ignore[arg-type]

    def pairs(self) -> set[int]:
        if self._pairs is None:
            if self._repeated is None:
                self._count()
            self._pairs = set(self._repeated.tolist())  # type: ignore[union-attr]
        return self._pairs

    def seen_any(self, keys: np.ndarray) -> bool:
        """Whether one of the pair keys (:func:`han_pair_keys`) occurs at all in the (sampled) body lines."""
        if self._seen is None:
            self._count()
        return _count_in(self._seen, keys) > 0  # type: ignore[arg-type]

    def _count(self) -> None:
        step = max(1, self.total // self.sample_chars)  # every step-th body line: bounded on a long document
        values, counts = np.unique(han_pair_keys("\n".join(self.lines[::step])), return_counts=True)
        self._repeated = values[counts >= 2]  # sorted, as np.unique gives them
        self._seen = values


def _count_in(sorted_keys: np.ndarray, keys: np.ndarray) -> int:
    """How many of ``keys`` (repeats counted) occur in the sorted array ``sorted_keys``."""
    if not len(sorted_keys) or not len(keys):
        return 0
    at = np.searchsorted(sorted_keys, keys)
    at[at == len(sorted_keys)] = 0  # past the end: compared with the first, which is smaller
    return int(np.count_nonzero(sorted_keys[at] == keys))


class _StrippedLines(Sequence[str]):
    """Some lines of a text, stripped, made when read (not a copy of the text held beside it)."""

    def __init__(self, text: str, spans: list[tuple[int, int]], rows: list[int]) -> None:
        self.text = text
        self.spans = spans
        self.rows = rows

    def __len__(self) -> int:
        return len(self.rows)

    @overload
    def __getitem__(self, index: int) -> str: ...
    @overload
    def __getitem__(self, index: slice) -> list[str]: ...
    def __getitem__(self, index: int | slice) -> str | list[str]:
        if isinstance(index, slice):
            return [self._line(row) for row in self.rows[index]]
        return self._line(self.rows[index])

    def _line(self, row: int) -> str:
        start, end = self.spans[row]
        return self.text[start:end].strip()


RE_NOT_HAN = regex.compile(r"\P{Han}+")


def han_pair_keys(text: str) -> np.ndarray:
    """The pairs of adjacent Han characters of ``text`` (``RE_HAN_PAIR``'s, overlapping, in order) as
    ``first << 21 | second`` code points.

    >>> keys = han_pair_keys("常见a问题")
    >>> [divmod(int(key), 1 << 21) == (ord(a), ord(b)) for key, (a, b) in zip(keys, ["常见", "问题"], strict=True)]
    [True, True]
    """
    codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    if len(codes) and int(codes.max()) > 0xFFFF:  # beyond the table of the basic plane
        sample = RE_NOT_HAN.sub("\n", text)  # every Han run on a line of its own
        wide = np.frombuffer(sample.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
        first, second = wide[:-1], wide[1:]
        return (first << np.uint64(21) | second)[(first != 10) & (second != 10)]
    han = _han_table()[codes]
    wide = codes.astype(np.uint64)
    return (wide[:-1] << np.uint64(21) | wide[1:])[han[:-1] & han[1:]]


@lru_cache(maxsize=1)
def _han_table() -> np.ndarray:
    """Whether each code point of the basic plane is ``\\p{Han}`` (as ``RE_HAN`` says)."""
    table = np.zeros(0x10000, dtype=bool)
    plane = "".join(map(chr, range(0x10000)))
    for match in regex.finditer(r"\p{Han}+", plane):
        table[match.start() : match.end()] = True
    return table


def score_lines(text: str, cfg: ChromeSettings, lexicon: Lexicon, metadata: dict[str, Any]) -> list[Scored]:
    """The scored short lines of ``text`` (every non-empty line of at most ``max_line_chars``); the last
    text's are kept, so flagging the text the last cleaning pass left costs nothing more. That text is
    known again by its digest, not held: a long document's earlier text is freed once it changed."""
    key = (cfg, id(lexicon), str(metadata.get("title") or ""), text_digest(text))
    last_key, last_items = _LAST[0]  # one tuple, read and replaced whole: safe across threads
    if last_key == key:
        return last_items
    items = _score(text, cfg, lexicon, metadata)
    _LAST[0] = (key, items)
    return items


_LAST: list[tuple[Any, list[Scored]]] = [(None, [])]


def text_digest(text: str) -> tuple[int, bytes]:
    """The text's length and a BLAKE2 digest of it (of its UTF-8, taken in pieces: no copy of the whole).

    >>> text_digest("正文") == text_digest("正" + "文"), text_digest("正文") == text_digest("正文 ")
    (True, False)
    """
    digest = hashlib.blake2b(digest_size=16)
    for start in range(0, len(text), PIECE_CHARS):
        digest.update(text[start : start + PIECE_CHARS].encode("utf-8", "surrogatepass"))
    return len(text), digest.digest()


def score_every_line(text: str, cfg: ChromeSettings, lexicon: Lexicon, metadata: dict[str, Any]) -> list[Scored]:
    """:func:`score_lines` without the shortcut that leaves out lines ruled below ``flag_at`` between body
    lines: the same lines whatever the scorer's speed-ups, for training the line model (not cached)."""
    return _score(text, cfg, lexicon, metadata, every_line=True)


def _score(
    text: str, cfg: ChromeSettings, lexicon: Lexicon, metadata: dict[str, Any], *, every_line: bool = False
) -> list[Scored]:
    spans = lines(text)
    filled: list[bool] = []  # the line holds more than spaces
    body_flags: list[bool] = []
    body_rows: list[int] = []
    body_chars = 0
    for i, (start, end) in enumerate(spans):
        line = text[start:end].strip()
        body = is_body(line, cfg)
        filled.append(bool(line))
        body_flags.append(body)
        if body:
            body_rows.append(i)
            body_chars += len(line)
    if not body_rows:
        return []
    first_body, last_body = body_rows[0], body_rows[-1]
    body_lines = _StrippedLines(text, spans, body_rows)
    vocabulary = _Vocabulary(body_lines, cfg.vocabulary_sample_chars, body_chars)
    # whether the nearest non-empty line before / after each line is a body line
    body_before, body_after = [False] * len(spans), [False] * len(spans)
    last = False
    for i, full in enumerate(filled):
        body_before[i] = last
        if full:
            last = body_flags[i]
    last = False
    for i in range(len(spans) - 1, -1, -1):
        body_after[i] = last
        if filled[i]:
            last = body_flags[i]
    hits, templated = _rows_with_evidence(text, spans, lexicon)
    page_break_near = [False] * len(spans)
    if "\f" in text:
        for i, (start, end) in enumerate(spans):
            if "\f" in text[start:end]:
                for j in (i - 1, i, i + 1):
                    if 0 <= j < len(spans):
                        page_break_near[j] = True
    nearest = _nearest_lines(filled)
    items: list[Scored] = []
    rows: list[int] = []
    for i, (start, end) in enumerate(spans):
        if not filled[i] or (body_flags[i] and i not in hits):
            continue  # a body line without any chrome evidence scores below zero: not worth scoring
        line = text[start:end].strip()
        if len(line) > cfg.max_line_chars:
            continue
        zone = "head" if i < first_body else "tail" if i > last_body else "mid"
        if zone == "mid" and (page_break_near[i] or "\f" in text[start:end]):
            zone = "gap"  # next to a page break: where running headers and footers sit
        if zone == "mid" and not (body_before[i] and body_after[i]):
            zone = "gap"
        if zone in ("mid", "gap") and (
            i not in hits or (body_flags[i] and RE_SENTENCE_END.search(line) and i not in templated)
        ):
            # between body lines, a line without chrome words, fields, dates or templates cannot reach
            # flag_at; and a sentence there is body, whatever words it uses
            continue
        if zone in ("mid", "gap") and not every_line and below_flag_whatever_else(line, cfg, lexicon):
            continue
        lead = len(text[start:end]) - len(text[start:end].lstrip())
        item = Scored(start + lead, start + lead + len(line), line, zone)
        _evidence(item, cfg, lexicon, vocabulary)
        if zone in ("mid", "gap") and not _may_be_removed(item, cfg):
            item.residual = []  # read only in removed lines and at the page's head and tail
        items.append(item)
        rows.append(i)
    _menus(items, rows, cfg)
    _neighbours_of_chrome(items, rows, cfg)
    _between_chrome(items, rows, nearest, cfg, text)
    _echoes(items, cfg, body_lines, metadata)
    return items


def _nearest_lines(filled: list[bool]) -> list[tuple[int, int]]:
    """For each line, the index of the nearest non-empty line before and after it (-1 where none)."""
    out = [(-1, -1)] * len(filled)
    last = -1
    for i, full in enumerate(filled):
        out[i] = (last, -1)
        if full:
            last = i
    last = -1
    for i in range(len(filled) - 1, -1, -1):
        out[i] = (out[i][0], last)
        if filled[i]:
            last = i
    return out


def below_flag_whatever_else(line: str, cfg: ChromeSettings, lexicon: Lexicon) -> bool:
    """Whether a line between body lines scores below ``flag_at`` (and ``remove_at``) whatever its neighbours,
    the body's vocabulary and the sentence evidence say: such a line changes nothing as a scored line, and
    is not scored. Only its positive evidence is bounded, each kind at its most (a negative weight at 0):

    - it holds sentence punctuation, so it is never a bare line, and no '.', so it is never link-like (the
      block classifier's first look at the scored lines reads that), nor holds a URL or DOI but after
      ``http``;
    - no colon and no '】': no field name and no key: number can match;
    - its chrome words, date, breadcrumb and templates are found as :func:`_evidence` finds them;
    - "explained" needs more of it explained than its Han characters leave: without a URL or DOI (whose
      ``\\S+`` runs over Han characters), only chrome words and number units (页, 次...) cover Han
      characters other than symbols, so more than the residual limit of them left over rules it out;
    - the sentence and vocabulary evidence count at their most (nothing, with the packaged weights);
    - between body lines, nothing is added later below ``flag_at`` (menus, lines between chrome lines and
      site names are the page's head and tail's; ``next to chrome`` needs ``flag_at`` already), and the
      zone's factor (at most 1) only lowers a positive score.

    >>> from pipeline.rules import load_rules
    >>> from pipeline.stages.chrome.data import load_lexicon
    >>> rules = load_rules()
    >>> cfg, lexicon = ChromeSettings.read(rules), load_lexicon(rules)
    >>> below_flag_whatever_else("在实践中完善平台主体责任，推动形成综合治网格局", cfg, lexicon)
    True
    >>> below_flag_whatever_else("更多精彩内容请关注微信公众号，点击下载", cfg, lexicon)
    False
    """
    if cfg.mid_factor > 1 or cfg.gap_factor > 1 or "." in line or not RE_SENTENCE_PUNCT.search(line):
        return False
    if RE_NO_FIELDS.search(line) or "http" in line:
        return False
    below = min(cfg.flag_at, cfg.remove_at)
    matches = chrome_word_matches(line, lexicon)
    words = {m.group().lower(): lexicon.weights.get(m.group().lower(), 1.0) for m in matches}
    points = max(0.0, min(cfg.lexicon_cap, sum(words.values()))) if words else 0.0
    points += max(0.0, cfg.sentence_points, cfg.sentence_end_points) + max(0.0, cfg.vocabulary_points)
    dated = RE_DATE.search(line) is not None
    if dated and len(line) <= cfg.date_line_chars:
        points += max(0.0, cfg.date_points) + max(0.0, cfg.time_points)
    if points >= below:
        return False
    crumb = Scored(0, len(line), line, "mid")
    _breadcrumb(crumb, cfg)
    points += sum(max(0.0, weight) for _, weight in crumb.evidence)
    points += sum(max(0.0, template.weight) for template in matching_line_templates(line, lexicon))
    if words or dated:
        covered = sum(len(m.group()) for m in matches) + sum(len(unit) * line.count(unit) for unit in NUMBER_UNITS)
        limit = max(cfg.explained_residual, cfg.explained_residual_with_words)
        if han_residual_count(line) - covered <= limit:
            points += max(0.0, cfg.explained_points)
    return points < below


RE_NO_FIELDS = regex.compile("[:：】]")  # every field name and key: number match holds one of these
NUMBER_UNITS = ("页", "頁", "次", "人", "个", "個", "像素")  # the Han characters RE_NUMBER may cover
# the Han characters no filler, date or number pattern covers (a radical is a symbol: RE_FILLER covers it)
RE_HAN_RESIDUAL = regex.compile(r"(?![\s\p{P}\p{S}\p{Zs}\p{Nd}])\p{Han}")


def han_residual_count(line: str) -> int:
    """How many characters of ``line`` ``RE_HAN_RESIDUAL`` matches (in the basic plane, with a character
    class of the standard library's ``re`` built from it once: several times faster).

    >>> han_residual_count("平台⺀12，页a"), han_residual_count("𠀀平台")
    (3, 3)
    """
    if RE_ASTRAL.search(line):
        return len(RE_HAN_RESIDUAL.findall(line))
    return sum(map(len, basic_plane_class(RE_HAN_RESIDUAL).findall(line)))


RE_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


@lru_cache(maxsize=4)
def basic_plane_class(pattern: regex.Pattern[str]) -> re.Pattern[str]:
    """Runs of the characters of the basic plane that the one-character ``pattern`` matches, as a class
    of the standard library's ``re`` (built once, by trying ``pattern`` on the whole plane): on a text
    without characters beyond the plane, it finds what ``pattern`` finds, several times faster.

    >>> basic_plane_class(regex.compile(r"\\p{Han}")).findall("a平台b⺀")
    ['平台', '⺀']
    """
    plane = "".join(map(chr, range(0x10000)))
    starts = [m.start() for m in pattern.finditer(plane)]
    ranges: list[list[int]] = []
    for code in starts:
        if ranges and ranges[-1][1] == code - 1:
            ranges[-1][1] = code
        else:
            ranges.append([code, code])
    return re.compile("[" + "".join(f"\\u{a:04x}-\\u{b:04x}" for a, b in ranges) + "]+" if ranges else "(?!)")


def _may_be_removed(item: Scored, cfg: ChromeSettings) -> bool:
    """Whether a line between body lines could still score ``remove_at`` once its neighbours are scored:
    after its own evidence, such a line gains at most ``next to chrome``."""
    raw = item.raw + (max(0.0, cfg.neighbour_points) if item.raw >= cfg.flag_at else 0.0)
    return raw > 0 and raw * (cfg.mid_factor if item.zone == "mid" else cfg.gap_factor) >= cfg.remove_at


def _rows_with_evidence(text: str, spans: list[tuple[int, int]], lexicon: Lexicon) -> tuple[set[int], set[int]]:
    """The lines holding a chrome word, a field name, a date or a line template, and those holding a line
    template, found by scanning the whole text once per kind (a lower-cased copy for the words, when
    lower-casing keeps its length)."""
    starts = [start for start, _ in spans]
    positions: list[int] = []
    lowered = lowered_literal_starts(lexicon.literals, text)
    if lowered is not None:
        positions += lowered
    else:
        positions += [m.start() for m in lexicon.words.finditer(text)]
        positions += [m.start() for m in lexicon.fields.finditer(text)]
    positions += [m.start() for m in RE_DATE.finditer(text)]
    templated = [
        m.start()
        for t in lexicon.templates
        if t.kind == "line"
        and not t.absent_from_body  # a line that is only a site's name counts at the head and tail only
        and lexicon.applies(t, text)
        for m in t.pattern.finditer(text)
    ]
    rows = {bisect.bisect_right(starts, position) - 1 for position in positions + templated}
    return rows, {bisect.bisect_right(starts, position) - 1 for position in templated}


def literal_starts(automaton: AhoCorasick, text: str, piece_chars: int = PIECE_CHARS) -> list[int]:
    """Where the automaton's (non-overlapping) matches in ``text`` start, found in pieces of whole lines.

    The scan's own memory is about eight bytes per UTF-8 byte of what it is given (it maps byte offsets
    to characters), so a 20 MB text is given in pieces of about ``piece_chars`` characters, cut after a
    line break: no chrome word or field name spans one, so the matches are those of one scan.

    >>> from ahocorasick_rs import MatchKind
    >>> literal_starts(AhoCorasick(["首页", "下载"], matchkind=MatchKind.Standard), "首页\\n正文\\n下载", 4)
    [0, 6]
    """
    starts: list[int] = []
    for offset, end in line_pieces(text, piece_chars):
        starts += [offset + start for _, start, _ in automaton.find_matches_as_indexes(text[offset:end])]
    return starts


def lowered_literal_starts(automaton: AhoCorasick, text: str, piece_chars: int = PIECE_CHARS) -> list[int] | None:
    """:func:`literal_starts` in the lower-cased text, lower-casing one piece at a time (``str.lower``
    reserves twelve bytes a character of what it is given); None when lower-casing changes the length of
    a piece, so that the offsets would not be the text's. The pieces end after a line break, which
    lower-casing does not look across (Greek final sigma), so they lower-case as the whole text does.

    >>> from ahocorasick_rs import MatchKind
    >>> lowered_literal_starts(AhoCorasick(["pdf"], matchkind=MatchKind.Standard), "PDF\\n下载Pdf", 2)
    [0, 6]
    >>> lowered_literal_starts(AhoCorasick(["i"], matchkind=MatchKind.Standard), "\\u0130") is None
    True
    """
    starts: list[int] = []
    for offset, end in line_pieces(text, piece_chars):
        piece = text[offset:end].lower()
        if len(piece) != end - offset:
            return None
        starts += [offset + start for _, start, _ in automaton.find_matches_as_indexes(piece)]
    return starts


def _evidence(item: Scored, cfg: ChromeSettings, lexicon: Lexicon, vocabulary: _Vocabulary) -> None:
    line = item.line
    evidence = item.evidence
    explained = [(m.start(), m.end()) for m in RE_FILLER.finditer(line)]
    words = {}
    for match in chrome_word_matches(line, lexicon):
        words[match.group().lower()] = lexicon.weights.get(match.group().lower(), 1.0)
        explained.append(match.span())
    if words:
        item.words = set(words)
        evidence.append((f"chrome words {'/'.join(sorted(words))}", min(cfg.lexicon_cap, sum(words.values()))))
    field_names = []
    colon = RE_COLON.search(line) is not None  # every field name and key: number match holds one
    for match in lexicon.fields.finditer(line) if colon or "】" in line else ():
        field_names.append(match.group(1).replace(" ", ""))
        explained.append(match.span())
    first = lexicon.fields.match(line, pos=_lead(line)) if field_names else None
    if field_names:
        if len(set(field_names)) >= 2:
            evidence.append((f"fields {'/'.join(dict.fromkeys(field_names))}", cfg.field_run_points))
        elif first:
            strong = first.group(1).replace(" ", "") in lexicon.strong_fields
            points = cfg.strong_field_points if strong else cfg.weak_field_points
            evidence.append((f"field {first.group(1)}:", points))
    dates = [m.span() for m in RE_DATE.finditer(line)]
    timestamp = any(":" in line[a:b] and "-" in line[a:b] for a, b in dates)
    if dates and len(line) <= cfg.date_line_chars:
        evidence.append(
            ("date and time" if timestamp else "date", cfg.date_points + (cfg.time_points if timestamp else 0))
        )
    explained.extend(dates)
    explained.extend(m.span() for m in RE_URL.finditer(line))
    explained.extend(m.span() for m in RE_DOI.finditer(line))
    explained.extend(m.span() for m in RE_NUMBER.finditer(line))
    _breadcrumb(item, cfg)
    templated = False
    for template in matching_line_templates(line, lexicon):
        if template.absent_from_body and vocabulary.holds(line):
            continue
        evidence.append((f"template {template.name}", template.weight))
        templated = True
    if not field_names and colon and len(line) <= cfg.key_value_line_chars:
        keys = [m.span() for m in RE_KEY_NUMBER.finditer(line)]
        if keys:
            evidence.append((f"{len(keys)} key: number", cfg.key_value_points * min(2, len(keys))))
            explained.extend(keys)
    residual = _residual(line, explained)
    item.residual = residual
    residual_chars = sum(len(r) for r in residual)
    hits = bool(words or field_names or dates)
    limit = cfg.explained_residual_with_words if (words or field_names or timestamp) else cfg.explained_residual
    if hits and residual_chars <= limit and residual_chars <= cfg.explained_share * len(line):
        evidence.append((f"explained but {residual_chars} characters", cfg.explained_points))
    if not any(p in line for p in SENTENCE_PUNCT + "。") and len(line) <= cfg.bare_line_chars:
        evidence.append(("no sentence punctuation", cfg.bare_points))
    if len(line) >= 25 and RE_SENTENCE_END.search(line) and any(p in line for p in "，,。"):
        evidence.append(("reads as a sentence", cfg.sentence_points))
    elif RE_SENTENCE_END.search(line) and not templated:
        evidence.append(("ends a sentence", cfg.sentence_end_points))
    pairs = han_pair_keys(_strip_words(line, words))
    field_led = first is not None
    if len(pairs) >= cfg.vocabulary_min_pairs and not field_led and not templated:
        share = vocabulary.count_known(pairs) / len(pairs)
        if share >= cfg.vocabulary_share:
            evidence.append((f"body vocabulary {share:.0%}", cfg.vocabulary_points))
    if item.zone in ("head", "tail"):
        _unlike_the_body(item, pairs, cfg, vocabulary)


RE_COLON = regex.compile("[:：]")


def chrome_word_matches(line: str, lexicon: Lexicon) -> list[regex.Match[str]]:
    """The matches of ``lexicon.words.finditer(line)``, the pattern tried only where the lower-cased line holds
    a chrome word. That is exact where lower-casing is all the pattern's case folding does: the line keeps its
    length and holds no character outside ASCII with a case (``RE_FOLDS_BEYOND_LOWER``), nor do the words;
    elsewhere the pattern scans the whole line.

    >>> from pipeline.rules import load_rules
    >>> from pipeline.stages.chrome.data import load_lexicon
    >>> [m.group() for m in chrome_word_matches("点击下载PDF文档，首页", load_lexicon(load_rules()))][-1]
    '首页'
    """
    automaton = lexicon.word_literals
    astral = RE_ASTRAL.search(line) is not None
    folds = RE_FOLDS_BEYOND_LOWER if astral else basic_plane_class(RE_FOLDS_BEYOND_LOWER)
    if automaton is None or folds.search(line):
        return list(lexicon.words.finditer(line))
    lowered = line.lower()
    if len(lowered) != len(line):
        return list(lexicon.words.finditer(line))
    starts = sorted({start for _, start, _ in automaton.find_matches_as_indexes(lowered, overlapping=True)})
    matches = []
    end = 0
    for start in starts:
        if start < end:
            continue  # inside the last match: finditer goes on after it
        match = lexicon.words.match(line, start)
        if match is not None:
            matches.append(match)
            end = match.end()
    return matches


def matching_line_templates(line: str, lexicon: Lexicon) -> list[Template]:
    """The lexicon's line templates that match in ``line``, in their order; a template is tried only when
    the line holds one of the literals each of its matches needs (:func:`may_match`), all found in one scan.

    >>> from pipeline.rules import load_rules
    >>> from pipeline.stages.chrome.data import load_lexicon
    >>> [t.name for t in matching_line_templates("©2023 本站版权所有", load_lexicon(load_rules()))]
    ['copyright']
    """
    listed, automaton, literals = _line_templates(lexicon)
    present = {literals[i] for i, _, _ in automaton.find_matches_as_indexes(line, overlapping=True)}
    return [
        template
        for template, needed in listed
        if (needed is None or not present.isdisjoint(needed)) and template.pattern.search(line)
    ]


def _line_templates(lexicon: Lexicon) -> tuple[list[tuple[Template, frozenset[str] | None]], AhoCorasick, list[str]]:
    """The lexicon's line templates with the literals each match needs (None: not known), listed once, and
    an automaton of all those literals."""
    key = id(lexicon.templates)
    cached = _LINE_TEMPLATES.get(key)
    if cached is None or cached[0] is not lexicon.templates:
        listed = []
        for template in lexicon.templates:
            if template.kind == "line":
                needed = _needed_literals(template.pattern.pattern)
                usable = needed is not None and all(needed)  # an empty literal is in every line
                listed.append((template, frozenset(needed) if usable else None))  # type: ignore[arg-type]
        literals = sorted({literal for _, needed in listed for literal in needed or ()})
        cached = (lexicon.templates, (listed, AhoCorasick(literals or ["\n"], matchkind=MatchKind.Standard), literals))
        if len(_LINE_TEMPLATES) >= 16:
            _LINE_TEMPLATES.clear()
        _LINE_TEMPLATES[key] = cached
    return cached[1]


_LINE_TEMPLATES: dict[int, tuple[tuple[Template, ...], Any]] = {}


def _unlike_the_body(item: Scored, pairs: np.ndarray, cfg: ChromeSettings, vocabulary: _Vocabulary) -> None:
    """Evidence only a line at the page's head or tail can earn: none of its character pairs in the body,
    a row of short words apart (a menu on one line), a URL or domain."""
    line = item.line
    if RE_SENTENCE_PUNCT.search(line) or RE_SENTENCE_END.search(line):
        return  # a sentence is never chrome for where it sits or what words it lacks
    # not evidence on its own (a heading may use words the body does not): it adds to other evidence
    other = any(points > 0 and name != "no sentence punctuation" for name, points in item.evidence)
    if other and len(pairs) >= cfg.unlike_min_pairs and not vocabulary.seen_any(pairs):
        item.evidence.append(("unlike the body's vocabulary", cfg.unlike_points))
    segments = [s for s in line.split() if RE_RESIDUAL.search(s)]  # words, not separators between them
    if len(segments) >= cfg.menu_row_min_words and all(len(s) <= cfg.menu_max_chars for s in segments):
        item.evidence.append((f"row of {len(segments)} short words", cfg.menu_row_points))
    if len(line) <= cfg.bare_line_chars * 2 and RE_URL.search(line):
        item.evidence.append(("URL or domain", cfg.url_points))


def may_match(pattern: regex.Pattern[str], line: str) -> bool:
    """False when ``line`` lacks every literal a match of ``pattern`` needs (:func:`required_literals`):
    the search is skipped, not its answer changed.

    >>> may_match(regex.compile(r"\\p{Han}{1,8}(?:文库|资料网)"), "本文由张三上传")
    False
    """
    needed = _needed_literals(pattern.pattern)
    return needed is None or any(literal in line for literal in needed)


@lru_cache(maxsize=256)
def _needed_literals(pattern: str) -> tuple[str, ...] | None:
    from ...rules import required_literals

    return required_literals(pattern)


def _lead(line: str) -> int:
    """Where the line's text starts after bullets and emoji."""
    match = RE_FILLER.match(line)
    return match.end() if match else 0


def _strip_words(line: str, words: dict[str, float]) -> str:
    for word in words:
        line = line.replace(word, " ")
    return line


def _residual(line: str, spans: list[tuple[int, int]]) -> list[str]:
    """The stretches of the line no chrome evidence explains."""
    out = []
    pos = 0
    for start, end in sorted(spans):
        if end <= start:
            continue
        if start > pos:
            out.append(line[pos:start])
        pos = max(pos, end)
    if pos < len(line):
        out.append(line[pos:])
    return [r for part in out for r in RE_RESIDUAL.findall(part)]


def _breadcrumb(item: Scored, cfg: ChromeSettings) -> None:
    line = item.line
    if RE_BREADCRUMB_HINT.search(line):
        segments = [s for s in RE_BREADCRUMB_SEP.split(line) if s.strip()]
        separators = len(RE_BREADCRUMB_SEP.findall(line))
    else:  # no separator can match
        segments, separators = [line], 0
    starts_nav = line.lstrip().startswith(NAV_STARTS)
    spaced = [s for s in line.split() if s]
    if starts_nav and separators == 0 and 3 <= len(spaced) <= 6 and not any(p in line for p in SENTENCE_PUNCT + "。"):
        item.evidence.append(("breadcrumb (spaces)", cfg.breadcrumb_points))
        return
    if separators < 2 or not segments or max(len(s) for s in segments) > cfg.breadcrumb_max_segment:
        return
    if starts_nav or line.rstrip().endswith("正文"):
        item.evidence.append(("breadcrumb", cfg.breadcrumb_points))
    elif not any(p in line for p in SENTENCE_PUNCT + "。"):
        item.evidence.append(("separated segments", cfg.breadcrumb_bare_points))


def _menus(items: list[Scored], rows: list[int], cfg: ChromeSettings) -> None:
    """Runs of short lines in the head or tail, many of them chrome words: a menu."""
    run: list[Scored] = []
    previous = -2

    def close() -> None:
        hits = sum(bool(x.words) for x in run)
        if len(run) >= cfg.menu_min_lines and (hits >= cfg.menu_min_share * len(run) or (hits >= 3 and len(run) >= 8)):
            for x in run:
                x.evidence.append((f"menu of {len(run)} short lines", cfg.menu_points))
        run.clear()

    for item, row in zip(items, rows, strict=True):
        short = len(item.line) <= cfg.menu_max_chars and not any(p in item.line for p in "，。,")
        if short and item.zone in ("head", "tail") and row == previous + 1:
            run.append(item)
        else:
            close()
            if short and item.zone in ("head", "tail"):
                run.append(item)
        previous = row
    close()


def _neighbours_of_chrome(items: list[Scored], rows: list[int], cfg: ChromeSettings) -> None:
    """A line right before or after a line already scored as chrome, with some chrome evidence of its
    own, gains ``neighbour_points`` (once; it does not spread further)."""
    chrome_rows = {
        row
        for item, row in zip(items, rows, strict=True)
        if item.score(cfg.mid_factor, cfg.gap_factor) >= cfg.remove_at
    }
    for item, row in zip(items, rows, strict=True):
        if row in chrome_rows or item.raw < cfg.flag_at:
            continue
        if row - 1 in chrome_rows or row + 1 in chrome_rows:
            item.evidence.append(("next to chrome", cfg.neighbour_points))


def _between_chrome(
    items: list[Scored], rows: list[int], nearest: list[tuple[int, int]], cfg: ChromeSettings, text: str
) -> None:
    """Short lines of the page's head or tail in a run of at most ``between_max_lines`` lines with chrome
    lines right before and after it, each reading as nothing else (no sentence punctuation, no body
    evidence, not a text the page repeats, as a title repeated in a breadcrumb), gain ``between_points``:
    a run of chrome lines is chrome throughout."""
    by_row = dict(zip(rows, items, strict=True))
    chrome_rows = {row for row, item in by_row.items() if item.score(cfg.mid_factor, cfg.gap_factor) >= cfg.remove_at}

    def may_be_candidate(row: int) -> bool:
        item = by_row.get(row)
        return (
            item is not None
            and row not in chrome_rows
            and item.zone in ("head", "tail")
            and len(item.line) <= cfg.between_max_chars
            and not RE_SENTENCE_PUNCT.search(item.line)
            and not any(points < 0 for _, points in item.evidence)
        )

    # the page's texts occurring once, for all the lines that may be candidates at once: where every line
    # of the page is one (its only body line at its very end), a count per line would cost the square of
    # the text's length
    once = occurring_once({by_row[row].line for row in by_row if may_be_candidate(row)}, text)

    def candidate(row: int) -> bool:
        return may_be_candidate(row) and by_row[row].line in once

    def bounded(row: int, side: int) -> int | None:
        """How many candidate lines lie from ``row`` towards ``side`` before a chrome line (None: no chrome
        line closes the run within the limit)."""
        steps = 0
        while steps < cfg.between_max_lines:
            row = nearest[row][side]
            if row in chrome_rows:
                return steps
            if row < 0 or not candidate(row):
                return None
            steps += 1
        return None

    marked = []
    for row, item in by_row.items():
        if not candidate(row):
            continue
        up, down = bounded(row, 0), bounded(row, 1)
        if up is not None and down is not None and up + down + 1 <= cfg.between_max_lines:
            marked.append(item)
    for item in marked:
        item.evidence.append(("between chrome lines", cfg.between_points))


def occurring_once(texts: set[str], text: str, direct_chars: int = 1 << 22, piece_chars: int = 1 << 12) -> set[str]:
    """The strings of ``texts`` (none empty) that ``text`` holds exactly once as ``str.count`` counts (without
    overlaps). Up to ``direct_chars`` characters of work, each is counted; beyond, all are found in one scan
    of the text, so that the cost stays linear in the text's length however many strings there are. The
    scan goes in pieces of ``piece_chars`` characters (each read with the longest string's length less one
    beyond it, a match counted in the piece where it starts): at most the longest string's length of matches
    end at one character, so the matches of a piece stay few.

    >>> sorted(occurring_once({"ab", "aba", "c", "x"}, "ababa\\nc c"))
    ['aba']
    >>> sorted(occurring_once({"ab", "aba", "c", "x"}, "ababa\\nc c", direct_chars=0, piece_chars=2))
    ['aba']
    """
    if len(texts) * len(text) <= direct_chars:
        return {s for s in texts if text.count(s) == 1}
    listed = sorted(texts)
    lengths = np.array([len(s) for s in listed], dtype=np.int64)
    first = np.full(len(listed), len(text), dtype=np.int64)  # where each starts first and last (none: -1)
    last = np.full(len(listed), -1, dtype=np.int64)
    active = np.arange(len(listed))  # the strings still looked for: not yet seen twice apart
    automaton = AhoCorasick(listed, matchkind=MatchKind.Standard)
    for offset in range(0, len(text), piece_chars):
        piece = text[offset : offset + piece_chars + int(lengths[active].max()) - 1]
        found = np.array(automaton.find_matches_as_indexes(piece, overlapping=True), dtype=np.int64).reshape(-1, 3)
        found = found[found[:, 1] < piece_chars]  # one starting further is the next piece's
        strings = active[found[:, 0]]
        np.minimum.at(first, strings, found[:, 1] + offset)
        np.maximum.at(last, strings, found[:, 1] + offset)
        settled = last[active] >= first[active] + lengths[active]  # twice apart: not once, whatever follows
        if 2 * np.count_nonzero(settled) > len(active):  # the automaton shrinks by half: few rebuilds
            active = active[~settled]
            if not len(active):
                break
            automaton = AhoCorasick([listed[i] for i in active.tolist()], matchkind=MatchKind.Standard)
    # str.count takes the first occurrence, then the next one starting after it ends, and so on: one
    # only when every later occurrence overlaps the first
    once = (last >= 0) & (last < first + lengths)
    return {listed[i] for i in np.flatnonzero(once).tolist()}


def _echoes(items: list[Scored], cfg: ChromeSettings, body: Sequence[str], metadata: dict[str, Any]) -> None:
    """Lines made only of the site's own name: a word mixing Han with Latin letters or digits (彩神88,
    彩神ap) left over in lines already scored as chrome, that no body line holds. A breadcrumb's leftover
    is the page's title, never a name."""
    title = str(metadata.get("title") or "").lower()
    names = {
        r.lower()
        for x in items
        if x.score(cfg.mid_factor, cfg.gap_factor) >= cfg.remove_at and not is_breadcrumb(x)
        for r in x.residual
        if len(r) >= cfg.echo_min_chars and _mixed(r) and r.lower() not in title
    }
    if not names:
        return
    names = _not_in_lines(names, body)
    if not names:
        return
    for x in items:
        if x.zone not in ("head", "tail") or x.score(cfg.mid_factor, cfg.gap_factor) >= cfg.remove_at:
            continue
        if x.residual and all(r.lower() in names for r in x.residual):
            x.evidence.append((f"site name {'/'.join(dict.fromkeys(x.residual))}", cfg.echo_points))


def _not_in_lines(names: set[str], body: Sequence[str]) -> set[str]:
    """The (lower-case) names that no line holds, whatever its case; the lines are lower-cased in batches
    of about ``PIECE_CHARS`` characters joined by line breaks (a name holds none).

    >>> sorted(_not_in_lines({"彩神88", "seo靠我"}, ["访问彩神88官网", "正文"]))
    ['seo靠我']
    """
    left = set(names)
    batch: list[str] = []
    size = 0
    for number, line in enumerate(body, 1):
        batch.append(line)
        size += len(line) + 1
        if size >= PIECE_CHARS or number == len(body):
            joined = "\n".join(batch).lower()
            left = {name for name in left if name not in joined}
            batch, size = [], 0
            if not left:
                break
    return left


def is_breadcrumb(item: Scored) -> bool:
    return any(name.startswith("breadcrumb") for name, _ in item.evidence)


def _mixed(word: str) -> bool:
    """A word mixing Han characters with Latin letters or digits (彩神ap, 彩神88, seo靠我)."""
    return bool(RE_LATIN_OR_DIGIT.search(word)) and bool(RE_HAN.search(word))
