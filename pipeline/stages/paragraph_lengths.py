"""Paragraph breaks in a wall of text, placed by the length paragraphs usually have.

Real news flattened by a sharing site often has no cue at all where its paragraphs started: no heading,
no ``一是``, no ``此外``. What it still has is its length: a run of 600 characters is almost never one
paragraph of a news report (the real tuning texts have paragraphs of 87 characters, geometric mean, log
spread 0.59). :func:`length_paragraph_starts` splits such a run at sentence ends into pieces whose lengths
fit the typical paragraph, choosing among the sentence ends by the paragraph model's cues (a time or a
speaker opening the next sentence, an attendee list or a quotation closing the last one…) — a dynamic
programme over the sentence ends that maximises the pieces' length log-likelihood plus the cue scores::

    4月2日，县长主持召开会议。…县领导参加会议。会议要求，…。要…。会上，…。   (one line, 600 characters)
    →   4月2日，县长主持召开会议。…县领导参加会议。
        会议要求，…。要…。
        会上，…。

The typical paragraph is measured on the document, from the stretches between the breaks it kept and the
ones the cues found, when there are at least ``min_measured`` of them; otherwise it is the prior from the
real tuning texts. Only a run at least ``measured_factor`` (``prior_factor`` with the prior) times the
typical length is split, so that a document whose paragraphs are intact is left as it is. Wrong breaks
are the price: on the tuning texts about one break in three is at a sentence end where the page had none
(figures in ``rules/common/paragraph_lengths.toml``), which a reader takes over a wall of text. A break
is only ever put right after ``。！？`` or ``……`` (or a closing quote after one) outside any quotation,
leaving pieces of at least ``min_piece_chars``: never inside a sentence. Settings, cue weights and the
prior are data in ``rules/common/paragraph_lengths.toml``, fitted by ``scripts/train_paragraph_lengths.py``.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..rules import RuleSet
from .paragraph_model import (
    DocumentContext,
    ParagraphModel,
    body_stretches,
    boundary_features,
    candidate_ends,
    cue_model,
    document_context,
)

CueStart = tuple[int, str, str]  # position, rule id, reason

RULE_ID = "paragraphs.split-by-length"
MEASURE_MIN_CHARS = 20  # stretches shorter than this (headings, salutations) do not measure paragraphs


@dataclass(frozen=True, slots=True)
class LengthPrior:
    """The settings of ``[paragraph_lengths]``: the prior paragraph length and spread, when a run is long enough
    to split, the per-break bonus and how much the cue scores count, and the cue model they come from."""

    prior_chars: float
    log_sigma: float
    break_bonus: float
    cue_weight: float
    measured_factor: float
    prior_factor: float
    max_typical_factor: float
    min_measured: int
    min_piece_chars: int
    window_factor: float
    cues: ParagraphModel


@dataclass(frozen=True, slots=True)
class Typical:
    """The typical paragraph length of one document, and whether it was measured there (else the prior)."""

    chars: float
    measured: bool


def length_prior(rules: RuleSet) -> LengthPrior | None:
    """The length prior of ``rules``, or None when ``[paragraph_lengths]`` says ``enabled = false``."""
    table = rules.settings.get("paragraph_lengths", {})
    if not table or not table.get("enabled", True):
        return None
    weights = {str(k): float(v) for k, v in table.get("weights", {}).items()}
    fitted = table.get("fitted", {})
    return LengthPrior(
        float(fitted.get("prior_chars", 87.0)),
        float(fitted.get("log_sigma", 0.59)),
        float(fitted.get("break_bonus", 1.5)),
        float(fitted.get("cue_weight", 3.0)),
        float(table.get("measured_factor", 6.0)),
        float(table.get("prior_factor", 3.5)),
        float(table.get("max_typical_factor", 3.0)),
        int(table.get("min_measured", 3)),
        int(table.get("min_piece_chars", 20)),
        float(table.get("window_factor", 8.0)),
        cue_model(rules, weights, table.get("cues", [])),
    )


def typical_paragraph(text: str, known: Sequence[int], body_start: int, prior: LengthPrior) -> Typical:
    """The typical paragraph length of ``text``: the median length of the stretches between line breaks and
    ``known`` paragraph starts (those of at least 20 characters) when there are ``min_measured`` of them, else
    the prior. A median above ``max_typical_factor`` times the prior is taken as that: stretches so long are
    walls of several paragraphs between a few headings, not paragraphs.

    >>> from pipeline.rules import load_rules
    >>> prior = length_prior(load_rules())
    >>> typical_paragraph("甲" * 30 + "\\n" + "乙" * 50 + "\\n" + "丙" * 60, [], 0, prior)
    Typical(chars=50, measured=True)
    >>> typical_paragraph("甲" * 300, [], 0, prior).measured
    False
    """
    lengths = [b - a for a, b in body_stretches(text, known, body_start) if b - a >= MEASURE_MIN_CHARS]
    if len(lengths) >= prior.min_measured:
        return Typical(min(statistics.median(lengths), prior.max_typical_factor * prior.prior_chars), True)
    return Typical(prior.prior_chars, False)


def length_paragraph_starts(
    text: str, *, rules: RuleSet, known: Sequence[int] = (), body_start: int = 0, typical: Typical | None = None
) -> list[CueStart]:
    """Paragraph starts in the runs of ``text`` much longer than its typical paragraph (see the module).

    ``known`` are the paragraph starts found already (headings, cues); ``body_start`` is where the body begins
    (after the title line); ``typical`` the document's typical paragraph (:func:`typical_paragraph`, measured
    once by the caller so that later passes do not count these breaks). Positions at a line start are never
    returned.

    >>> from pipeline.rules import load_rules
    >>> lead = "4月2日，县长主持召开县政府常务会议，研究部署近期重点工作，县领导参加会议。"
    >>> said = "会议要求，各部门要切实提高政治站位，压实工作责任，确保各项任务按时保质完成。"
    >>> text = (lead + said) * 5
    >>> [text[p:p + 4] for p, _, _ in length_paragraph_starts(text, rules=load_rules())][:2]
    ['会议要求', '4月2日']
    """
    prior = length_prior(rules)
    if prior is None:
        return []
    typical = typical or typical_paragraph(text, known, body_start, prior)
    factor = prior.measured_factor if typical.measured else prior.prior_factor
    context: DocumentContext | None = None
    found: list[CueStart] = []
    for a, b in body_stretches(text, known, body_start):
        if b - a < factor * typical.chars:
            continue
        every = list(candidate_ends(text, a, b))
        if not any(prior.min_piece_chars <= p - a and prior.min_piece_chars <= b - p for p in every):
            continue  # no sentence end to break at (a later pass sees the same run again)
        context = context or document_context(text, prior.cues, int(typical.chars))
        for pos, score in _best_breaks(text, (a, b), every, prior, typical.chars, context):
            where = "measured on this document" if typical.measured else "prior from real news"
            reason = (
                f"length prior: run of {b - a} characters, typical paragraph {typical.chars:.0f} ({where}); "
                f"break at a sentence end (cue score {score:+.2f})"
            )
            found.append((pos, RULE_ID, reason))
    return found


def _best_breaks(
    text: str,
    run: tuple[int, int],
    every: Sequence[int],
    prior: LengthPrior,
    typical: float,
    context: DocumentContext,
) -> list[tuple[int, float]]:
    """The sentence ends of ``run`` (``every`` one of them) where paragraphs start in the best segmentation, each
    with its cue score. The segmentation maximises, over its pieces, the log-likelihood of each piece's length
    under a log-normal law around ``typical`` and, over its breaks, the cue score times ``cue_weight`` plus
    ``break_bonus``."""
    a, b = run
    points = [a, *(p for p in every if p - a >= prior.min_piece_chars and b - p >= prior.min_piece_chars), b]
    scores = [0.0, *(_cue_score(text, p, run, every, prior, context) for p in points[1:-1]), 0.0]
    spread = 2 * prior.log_sigma**2
    longest = prior.window_factor * typical
    best = [0.0] + [-math.inf] * (len(points) - 1)
    back = [0] * len(points)
    for j in range(1, len(points)):
        gain = prior.cue_weight * scores[j] + prior.break_bonus if j < len(points) - 1 else 0.0
        for i in range(j - 1, -1, -1):
            chars = points[j] - points[i]
            if chars < prior.min_piece_chars:
                continue
            if chars > longest and i < j - 1:
                break
            value = best[i] - math.log(chars / typical) ** 2 / spread + gain
            if value > best[j]:
                best[j], back[j] = value, i
    chosen: list[tuple[int, float]] = []
    j = back[-1]
    while j > 0:
        chosen.append((points[j], scores[j]))
        j = back[j]
    return sorted(chosen)


def _cue_score(
    text: str, pos: int, run: tuple[int, int], every: Sequence[int], prior: LengthPrior, context: DocumentContext
) -> float:
    """The log-odds of a paragraph start at ``pos`` from the cues alone (lengths are the prior's part)."""
    features: dict[str, Any] = boundary_features(text, pos, run, every, prior.cues, context)
    model = prior.cues
    return model.bias + sum(weight * features.get(name, 0.0) for name, weight in model.weights)
