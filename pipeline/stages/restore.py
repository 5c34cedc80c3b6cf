"""Stage 5: restore what the site masked, deleted or damaged, from a reference version.

The scraped text (already cleaned: one paragraph per line, or flattened into a few long lines) is
aligned with the reference (:func:`pipeline.align.align`). Inside each aligned block, every
difference is classified with the data of ``rules/common/masks.toml``:

* a run of mask characters where the reference has a short run (``*`` vs ``1``, ``党的*大`` vs
  ``党的二十大``): restored (``restore.mask``);
* reference text missing from the scraped text: restored only when it is a name or term sites
  delete (``restore.deleted-term``), the rest of a truncated term (``意识`` + ``形态``,
  ``restore.truncated-term``) or a damaged quote end (``”。``, ``restore.quote-end``); anything
  else is another edition's wording and is left alone;
* a known damage pattern (``二`` for ``”。``): restored (``restore.quote-end``);
* two of these in one place (a dropped quote end right before a deleted name): restored together;
* a term missing or starred at most of the places the reference holds it (``网信办 deleted at 7 of
  7 places``): learned from the document and restored everywhere (``restore.learned-mask``,
  :mod:`pipeline.stages.restore_learned`; listed in ``metadata["learned_masks"]``); a name or noun
  phrase missing once, where its deletion left a telltale gap (``、、``, a preposition with no
  object, a title with no name): restored on that evidence (``restore.deleted-term``);
* any other difference (``全县``/``全市``, reworded clauses): the scraped text is kept.

Both texts are compared in simplified script (:mod:`pipeline.stages.restore_script`), so a
traditional reference (or a traditional scrape) aligns; what is restored is quoted in the scraped
text's script. A reference that is only a part of the document is used for that part
(:mod:`pipeline.stages.restore_judge`); short stretches no anchor reached are aligned on their own
(:mod:`pipeline.stages.restore_gaps`).

Paragraph breaks of the reference are put where the scraped text has none (``restore.paragraph-
break``), paragraphs staying in the scraped order. With ``complete=True`` the reference paragraphs
(and cut paragraph beginnings/ends) that the scraped text lacks are inserted after the scraped
paragraph aligned with the one before them (``restore.insert-missing-paragraph``,
``restore.insert-missing-text``). A reference that does not align (another document) changes
nothing and sets ``metadata["reference_status"]``.

Before (cleaned, flattened)::

    在调研网信工作强调要求
    *月*日至*日召开的…落实党的*大精神…下面，我讲几点意见。一、深刻认识…重要意义当前，互联网已成为意识斗争的主阵地…

After::

    在调研网信工作强调要求
    1月4日至5日召开的…落实党的二十大精神…下面，我讲几点意见。
    一、深刻认识…重要意义
    当前，互联网已成为意识形态斗争的主阵地…
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import regex

from ..align import Alignment, align
from ..document import Edit, make_edit
from ..errors import RuleError
from ..lazy_import import LazyAttribute
from ..rules import RuleSet, compile_patterns
from .restore_gaps import align_gaps
from .restore_judge import judge_reference
from .restore_learned import LearnedMask, learn_masks
from .restore_script import fold_for_alignment, fold_to_simplified, is_traditional, reference_view
from .restore_terms import deletion_gap, is_term, nominal_kind

Indel = LazyAttribute(globals(), "Indel", "rapidfuzz.distance", "Indel")  # imported when first restoring
STAGE = "restore"
_CONTENT = regex.compile(r"[\p{L}\p{N}]")
_NON_SPACE = regex.compile(r"\S")
_MASK_EDGE_PUNCT = frozenset("，、；：。！？,;:!? \t")  # never part of what a mask run hides
_GAP_WORDS_MAX = 8  # longest once-only deletion restored on the gap it left
_HAN_RUN = regex.compile(r"\p{Han}+")
_UNLIKE = 0.3  # Indel similarity below which a scraped stretch is another text than the reference's
_COMBINED_MAX = 40  # longest reference text read as two damages in one place
_SHIFT_MAX = 120  # longest paragraph start considered shifted
_SHIFT_MIN = 4  # content characters a shifted paragraph start must have (see _Restorer.shifted_paragraph)
_EDGE_STUB = 4  # longest scraped stub next to a block that may be damage of the reference around it
_SENTENCE_END = frozenset("。！？；：!?;:”’」』）)")


# --------------------------------------------------------------------------------------------
# settings


@dataclass(frozen=True, slots=True)
class Flag:
    """A no-reference pattern: a span that looks masked."""

    rule_id: str
    pattern: regex.Pattern[str]
    reason: str
    confidence: float


@dataclass(frozen=True, slots=True)
class RestoreConfig:
    """The restore settings of ``rules/common/masks.toml`` (tables ``[restore]`` and ``[masks]``)."""

    min_similarity: float
    partial_reference_share: float
    partial_block_identity: float
    partial_block_chars: int
    apply_threshold: float
    break_confidence: float
    missing_confidence: float
    own_line_min: int
    context: int
    wildcards: str
    mask_run: regex.Pattern[str]
    mask_prefix: regex.Pattern[str]
    mask_suffix: regex.Pattern[str]
    max_restored: int
    numeral: regex.Pattern[str]
    numeral_prefix: regex.Pattern[str]
    numeral_suffix: regex.Pattern[str]
    numeral_confidence: float
    term_confidence: float
    short_han: regex.Pattern[str]
    short_han_confidence: float
    cut_words_confidence: float
    other_confidence: float
    terms: tuple[str, ...]
    deleted_term_confidence: float
    learned_min_places: int
    learned_min_share: float
    learned_confidence: float
    learned_min_chars: int
    learned_max_chars: int
    gap_confidence: float
    min_term_part: int
    truncations: tuple[tuple[str, str, float], ...]
    damage: dict[tuple[str, str], float]
    flags: tuple[Flag, ...]


def _masks_path(rules: RuleSet) -> Path:
    for path in rules.files:
        if path.name == "masks.toml":
            return path
    return Path("rules/common/masks.toml")


def _number(path: Path, key: str, value: Any, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
        raise RuleError(path, key, f"expected a number between {low} and {high}")
    return float(value)


def _pattern(path: Path, key: str, value: Any) -> regex.Pattern[str]:
    return compile_patterns(path, key, [value])[0]


def load_config(rules: RuleSet) -> RestoreConfig:
    """Read and validate the restore settings; raise RuleError naming the file and key."""
    path = _masks_path(rules)

    def get(table: str, key: str, default: Any) -> Any:
        return rules.setting(table, key, default)

    def num(table: str, key: str, default: float, low: float = 0.0, high: float = 1.0) -> float:
        return _number(path, f"{table}.{key}", get(table, key, default), low, high)

    characters = get("masks", "characters", "*＊×□■")
    if not isinstance(characters, str) or not characters:
        raise RuleError(path, "masks.characters", "expected a non-empty string of mask characters")
    run_patterns = get("masks", "run_patterns", [])
    alternatives = ["[" + regex.escape(characters) + "]+"]
    for compiled in compile_patterns(path, "masks.run_patterns", run_patterns):
        alternatives.append(f"(?:{compiled.pattern})")
    terms = get("masks", "deleted_terms", [])
    if not isinstance(terms, list) or not all(isinstance(t, str) and t for t in terms):
        raise RuleError(path, "masks.deleted_terms", "expected a list of non-empty strings")
    truncations = []
    for n, item in enumerate(get("masks", "truncations", [])):
        key = f"masks.truncations[{n}]"
        if (
            not isinstance(item, dict)
            or not isinstance(item.get("short"), str)
            or not isinstance(item.get("full"), str)
        ):
            raise RuleError(path, key, "a truncation needs string 'short' and 'full'")
        if item["short"] == item["full"] or not item["short"]:
            raise RuleError(path, key, "'short' must be a non-empty part of 'full'")
        truncations.append((item["short"], item["full"], _number(path, key, item.get("confidence", 0.9), 0, 1)))
    damage: dict[tuple[str, str], float] = {}
    for n, item in enumerate(get("masks", "damage", [])):
        key = f"masks.damage[{n}]"
        if (
            not isinstance(item, dict)
            or not isinstance(item.get("scraped"), str)
            or not isinstance(item.get("reference"), str)
        ):
            raise RuleError(path, key, "a damage entry needs string 'scraped' and 'reference'")
        if not item["reference"]:
            raise RuleError(path, key, "'reference' must not be empty")
        damage[(item["scraped"], item["reference"])] = _number(path, key, item.get("confidence", 0.8), 0, 1)
    flags = []
    for n, item in enumerate(get("masks", "flags", [])):
        key = f"masks.flags[{n}]"
        if not isinstance(item, dict) or not isinstance(item.get("id"), str) or not isinstance(item.get("reason"), str):
            raise RuleError(path, key, "a flag needs string 'id', 'pattern' and 'reason'")
        flags.append(
            Flag(
                item["id"],
                _pattern(path, f"{key}.pattern", item.get("pattern")),
                item["reason"],
                _number(path, key, item.get("confidence", 0.5), 0, 1),
            )
        )
    mask_run = "|".join(alternatives)
    numeral = _pattern(
        path, "masks.numeral_pattern", get("masks", "numeral_pattern", r"[0-9〇零一二三四五六七八九十百千万亿两]+")
    )
    return RestoreConfig(
        min_similarity=num("restore", "min_similarity", 0.3),
        partial_reference_share=num("restore", "partial_reference_share", 0.5),
        partial_block_identity=num("restore", "partial_block_identity", 0.75),
        partial_block_chars=int(num("restore", "partial_block_chars", 30, 1, 100_000)),
        apply_threshold=num("restore", "apply_threshold", 0.6),
        break_confidence=num("restore", "paragraph_break_confidence", 0.9),
        missing_confidence=num("restore", "insert_missing_confidence", 0.8),
        own_line_min=int(num("restore", "own_line_min_chars", 8, 0, 10_000)),
        context=int(num("restore", "evidence_context", 12, 0, 200)),
        wildcards=characters,
        mask_run=regex.compile(mask_run),
        mask_prefix=regex.compile(f"^(?:{mask_run})"),
        mask_suffix=regex.compile(f"(?:{mask_run})$"),
        max_restored=int(num("masks", "max_restored_chars", 8, 1, 200)),
        numeral=numeral,
        numeral_prefix=regex.compile(f"^(?:{numeral.pattern})"),
        numeral_suffix=regex.compile(f"(?:{numeral.pattern})$"),
        numeral_confidence=num("masks", "numeral_confidence", 0.95),
        term_confidence=num("masks", "term_confidence", 0.9),
        short_han=_pattern(path, "masks.short_han_pattern", get("masks", "short_han_pattern", r"\p{Han}{1,6}")),
        short_han_confidence=num("masks", "short_han_confidence", 0.75),
        cut_words_confidence=num("masks", "cut_words_confidence", 0.5),
        other_confidence=num("masks", "other_confidence", 0.4),
        terms=tuple(sorted(set(terms), key=lambda t: (-len(t), t))),
        deleted_term_confidence=num("masks", "deleted_term_confidence", 0.9),
        learned_min_places=int(num("masks", "learned_min_places", 2, 2, 1000)),
        learned_min_share=num("masks", "learned_min_share", 0.6),
        learned_confidence=num("masks", "learned_confidence", 0.85),
        learned_min_chars=int(num("masks", "learned_min_chars", 2, 1, 100)),
        learned_max_chars=int(num("masks", "learned_max_chars", 16, 1, 200)),
        gap_confidence=num("masks", "gap_evidence_confidence", 0.8),
        min_term_part=int(num("masks", "min_term_part", 2, 1, 100)),
        truncations=tuple(truncations),
        damage=damage,
        flags=tuple(flags),
    )


# --------------------------------------------------------------------------------------------
# no reference: flag what looks masked


def flag_masked_spans(text: str, *, rules: RuleSet) -> list[Edit]:
    """Suggestions (``before == after``) for spans that look masked, from ``[[masks.flags]]``.

    Used when there is no reference: ``*`` between Chinese characters, ``党的*大``, ``*月*日``,
    ``意识`` before 斗争/安全/工作…, a sentence starting with 指出 and no speaker. The first flag
    pattern matching a span wins; flagged spans never overlap.
    """
    config = load_config(rules)
    taken_starts: list[int] = []
    taken_ends: list[int] = []
    out: list[Edit] = []
    for flag in config.flags:
        for match in flag.pattern.finditer(text):
            start, end = match.span()
            if start == end:
                continue
            at = bisect.bisect_right(taken_starts, start)
            if (at and taken_ends[at - 1] > start) or (at < len(taken_starts) and taken_starts[at] < end):
                continue
            taken_starts.insert(at, start)
            taken_ends.insert(at, end)
            out.append(
                make_edit(
                    STAGE, flag.rule_id, text, start, end, text[start:end], flag.reason, confidence=flag.confidence
                )
            )
    out.sort(key=lambda e: (e.start, e.end))
    return out


# --------------------------------------------------------------------------------------------
# with a reference


@dataclass(slots=True)
class _Piece:
    """Text to put in, with why."""

    text: str
    rule_id: str
    reason: str
    evidence: str | None
    confidence: float
    order: int = 0


@dataclass(slots=True)
class _Point:
    """Everything inserted at one scraped offset: text joined to the paragraph before (``left``),
    whole paragraphs, text starting the next paragraph (``right``), and whether a break goes there."""

    left: list[_Piece] = field(default_factory=list)
    paras: list[_Piece] = field(default_factory=list)
    right: list[_Piece] = field(default_factory=list)
    brk: _Piece | None = None


_RULE_RANK = {
    "restore.mask": 0,
    "restore.deleted-term": 1,
    "restore.truncated-term": 2,
    "restore.quote-end": 3,
    "restore.learned-mask": 3,
    "restore.insert-missing-text": 4,
    "restore.insert-missing-paragraph": 5,
    "restore.paragraph-break": 9,
}


class _Restorer:
    """Restoration of ``text`` from a reference, decided on ``a`` and ``b`` (both folded to one
    script, offset for offset) and quoting ``view`` (the reference in ``text``'s script)."""

    def __init__(
        self,
        a: str,
        b: str,
        config: RestoreConfig,
        alignment: Alignment,
        complete: bool,
        *,
        text: str | None = None,
        view: str | None = None,
    ) -> None:
        self.a = a
        self.b = b
        self.text = a if text is None else text
        self.view = b if view is None else view
        self.cfg = config
        self.al = alignment
        self.complete = complete
        self.replacements: list[tuple[int, int, _Piece]] = []
        self.edge_taken: list[tuple[int, int]] = []
        self.inserted: set[tuple[int, int]] = set()  # reference ranges inserted as missing text
        self.points: dict[int, _Point] = {}
        self.candidates: list[tuple[str, int, int, int]] = []  # (kind, i, j1, j2): unexplained differences
        self.learned: dict[str, LearnedMask] = {}
        self.replaced: list[tuple[int, int, int, int]] = []
        self.damage_refs = tuple({ref for _, ref in config.damage})  # reference text of known damage
        ranges = sorted((blk.b_start, blk.b_end) for blk in alignment.blocks)
        self.b_starts = [s for s, _ in ranges]
        self.b_max_end = []
        top = -1
        for _, e in ranges:
            top = max(top, e)
            self.b_max_end.append(top)

    # -- helpers ---------------------------------------------------------------------------

    def place(self, i1: int, i2: int, piece: _Piece) -> None:
        """Keep ``piece``: an insertion at ``i1`` when the scraped span is empty, else a replacement of it."""
        if i1 == i2:
            self.point(i1).left.append(piece)
        else:
            self.replacements.append((i1, i2, piece))

    def point(self, pos: int) -> _Point:
        found = self.points.get(pos)
        if found is None:
            found = self.points[pos] = _Point()
        return found

    def evidence(self, j1: int, j2: int) -> str:
        ctx = self.cfg.context
        before = self.view[max(0, j1 - ctx) : j1]
        after = self.view[j2 : j2 + ctx]
        shown = f"{before}{self.view[j1:j2]}{after}".replace("\n", "⏎")
        return f"reference: …{shown}…"

    def break_piece(self, j: int) -> _Piece:
        return _Piece(
            "\n",
            "restore.paragraph-break",
            "paragraph break from the reference",
            self.evidence(j, j),
            self.cfg.break_confidence,
            j,
        )

    def line_start(self, pos: int) -> bool:
        return pos == 0 or self.a[pos - 1] == "\n"

    def line_end(self, pos: int) -> bool:
        return pos == len(self.a) or self.a[pos] == "\n"

    def free(self, start: int, end: int) -> bool:
        """Whether no block-edge restoration took ``a[start:end]`` yet."""
        return all(end <= s or start >= e for s, e in self.edge_taken)

    def covered(self, j1: int, j2: int) -> bool:
        """Whether any block's reference range meets ``b[j1:j2]``."""
        at = bisect.bisect_left(self.b_starts, j2) - 1
        return at >= 0 and self.b_max_end[at] > j1

    # -- classification --------------------------------------------------------------------

    def completes(self, term: str, i: int, j1: int, j2: int) -> str | None:
        """The scraped remainder if inserting ``b[j1:j2]`` at ``a[i]`` makes ``term`` appear, as in b."""
        ins = self.b[j1:j2]
        a, b = self.a, self.b
        start = term.find(ins)
        while start >= 0:
            pre, post = term[:start], term[start + len(ins) :]
            if (
                b[j1 - len(pre) : j1] == pre
                and b.startswith(post, j2)
                and a[max(0, i - len(pre)) : i] == pre
                and a.startswith(post, i)
            ):
                return pre + post
            start = term.find(ins, start + 1)
        return None

    def starred_in_term(self, i1: int, i2: int, hidden: str) -> str | None:
        """The known term (deleted terms, truncations) that ``a[i1:i2]`` stars a part of, if the
        scraped text around the stars, with ``hidden`` in their place, spells it."""
        a = self.a
        for term in (*self.cfg.terms, *(full for _, full, _ in self.cfg.truncations)):
            at = term.find(hidden)
            while at >= 0:
                pre, post = term[:at], term[at + len(hidden) :]
                if a[max(0, i1 - len(pre)) : i1] == pre and a.startswith(post, i2):
                    return term
                at = term.find(hidden, at + 1)
        return None

    def classify(self, i1: int, i2: int, j1: int, j2: int, b_text: str | None = None) -> _Piece | None:
        """The restoration of ``a[i1:i2]`` from ``b[j1:j2]`` (or ``b_text``), or None to keep the scraped text."""
        cfg = self.cfg
        a_t = self.a[i1:i2]
        b_t = self.b[j1:j2] if b_text is None else b_text
        out = self.view[j1:j2] if b_text is None else b_text  # what goes in, in the output's script
        if not b_t or a_t == b_t:
            return None
        damage = cfg.damage.get((a_t, b_t))
        if damage is not None:
            what = f"{a_t!r} stands" if a_t else "nothing stands"
            return _Piece(
                out,
                "restore.quote-end",
                f"damaged quote end: {what} where the reference has {b_t}",
                self.evidence(j1, j2),
                damage,
                j1,
            )
        if a_t and cfg.mask_run.fullmatch(a_t):
            if b_text is None and (b_t[:1] in _MASK_EDGE_PUNCT or b_t[-1:] in _MASK_EDGE_PUNCT):
                # punctuation beside the hidden text (a doubled comma of the reference) is not hidden
                t1, t2 = j1, j2
                while t1 < t2 and self.b[t1] in _MASK_EDGE_PUNCT:
                    t1 += 1
                while t2 > t1 and self.b[t2 - 1] in _MASK_EDGE_PUNCT:
                    t2 -= 1
                return self.classify(i1, i2, t1, t2) if t1 < t2 else None
            if any(ch in cfg.wildcards for ch in b_t) or b_t != b_t.strip() or "\n" in b_t:
                return None
            term = None if cfg.numeral.fullmatch(b_t) or b_t in cfg.terms else self.starred_in_term(i1, i2, b_t)
            if term is not None:  # a star run inside a known term (以*思想, 意*): the term tells
                reason = f"masked characters {a_t} restored from the reference (inside the term {term})"
                return _Piece(out, "restore.mask", reason, self.evidence(j1, j2), cfg.term_confidence, j1)
            if len(b_t) > cfg.max_restored:
                return None
            if cfg.numeral.fullmatch(b_t):
                confidence = cfg.numeral_confidence
            elif b_t in cfg.terms:
                confidence = cfg.term_confidence
            elif cfg.short_han.fullmatch(b_t):
                t1, t2 = j1, j2  # the term's span in b: without the paragraph break beside it
                while t1 < t2 and self.b[t1] == "\n":
                    t1 += 1
                while t2 > t1 and self.b[t2 - 1] == "\n":
                    t2 -= 1
                if self.b[t1:t2] == b_t and is_term(self.b, t1, t2):
                    confidence = cfg.short_han_confidence
                    reason = f"masked characters {a_t} restored from the reference (the term {b_t})"
                    return _Piece(out, "restore.mask", reason, self.evidence(j1, j2), confidence, j1)
                confidence = cfg.cut_words_confidence
            else:
                confidence = cfg.other_confidence
            return _Piece(
                out,
                "restore.mask",
                f"masked characters {a_t} restored from the reference",
                self.evidence(j1, j2),
                confidence,
                j1,
            )
        if a_t:
            return None
        if b_t in cfg.terms:
            reason = f"{b_t} deleted by the site, restored from the reference"
            return _Piece(out, "restore.deleted-term", reason, self.evidence(j1, j2), cfg.deleted_term_confidence, j1)
        for short, full, confidence in cfg.truncations:
            if self.completes(full, i1, j1, j2) == short:
                reason = f"truncated term {short} completed to {full} from the reference"
                return _Piece(out, "restore.truncated-term", reason, self.evidence(j1, j2), confidence, j1)
        if len(b_t) >= cfg.min_term_part:
            for term in cfg.terms:
                if len(term) > len(b_t) and self.completes(term, i1, j1, j2) is not None:
                    reason = f"{term} partly deleted by the site, restored from the reference"
                    return _Piece(
                        out, "restore.deleted-term", reason, self.evidence(j1, j2), cfg.deleted_term_confidence, j1
                    )
        return None

    # -- hunks inside blocks ----------------------------------------------------------------

    def block_ops(self, ops: tuple[tuple[str, int, int, int, int], ...]) -> None:
        """Classify every difference of one block.

        An LCS alignment is ambiguous: ``以特别是`` against ``以习近平新时代中国特色社会主义思想特别是``
        may match the ``特`` of ``特色``. A difference that restores nothing is therefore retried
        joined with the next ones across short equal runs: if the scraped side then lies inside
        the reference side and what surrounds it restores, that reading wins.
        """
        n = 0
        while n < len(ops):
            tag, i1, i2, j1, j2 = ops[n]
            if tag == "equal":
                n += 1
                continue
            if "\n" not in self.b[j1:j2] and self.hunk(i1, i2, j1, j2, final=False):
                n += 1
                continue
            m = n
            done = False
            while (
                m + 2 < len(ops)
                and m - n < 6
                and ops[m + 1][0] == "equal"
                and ops[m + 2][0] != "equal"
                and (
                    ops[m + 1][2] - ops[m + 1][1] <= 2
                    or (ops[m + 1][2] - ops[m + 1][1] <= 12 and "\n" in self.b[j1 : ops[m + 2][4]])
                )
            ):
                m += 2
                if self.window(i1, ops[m][2], j1, ops[m][4]):
                    done = True
                    break
            if done:
                n = m + 1
                continue
            self.hunk(i1, i2, j1, j2, final=True)
            n += 1

    def window(self, i1: int, i2: int, j1: int, j2: int) -> bool:
        """Read ``b[j1:j2]`` as ``x + a[i1:i2] + y``; restore x and y if both restore (or are empty).

        With a paragraph break in ``b[j1:j2]``, the reading with ``x`` or ``y`` empty is taken.
        """
        a_t, b_t = self.a[i1:i2], self.b[j1:j2]
        if not a_t:
            return False
        if "\n" in b_t:
            # ``。\n过去一年`` vs ``。\n一、充分肯定过去一年取得的成绩\n过去一年``: one insertion
            if b_t.endswith(a_t):
                self.hunk_with_breaks(i1, i1, j1, j2 - len(a_t))
                return True
            if b_t.startswith(a_t):
                self.hunk_with_breaks(i2, i2, j1 + len(a_t), j2)
                return True
            return False
        at = b_t.find(a_t)
        while at >= 0:
            x = (j1, j1 + at)
            y = (j1 + at + len(a_t), j2)
            pieces = []
            for pos, (s, e) in ((i1, x), (i2, y)):
                if s == e:
                    continue
                piece = self.classify(pos, pos, s, e)
                if piece is None:
                    break
                pieces.append((pos, piece))
            else:
                if pieces:
                    for pos, piece in pieces:
                        self.point(pos).left.append(piece)
                    return True
            at = b_t.find(a_t, at + 1)
        return False

    def peel(self, i1: int, i2: int, j1: int, j2: int) -> tuple[int, int, int, int, bool]:
        """Restore a mask run at either end of a mixed difference (``同志们：**`` vs ``…\n2023``)."""
        cfg = self.cfg
        a_t, b_t = self.a[i1:i2], self.b[j1:j2]
        found = False
        m = cfg.mask_suffix.search(a_t)
        if m and 0 < m.start():
            n = cfg.numeral_suffix.search(b_t)
            if n and 0 < len(n.group()) <= cfg.max_restored:
                piece = self.classify(i1 + m.start(), i2, j1 + n.start(), j2)
                if piece is not None:
                    self.replacements.append((i1 + m.start(), i2, piece))
                    i2, j2 = i1 + m.start(), j1 + n.start()
                    a_t, b_t = a_t[: m.start()], b_t[: n.start()]
                    found = True
        m = cfg.mask_prefix.search(a_t)
        if m and m.end() < len(a_t):
            n = cfg.numeral_prefix.search(b_t)
            if n and 0 < n.end() <= cfg.max_restored:
                piece = self.classify(i1, i1 + m.end(), j1, j1 + n.end())
                if piece is not None:
                    self.replacements.append((i1, i1 + m.end(), piece))
                    i1, j1 = i1 + m.end(), j1 + n.end()
                    found = True
        return i1, i2, j1, j2, found

    def hunk(self, i1: int, i2: int, j1: int, j2: int, *, final: bool) -> bool:
        """Restore what one difference allows; True if something was restored.

        Unless ``final``, nothing is recorded when nothing restores (the caller may try a wider
        reading); paragraph breaks are always handled with ``final``.
        """
        piece = self.classify(i1, i2, j1, j2) if "\n" not in self.b[j1:j2] else None
        if piece is not None:
            self.place(i1, i2, piece)
            return True
        if not final:
            return False
        if "\n" not in self.b[j1:j2]:
            piece = self.combined(i1, i2, j1, j2)
            if piece is not None:
                self.place(i1, i2, piece)
                return True
            if i1 == i2:
                self.candidates.append(("deleted", i1, j1, j2))  # an edition's omission, or masking (see learn)
                return False
            if j2 - j1 <= _COMBINED_MAX:
                self.replaced.append((i1, i2, j1, j2))  # a learned mask beside a damage, perhaps (see learn)
        i1, i2, j1, j2, peeled = self.peel(i1, i2, j1, j2)
        if "\n" in self.b[j1:j2]:
            self.hunk_with_breaks(i1, i2, j1, j2)
            return True
        if peeled:
            piece = self.classify(i1, i2, j1, j2)
            if piece is not None:
                self.place(i1, i2, piece)
        return peeled

    def combined(self, i1: int, i2: int, j1: int, j2: int) -> _Piece | None:
        """Two kinds of damage in one place, each restorable on its own: ``b[j1:j2]`` read as two
        parts, the scraped ``a[i1:i2]`` standing for one of them and nothing for the other
        (``强国指出`` vs ``强国”。习近平总书记指出``: a dropped quote end, then a deleted name).
        """
        if j2 - j1 > _COMBINED_MAX or j2 - j1 < 2:
            return None
        b_t = self.b[j1:j2]
        if i1 < i2 and self.cfg.mask_run.fullmatch(self.a[i1:i2]):
            splits: Iterable[int] = range(j1 + 1, j2)  # a mask run beside another damage
        elif b_t.startswith(self.damage_refs) or b_t.endswith(self.damage_refs):  # a known damage at an end
            refs = self.damage_refs
            splits = sorted(
                {j1 + len(r) for r in refs if b_t.startswith(r)} | {j2 - len(r) for r in refs if b_t.endswith(r)}
            )
        else:
            return None
        for k in splits:
            if not j1 < k < j2:
                continue
            for first_a, second_a in (((i1, i2), (i2, i2)), ((i1, i1), (i1, i2))):
                first = self.classify(*first_a, j1, k)
                if first is None:
                    continue
                second = self.classify(*second_a, k, j2)
                if second is None:
                    continue
                main = min((first, second), key=lambda p: _RULE_RANK.get(p.rule_id, 8))
                return _Piece(
                    first.text + second.text,
                    main.rule_id,
                    f"{first.reason}; {second.reason}",
                    f"{first.evidence} | {second.evidence}",
                    min(first.confidence, second.confidence),
                    j1,
                )
        return None

    def snap(self, pos: int, i1: int, i2: int) -> int:
        """A break position inside ``a[i1:i2]`` moved to the nearest sentence end (or an end)."""
        candidates = [i1, i2] + [p for p in range(i1 + 1, i2) if self.a[p - 1] in _SENTENCE_END]
        return min(candidates, key=lambda p: (abs(p - pos), p))

    def shifted_paragraph(self, i: int, last: str) -> bool:
        """Whether the scraped text before ``a[i]`` (on its line) ends with the words of ``last``,
        the start of the reference paragraph after an inserted break.

        Then the insertion is better read one paragraph earlier: the scraped text lacks a whole
        reference paragraph (a subheading the next paragraph repeats: ``“我爱好挺多，最大的爱好是
        读书”`` before ``“我爱好挺多，最大的爱好是读书，读书已成为…``), and nothing was dropped at ``i``.
        """
        if len(last) > _SHIFT_MAX:
            return False  # a whole paragraph this long would have been aligned there
        words = "".join(_CONTENT.findall(last))
        if len(words) < _SHIFT_MIN:
            return False
        lo = max(0, i - 4 * len(last) - 8)  # the words, and the punctuation between them, at most
        line_start = self.a.rfind("\n", lo, i) + 1
        return "".join(_CONTENT.findall(self.a, max(lo, line_start), i)).endswith(words)

    def hunk_with_breaks(self, i1: int, i2: int, j1: int, j2: int) -> None:
        a, b = self.a, self.b
        b_t = b[j1:j2]
        if i1 == i2:
            parts = b_t.split("\n")
            first, last = parts[0], parts[-1]
            if first.strip() and self.shifted_paragraph(i1, last):
                return
            point = self.point(i1)
            if first.strip():
                piece = self.classify(i1, i1, j1, j1 + len(first))
                if piece is not None:
                    point.left.append(piece)
            if last.strip():
                piece = self.classify(i1, i1, j2 - len(last), j2)
                if piece is not None:
                    point.right.append(piece)
            if self.complete:
                offset = j1 + len(first) + 1
                for middle in parts[1:-1]:
                    if middle.strip():
                        point.paras.append(self.missing_piece(offset, offset + len(middle), paragraph=True))
                    offset += len(middle) + 1
            point.brk = point.brk or self.break_piece(j1 + len(first))
            return
        a_t = a[i1:i2]
        core = b_t.replace("\n", "")
        piece = self.classify(i1, i2, j1, j2, b_text=core) if core.strip() else None
        if piece is not None:
            piece.text = _collapse_breaks(self.view[j1:j2])
            piece.reason += "; paragraph break from the reference"
            self.replacements.append((i1, i2, piece))
            return
        if not core.strip() and len(a_t.strip()) >= self.cfg.own_line_min:
            # a scraped stretch where the reference only breaks the paragraph: its own line
            for pos in (i1, i2):
                if not (self.line_start(pos) or self.line_end(pos)):
                    self.point(pos).brk = self.point(pos).brk or self.break_piece(j1)
            return
        if Indel.normalized_similarity(a_t, core) < _UNLIKE:
            # another text altogether (a heading the edition moved here): a break only at its ends
            for pos, at_end in ((i1, b_t.startswith("\n")), (i2, b_t.endswith("\n"))):
                if at_end and not (self.line_start(pos) or self.line_end(pos)):
                    self.point(pos).brk = self.point(pos).brk or self.break_piece(j1 if pos == i1 else j2 - 1)
            return
        for tag, s1, _, d1, d2 in Indel.opcodes(a_t, b_t).as_list():
            if tag == "insert" and "\n" in b_t[d1:d2]:
                pos = self.snap(i1 + s1, i1, i2)
                if not (self.line_start(pos) or self.line_end(pos)):
                    self.point(pos).brk = self.point(pos).brk or self.break_piece(j1 + d1)

    # -- block edges ------------------------------------------------------------------------

    def missing_piece(self, j1: int, j2: int, *, paragraph: bool) -> _Piece:
        text = self.view[j1:j2].strip()
        if paragraph:
            return _Piece(
                text,
                "restore.insert-missing-paragraph",
                "paragraph missing from the scraped text, inserted from the reference (--complete)",
                self.evidence(j1, j1) if len(text) > 40 else self.evidence(j1, j2),
                self.cfg.missing_confidence,
                j1,
            )
        return _Piece(
            self.view[j1:j2],
            "restore.insert-missing-text",
            "part of a paragraph missing from the scraped text, inserted from the reference (--complete)",
            self.evidence(j1, j2),
            self.cfg.missing_confidence,
            j1,
        )

    def edges(self) -> None:
        a, b = self.a, self.b
        blocks = self.al.blocks
        starts: list[bool] = []
        ends: list[bool] = []
        start_at = [blk.a_start for blk in blocks]  # where each block's paragraph starts/ends in a
        end_at = [blk.a_end for blk in blocks]
        for n, blk in enumerate(blocks):
            # where the block starts in its reference paragraph
            prev_end = blocks[n - 1].a_end if n else 0
            gap_before = a[prev_end : blk.a_start]
            boundary = self.line_start(blk.a_start) or not _CONTENT.search(gap_before)
            ps = b.rfind("\n", 0, blk.b_start) + 1
            head = b[ps : blk.b_start]
            starts_para = not head.strip()
            if not starts_para:
                # damage just before the block, in the scraped gap (a quote end, a mask)
                line = gap_before.split("\n")[-1]
                for size in range(1, min(_EDGE_STUB, len(line)) + 1):
                    s0 = blk.a_start - size
                    piece = self.classify(s0, blk.a_start, ps, blk.b_start) if self.free(s0, blk.a_start) else None
                    if piece is not None:
                        self.replacements.append((s0, blk.a_start, piece))
                        self.edge_taken.append((s0, blk.a_start))
                        if piece.confidence >= self.cfg.apply_threshold:  # a suggestion places no break
                            start_at[n] = s0
                            starts_para = True
                        break
            if not starts_para and boundary:
                piece = self.classify(blk.a_start, blk.a_start, ps, blk.b_start)
                if piece is None and not self.complete:
                    # a paragraph cut at a sentence start whose first words (a name) were deleted
                    term = next((t for t in self.cfg.terms if head.endswith(t)), None)
                    if term and (head == term or head[-len(term) - 1] in _SENTENCE_END):
                        piece = self.classify(blk.a_start, blk.a_start, blk.b_start - len(term), blk.b_start)
                        if piece is not None:
                            self.point(blk.a_start).right.append(piece)
                        piece = None
                if piece is None and self.complete and self.unused(ps, blk.b_start):
                    piece = self.missing_piece(ps, blk.b_start, paragraph=False)
                if piece is not None:
                    self.point(blk.a_start).right.append(piece)
                    starts_para = True
            starts.append(starts_para)
            # where it ends in its reference paragraph
            next_start = blocks[n + 1].a_start if n + 1 < len(blocks) else len(a)
            gap_after = a[blk.a_end : next_start]
            boundary = self.line_end(blk.a_end) or not _CONTENT.search(gap_after)
            pe = b.find("\n", blk.b_end)
            pe = len(b) if pe < 0 else pe
            tail = b[blk.b_end : pe]
            ends_para = not tail.strip() and not self.cut_end(blk.a_end, pe)
            if not ends_para:
                line = gap_after.split("\n")[0]
                for size in range(1, min(_EDGE_STUB, len(line)) + 1):
                    e0 = blk.a_end + size
                    piece = self.classify(blk.a_end, e0, blk.b_end, pe) if self.free(blk.a_end, e0) else None
                    if piece is not None:
                        self.replacements.append((blk.a_end, e0, piece))
                        self.edge_taken.append((blk.a_end, e0))
                        if piece.confidence >= self.cfg.apply_threshold:
                            end_at[n] = e0
                            ends_para = True
                        break
            if not ends_para and (boundary or ("", tail) in self.cfg.damage):
                # a dropped quote end closes the paragraph even when unaligned text follows
                piece = self.classify(blk.a_end, blk.a_end, blk.b_end, pe)
                if piece is None and self.complete and tail.strip() and self.unused(blk.b_end, pe):
                    piece = self.missing_piece(blk.b_end, pe, paragraph=False)
                if piece is not None:
                    self.point(blk.a_end).left.append(piece)
                    ends_para = True
            ends.append(ends_para)
        for n in range(len(blocks)):
            if n == 0:
                if starts[0] and not self.line_start(start_at[0]):
                    self.add_break(start_at[0], blocks[0].b_start)
            elif ends[n - 1] or starts[n]:
                gap = a[end_at[n - 1] : start_at[n]]
                if "\n" in gap:
                    pass
                elif not _CONTENT.search(gap):
                    self.add_break(start_at[n], blocks[n].b_start)
                else:
                    if ends[n - 1]:
                        self.add_break(end_at[n - 1], blocks[n - 1].b_end)
                    if starts[n]:
                        self.add_break(start_at[n], blocks[n].b_start)
        if blocks and ends[-1] and not self.line_end(end_at[-1]):
            self.add_break(end_at[-1], blocks[-1].b_end)

    def unused(self, j1: int, j2: int) -> bool:
        """Whether ``b[j1:j2]`` is in no block and not inserted yet; if so, it counts as inserted now.

        Two scraped blocks may match one reference paragraph (a title repeated at the start of
        the body): its missing beginning or end is inserted once, at the first of them.
        """
        if self.covered(j1, j2) or (j1, j2) in self.inserted:
            return False
        self.inserted.add((j1, j2))
        return True

    def cut_end(self, i: int, j: int) -> bool:
        """Whether the reference ends at ``b[j]`` cut mid-sentence while the scraped line goes on at ``a[i]``.

        An excerpt of a page often stops in the middle of a sentence (``…伟大复兴而``): its end is
        no paragraph end, and the scraped text that continues the sentence (``团结奋斗！``) stays
        on its line.
        """
        if _NON_SPACE.search(self.b, j):  # the reference goes on: not its end
            return False
        k = j - 1
        while k >= 0 and self.b[k].isspace():
            k -= 1
        if k < 0 or self.b[k] in _SENTENCE_END:
            return False
        line_end = self.a.find("\n", i)
        return bool(_CONTENT.search(self.a[i : len(self.a) if line_end < 0 else line_end]))

    def add_break(self, pos: int, j: int) -> None:
        point = self.point(pos)
        point.brk = point.brk or self.break_piece(j)

    # -- --complete: reference paragraphs the scraped text lacks ------------------------------

    def missing_paragraphs(self) -> None:
        b = self.b
        paragraphs: list[tuple[int, int]] = []
        pos = 0
        for line in b.split("\n"):
            if line.strip():
                paragraphs.append((pos, pos + len(line)))
            pos += len(line) + 1
        present = [self.covered(s, e) for s, e in paragraphs]
        if not any(present):
            return
        for n, (s, e) in enumerate(paragraphs):
            if present[n]:
                continue
            before = next((m for m in range(n - 1, -1, -1) if present[m]), None)
            if before is not None:
                pos = self.a_after_paragraph(*paragraphs[before])
            else:
                after = next(m for m in range(n + 1, len(paragraphs)) if present[m])
                pos = self.a_before_paragraph(*paragraphs[after])
            self.point(pos).paras.append(self.missing_piece(s, e, paragraph=True))

    def a_after_paragraph(self, s: int, e: int) -> int:
        """Scraped offset aligned with the end of reference paragraph ``b[s:e]``."""
        best = None
        for n, blk in enumerate(self.al.blocks):
            if blk.b_start < e and blk.b_end > s and (best is None or blk.b_end > self.al.blocks[best].b_end):
                best = n
        assert best is not None
        return self.al.b_to_a(best, min(e, self.al.blocks[best].b_end))

    def a_before_paragraph(self, s: int, e: int) -> int:
        """Scraped offset aligned with the start of reference paragraph ``b[s:e]``."""
        best = None
        for n, blk in enumerate(self.al.blocks):
            if blk.b_start < e and blk.b_end > s and (best is None or blk.b_start < self.al.blocks[best].b_start):
                best = n
        assert best is not None
        return self.al.b_to_a(best, max(s, self.al.blocks[best].b_start))

    # -- output --------------------------------------------------------------------------------

    def run(self) -> None:
        for ops in self.al.opcodes:
            self.block_ops(ops)
        self.edges()
        self.learn()
        if self.complete:
            self.missing_paragraphs()

    def learn(self) -> None:
        """Restore the terms the site hid consistently (:mod:`pipeline.stages.restore_learned`):
        missing at most of their aligned places, or starred at several of them."""
        cfg = self.cfg
        doubtful = [
            ("starred", start, piece.order, piece.order + len(piece.text))
            for start, _, piece in self.replacements
            if piece.rule_id == "restore.mask" and piece.confidence < cfg.apply_threshold
        ]
        self.learned = learn_masks(
            self.b,
            [*self.candidates, *doubtful],
            self.covered,
            min_places=cfg.learned_min_places,
            min_share=cfg.learned_min_share,
            min_chars=cfg.learned_min_chars,
            max_chars=cfg.learned_max_chars,
        )
        for kind, i, j1, j2 in self.candidates:
            if kind != "deleted":
                continue
            piece = self.learned_piece(j1, j2)
            if piece is None and self.learned:  # a learned term and another damage in one place
                piece = self.learned_combined(i, j1, j2)
            if piece is None:
                piece = self.gap_piece(i, j1, j2)
            if piece is not None:
                self.point(i).left.append(piece)
        for i1, i2, j1, j2 in self.replaced if self.learned else ():
            if self.free(i1, i2) and (piece := self.learned_combined(i1, j1, j2, i2)) is not None:
                self.replacements.append((i1, i2, piece))
        for _, _, piece in self.replacements:
            mask = self.learned.get(self.b[piece.order : piece.order + len(piece.text)])
            if piece.rule_id == "restore.mask" and piece.confidence < cfg.apply_threshold and mask is not None:
                piece.confidence = max(piece.confidence, cfg.learned_confidence)
                piece.reason += f" ({mask.evidence}: learned from this document)"

    def gap_piece(self, i: int, j1: int, j2: int) -> _Piece | None:
        """A deletion seen once, restored on what it left: a name or noun phrase (jieba POS) whose
        deletion left an empty enumeration slot, a preposition with no object or a title with no name
        (:func:`pipeline.stages.restore_terms.deletion_gap`). Anything else once-only is an edition's."""
        words = self.b[j1:j2]
        if not (2 <= len(words) <= _GAP_WORDS_MAX and _HAN_RUN.fullmatch(words)):
            return None
        gap = deletion_gap(self.a, i, words)
        kind = nominal_kind(words) if gap else None
        if gap is None or kind is None or (gap.startswith("the title") and kind != "name"):
            return None
        what = "a name" if kind == "name" else "a noun phrase"
        reason = f"{words} ({what}, jieba) deleted by the site, leaving {gap}; restored from the reference"
        return _Piece(
            self.view[j1:j2], "restore.deleted-term", reason, self.evidence(j1, j2), self.cfg.gap_confidence, j1
        )

    def learned_piece(self, j1: int, j2: int) -> _Piece | None:
        """The insertion of ``b[j1:j2]`` if it is a learned mask."""
        mask = self.learned.get(self.b[j1:j2])
        if mask is None:
            return None
        reason = f"{mask.evidence}: masked by the site (learned from this document), restored from the reference"
        evidence = self.evidence(j1, j2)
        return _Piece(self.view[j1:j2], "restore.learned-mask", reason, evidence, self.cfg.learned_confidence, j1)

    def learned_combined(self, i: int, j1: int, j2: int, i2: int | None = None) -> _Piece | None:
        """``b[j1:j2]`` missing at ``a[i]`` (or standing where ``a[i:i2]`` stands: ``二`` for ``农村”。``)
        read as a learned mask and another restorable damage."""
        i2 = i if i2 is None else i2
        for k in range(j1 + 1, min(j2, j1 + _COMBINED_MAX)):
            if (head := self.learned_piece(j1, k)) is not None:
                first, second = head, self.classify(i, i2, k, j2)
            elif (tail := self.learned_piece(k, j2)) is not None:
                first, second = self.classify(i, i2, j1, k), tail
            else:
                continue
            if first is None or second is None:
                continue
            return _Piece(
                first.text + second.text,
                "restore.learned-mask",
                f"{first.reason}; {second.reason}",
                f"{first.evidence} | {second.evidence}",
                min(first.confidence, second.confidence),
                j1,
            )
        return None

    def insertion(self, pos: int, piece: _Piece, *, end: int | None = None) -> Edit:
        """The edit putting one piece of reference text at ``pos`` (in place of ``pos:end``, if given)."""
        return make_edit(
            STAGE,
            piece.rule_id,
            self.text,
            pos,
            pos if end is None else end,
            piece.text,
            piece.reason,
            evidence=piece.evidence,
            confidence=piece.confidence,
        )

    def compose(self, pos: int, point: _Point, threshold: float) -> tuple[Edit | None, list[Edit]]:
        """One edit for everything inserted at ``pos`` (plus suggestions for the doubtful pieces)."""
        if len(point.left) == 1 and not (point.paras or point.right or point.brk):  # one insertion
            piece = point.left[0]
            edit = self.insertion(pos, piece)
            return (edit, []) if piece.confidence >= threshold else (None, [edit])
        if not (point.left or point.paras or point.right):  # the usual case: a paragraph break only
            brk = point.brk
            if brk is None or brk.confidence < threshold or self.line_start(pos) or self.line_end(pos):
                return None, []
            return make_edit(
                STAGE,
                brk.rule_id,
                self.text,
                pos,
                pos,
                "\n",
                brk.reason,
                evidence=brk.evidence,
                confidence=brk.confidence,
            ), []
        suggestions: list[Edit] = []
        keep: dict[str, list[_Piece]] = {"left": [], "paras": [], "right": []}
        for side in keep:
            for piece in sorted(getattr(point, side), key=lambda p: p.order):
                if piece.confidence >= threshold:
                    keep[side].append(piece)
                else:
                    suggestions.append(self.insertion(pos, piece))
        brk = point.brk if point.brk is not None and point.brk.confidence >= threshold else None
        left = "".join(p.text for p in keep["left"])
        right = "".join(p.text for p in keep["right"])
        paras = [p.text for p in keep["paras"]]
        if brk is None and not paras:
            out = left + right
        else:
            out = left + "".join("\n" + p for p in paras) + "\n" + right
            if self.line_start(pos) and not left and out.startswith("\n"):
                out = out[1:]
            if self.line_end(pos) and not right and out.endswith("\n"):
                out = out[:-1]
        pieces = keep["left"] + keep["paras"] + keep["right"]
        if not out:
            return None, suggestions
        if brk is not None and "\n" in out:
            pieces.append(brk)
        if not pieces:
            return None, suggestions
        main = min(pieces, key=lambda p: _RULE_RANK.get(p.rule_id, 8))
        reasons = list(dict.fromkeys(p.reason for p in pieces))
        evidence = " | ".join(dict.fromkeys(p.evidence for p in pieces if p.evidence))
        confidence = min(p.confidence for p in pieces)
        edit = make_edit(
            STAGE,
            main.rule_id,
            self.text,
            pos,
            pos,
            out,
            "; ".join(reasons),
            evidence=evidence or None,
            confidence=confidence,
        )
        return edit, suggestions

    def result(self) -> tuple[list[Edit], list[Edit]]:
        threshold = self.cfg.apply_threshold
        applied: list[Edit] = []
        suggestions: list[Edit] = []
        for start, end, piece in self.replacements:
            edit = self.insertion(start, piece, end=end)
            (applied if piece.confidence >= threshold else suggestions).append(edit)
        for pos, point in self.points.items():
            edit, doubtful = self.compose(pos, point, threshold)
            suggestions.extend(doubtful)
            if edit is not None:
                applied.append(edit)
        applied.sort(key=lambda e: (e.start, e.end))
        safe: list[Edit] = []
        last_end = -1
        last_start = -1
        for edit in applied:
            if edit.start < last_end or (edit.start == last_start and edit.start == edit.end):
                suggestions.append(edit)  # cannot happen by construction; never apply overlapping edits
                continue
            safe.append(edit)
            last_end, last_start = edit.end, edit.start
        suggestions.sort(key=lambda e: (e.start, e.end))
        return safe, suggestions


def _collapse_breaks(text: str) -> str:
    return regex.sub(r"\n{2,}", "\n", text)


def restore_from_reference(
    text: str,
    *,
    reference: str,
    rules: RuleSet,
    metadata: dict[str, Any],
    complete: bool = False,
) -> tuple[list[Edit], list[Edit]]:
    """Edits restoring ``text`` (cleaned scraped text) from ``reference``; offsets refer to ``text``.

    Returns ``(applied, suggestions)``: applied edits never overlap and each ``before`` equals
    ``text[start:end]``; suggestions are restorations below the confidence threshold of
    ``masks.toml``. Sets ``metadata["reference_similarity"]`` and ``metadata["reference_status"]``
    (``"unrelated (similarity 0.03)"`` when the reference is another document: then no edits).
    ``complete=True`` also inserts the reference paragraphs the scraped text lacks.
    """
    config = load_config(rules)
    if not text.strip() or not reference.strip():
        metadata["reference_similarity"] = 0.0
        metadata["reference_status"] = "unrelated (similarity 0.00)"
        return [], []
    simplified_text = fold_to_simplified(text)
    simplified_reference = fold_to_simplified(reference)
    folded_text = fold_for_alignment(text, simplified_text)
    folded_reference = fold_for_alignment(reference, simplified_reference)
    alignment = align(folded_text, folded_reference, wildcards=config.wildcards)
    metadata["reference_similarity"] = alignment.similarity
    verdict = judge_reference(
        alignment,
        folded_text,
        folded_reference,
        min_similarity=config.min_similarity,
        min_reference_share=config.partial_reference_share,
        min_block_identity=config.partial_block_identity,
        min_block_chars=config.partial_block_chars,
    )
    metadata["reference_status"] = verdict.status
    if not verdict.same:
        return [], []
    traditional = is_traditional(text, simplified_text)
    reference_traditional = is_traditional(reference, simplified_reference)
    if traditional != reference_traditional:
        # compared in simplified script; what is restored is quoted in the scraped text's script
        metadata["reference_script"] = "traditional" if reference_traditional else "simplified"
    view = reference_view(reference, simplified_reference, traditional=traditional)
    used = align_gaps(verdict.alignment, folded_text, folded_reference, wildcards=config.wildcards)
    restorer = _Restorer(folded_text, folded_reference, config, used, complete, text=text, view=view)
    restorer.run()
    if restorer.learned:
        metadata["learned_masks"] = [mask.as_dict() for mask in restorer.learned.values()]
    return restorer.result()
