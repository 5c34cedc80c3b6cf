"""Suggestions from the corpus: what other documents have where one document is masked or cut.

Without a reference a masked span (``党的*大``, ``意识`` cut before ``斗争``) can only be flagged. In a
corpus, other documents often hold the same passage unmasked: ``推动党的*大精神`` in one document and
``推动党的二十大精神`` in three others suggest ``二十``. :func:`suggest_corpus_fills` runs after a
``docmend corpus`` run, over ``OUTDIR/corpus.jsonl``, in three streaming passes:

1. each record's text is flagged (``[[masks.flags]]``); each flagged span that ``[corpus_fill]``
   knows becomes a *gap*: its left context (literal), the span with holes where the masks are (or a
   hole after a cut term) and its right context — at most ``max_spans`` gaps in all;
2. every record's text is scanned once with an Aho-Corasick automaton of the left contexts; where one
   occurs, the gap's pattern is tried there and what fills its holes is counted, per distinct
   document (duplicates do not count, nor does the document with the gap itself);
3. the corpus is rewritten (atomically, in order) with ``corpus_suggestions`` in each record that has
   a gap some other document fills: the candidate fill, how many documents support it, a few of
   their ids, and whether documents disagree. Nothing in the text is changed.

Memory is bounded by the number of gaps (not by the size of the corpus): a document's text is held
only while it is scanned.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import regex
from ahocorasick_rs import AhoCorasick, MatchKind

from ..document import Document, Edit, make_edit
from ..rules import RuleSet
from ..stages.restore import flag_masked_spans
from .outputs import read_jsonl

RULE_ID = "corpus.fill"
FIELD = "corpus_suggestions"
REVIEW_DIR = "review"


@dataclass(frozen=True, slots=True)
class FillSettings:
    """``[corpus_fill]`` of the rules."""

    left_chars: int
    min_left_chars: int
    right_chars: int
    min_right_chars: int
    max_spans: int
    min_documents: int
    sample_documents: int
    review_pages: bool
    holes: dict[str, tuple[str, str]]  # flag rule id -> (where: masks|end, hole pattern)
    mask_chars: str

    @classmethod
    def of(cls, rules: RuleSet) -> FillSettings:
        """The settings in ``rules`` (defaults where a key is missing)."""

        def get(key: str, default: Any) -> Any:
            return rules.setting("corpus_fill", key, default)

        holes = {str(h["flag"]): (str(h.get("at", "masks")), str(h["pattern"])) for h in get("holes", [])}
        return cls(
            int(get("left_chars", 6)),
            int(get("min_left_chars", 2)),
            int(get("right_chars", 4)),
            int(get("min_right_chars", 1)),
            int(get("max_spans", 200_000)),
            int(get("min_documents", 1)),
            int(get("sample_documents", 3)),
            bool(get("review_pages", True)),
            holes,
            str(rules.setting("masks", "characters", "*")),
        )


@dataclass(frozen=True, slots=True)
class GapPattern:
    """What a masked span looks like with its context: ``left`` + template + ``right``.

    ``template`` alternates literal text and holes (``None``); ``hole`` is the pattern a hole's fill
    must match (no capturing groups in it).
    """

    left: str
    template: tuple[str | None, ...]
    right: str
    hole: str

    def regex(self) -> regex.Pattern[str]:
        """The pattern an unmasked copy matches; each hole is a group."""
        return _compiled(self)

    def filled(self, fills: tuple[str, ...]) -> str:
        """The span with its holes filled."""
        parts = iter(fills)
        return "".join(next(parts) if piece is None else piece for piece in self.template)


@lru_cache(maxsize=4096)
def _compiled(gap: GapPattern) -> regex.Pattern[str]:
    body = "".join(f"({gap.hole})" if piece is None else regex.escape(piece) for piece in gap.template)
    return regex.compile(regex.escape(gap.left) + body + regex.escape(gap.right))


@dataclass(slots=True)
class Gap:
    """One flagged span of one document."""

    start: int
    end: int
    before: str
    flag: str
    pattern: GapPattern


@dataclass(slots=True)
class Support:
    """The documents that fill one gap pattern with one text (a count and a few ids)."""

    documents: int = 0
    sample: list[tuple[str, str]] = field(default_factory=list)  # (id, source)
    owners: set[str] = field(default_factory=set)  # documents that both have the gap and fill it elsewhere


@dataclass(slots=True)
class FillSummary:
    """What the pass did, for summary.json."""

    gaps: int = 0
    gaps_skipped: int = 0
    documents_with_suggestions: int = 0
    suggestions: int = 0
    conflicting: int = 0

    def as_dict(self) -> dict[str, int]:
        """The counts as a plain dict."""
        return {
            "gaps": self.gaps,
            "gaps_skipped": self.gaps_skipped,
            "documents": self.documents_with_suggestions,
            "suggestions": self.suggestions,
            "conflicting": self.conflicting,
        }


def find_gaps(text: str, *, rules: RuleSet, settings: FillSettings | None = None) -> list[Gap]:
    """The flagged spans of ``text`` that a corpus could fill, each with its context pattern.

    >>> from pipeline.rules import load_rules
    >>> [(g.before, g.pattern.left, g.pattern.right) for g in find_gaps("要推动党的*大精神落地。", rules=load_rules())]
    [('党的*大', '要推动', '精神落地')]
    """
    settings = settings or FillSettings.of(rules)
    masks = regex.compile(f"[{regex.escape(settings.mask_chars)}]+")
    gaps: list[Gap] = []
    for flag in flag_masked_spans(text, rules=rules):
        where = settings.holes.get(flag.rule_id)
        if where is None:
            continue
        at, hole = where
        line_start = text.rfind("\n", 0, flag.start) + 1
        line_end = text.find("\n", flag.end)
        line_end = len(text) if line_end < 0 else line_end
        left = text[max(line_start, flag.start - settings.left_chars) : flag.start]
        masked_left = masks.search(left)
        while masked_left:  # the context must be text another document can hold as it is
            left = left[masked_left.end() :]
            masked_left = masks.search(left)
        right = text[flag.end : min(line_end, flag.end + settings.right_chars)]
        right = right[: masks.search(right).start()] if masks.search(right) else right
        span = text[flag.start : flag.end]
        if at == "end":
            template: tuple[str | None, ...] = (span, None)
            if len(right) < settings.min_right_chars:
                continue
        else:
            pieces: list[str | None] = []
            cursor = 0
            for run in masks.finditer(span):
                pieces.extend([span[cursor : run.start()], None])
                cursor = run.end()
            pieces.append(span[cursor:])
            template = tuple(piece for piece in pieces if piece != "")
            if None not in template:
                continue
        if len(left) < settings.min_left_chars:
            continue
        gaps.append(Gap(flag.start, flag.end, span, flag.rule_id, GapPattern(left, template, right, hole)))
    return gaps


def suggest_corpus_fills(corpus: Path, *, rules: RuleSet, review_dir: Path | None = None) -> FillSummary:
    """Add ``corpus_suggestions`` to the records of ``corpus`` (a corpus.jsonl) whose masked spans other
    documents of it hold unmasked; write a review page per such document into ``review_dir`` (if given
    and ``review_pages`` is on). Returns what was found. The texts are never changed."""
    settings = FillSettings.of(rules)
    summary = FillSummary()
    gaps_of: dict[str, list[Gap]] = {}
    owners: dict[GapPattern, set[str]] = {}
    for record in read_jsonl(corpus):
        if not isinstance(record.get("text"), str) or not isinstance(record.get("id"), str):
            continue
        found = find_gaps(record["text"], rules=rules, settings=settings)
        room = settings.max_spans - summary.gaps
        summary.gaps_skipped += max(0, len(found) - room)
        found = found[: max(0, room)]
        if found:
            summary.gaps += len(found)
            gaps_of[record["id"]] = found
            for gap in found:
                owners.setdefault(gap.pattern, set()).add(record["id"])
    if not gaps_of:
        return summary
    support = _count_support(corpus, owners, settings)
    _rewrite(corpus, gaps_of, support, settings, summary, review_dir if settings.review_pages else None)
    return summary


def _count_support(
    corpus: Path, owners: dict[GapPattern, set[str]], settings: FillSettings
) -> dict[GapPattern, dict[str, Support]]:
    """For each gap pattern, the fills other documents hold there and how many documents hold each."""
    by_left: dict[str, list[GapPattern]] = {}
    for pattern in owners:
        by_left.setdefault(pattern.left, []).append(pattern)
    lefts = sorted(by_left)
    automaton = AhoCorasick(lefts, matchkind=MatchKind.Standard)
    masks = set(settings.mask_chars)
    support: dict[GapPattern, dict[str, Support]] = {}
    for record in read_jsonl(corpus):
        text, doc_id = record.get("text"), record.get("id")
        if not isinstance(text, str) or not isinstance(doc_id, str) or record.get("duplicate_of") is not None:
            continue
        seen: set[tuple[GapPattern, str]] = set()
        for index, start, _ in automaton.find_matches_as_indexes(text, overlapping=True):
            for pattern in by_left[lefts[index]]:
                match = pattern.regex().match(text, start)
                if match is None or any(ch in masks for ch in match.group()):
                    continue
                fill = pattern.filled(match.groups())
                if (pattern, fill) in seen:
                    continue
                seen.add((pattern, fill))
                entry = support.setdefault(pattern, {}).setdefault(fill, Support())
                entry.documents += 1
                if len(entry.sample) < settings.sample_documents + 1:
                    entry.sample.append((doc_id, str(record.get("source") or doc_id)))
                if doc_id in owners[pattern]:
                    entry.owners.add(doc_id)
    return support


def _suggestion(gap: Gap, doc_id: str, fills: dict[str, Support], settings: FillSettings) -> dict[str, Any] | None:
    """The suggestion for one gap of one document, or None when no other document fills it."""
    candidates = []
    for fill, entry in fills.items():
        documents = entry.documents - (doc_id in entry.owners)
        if fill != gap.before and documents >= settings.min_documents:
            sample = [(d, source) for d, source in entry.sample if d != doc_id][: settings.sample_documents]
            candidates.append(
                {"text": fill, "documents": documents, "examples": [d for d, _ in sample], "sources": sample}
            )
    if not candidates:
        return None
    candidates.sort(key=lambda c: (-c["documents"], c["text"]))
    for candidate in candidates:
        candidate["sources"] = [source for _, source in candidate["sources"]]
    best = candidates[0]
    conflict = len(candidates) > 1
    pattern = gap.pattern
    context = f"…{pattern.left}[{gap.before}]{pattern.right}…"
    if conflict:
        listed = ", ".join(f"{c['text']} ({c['documents']})" for c in candidates)
        reason = f"other documents of the corpus disagree on what {context} held: {listed}"
        confidence = 0.3
    else:
        n = best["documents"]
        holders = "1 other document of the corpus holds" if n == 1 else f"{n} other documents of the corpus hold"
        reason = f"{holders} {best['text']!r} here"
        confidence = round(min(0.9, 0.5 + 0.1 * n), 2)
    return {
        "stage": "restore",
        "rule": RULE_ID,
        "flag": gap.flag,
        "start": gap.start,
        "end": gap.end,
        "before": gap.before,
        "after": best["text"],
        "reason": reason,
        "evidence": f"context {context}; in " + ", ".join(best["sources"]),
        "confidence": confidence,
        "candidates": candidates,
        "conflict": conflict,
    }


def _rewrite(
    corpus: Path,
    gaps_of: dict[str, list[Gap]],
    support: dict[GapPattern, dict[str, Support]],
    settings: FillSettings,
    summary: FillSummary,
    review_dir: Path | None,
) -> None:
    """Write the corpus again, in order, with the suggestions added; it replaces the old one atomically."""
    from ..write import atomic_writer

    with atomic_writer(corpus) as out, corpus.open("r", encoding="utf-8") as src:
        for line in src:
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                record = None
            if not isinstance(record, dict):
                out.write(line)
                continue
            suggestions = []
            for gap in gaps_of.get(record.get("id"), []):  # type: ignore[arg-type]
                made = _suggestion(gap, record["id"], support.get(gap.pattern, {}), settings)
                if made is not None:
                    suggestions.append(made)
            if not suggestions and FIELD not in record:
                out.write(line)
                continue
            record.pop(FIELD, None)  # from an earlier pass over the same corpus (a resumed run)
            if suggestions:
                record[FIELD] = suggestions
                summary.documents_with_suggestions += 1
                summary.suggestions += len(suggestions)
                summary.conflicting += sum(s["conflict"] for s in suggestions)
                if review_dir is not None:
                    write_review_page(record, review_dir)
            out.write(json.dumps(record, ensure_ascii=False) + "\n")


def suggestion_edits(record: dict[str, Any]) -> list[Edit]:
    """The corpus suggestions of a record as Edits over its text (for the review page)."""
    text = record.get("text") or ""
    return [
        make_edit(
            "restore",
            RULE_ID,
            text,
            item["start"],
            item["end"],
            item["after"],
            item["reason"],
            evidence=item.get("evidence"),
            confidence=float(item.get("confidence", 0.0)),
        )
        for item in record.get(FIELD, [])
    ]


def write_review_page(record: dict[str, Any], review_dir: Path) -> Path:
    """Write the review page of one record's corpus suggestions: ``review_dir/<id>.review.html``."""
    from ..review import render_review
    from ..write import write_text

    text = record.get("text") or ""
    doc = Document(
        source=str(record.get("source") or record.get("id")),
        original=text,
        text=text,
        metadata={"title": record.get("title"), "reference": None},
        suggestions=suggestion_edits(record),
    )
    path = review_dir / f"{record['id']}.review.html"
    review_dir.mkdir(parents=True, exist_ok=True)
    write_text(path, render_review(doc))
    return path
