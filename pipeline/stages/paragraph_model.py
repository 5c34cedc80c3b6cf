"""Paragraph breaks between sentences of flattened text, weighed by a small logistic model.

Real news and government text often has no explicit cue (no ``一是``, no ``首先``) where a paragraph
starts; what it has is weaker evidence that adds up: both pieces a break would leave are about as long as
the document's paragraphs usually are, the next sentence opens with a time (``7月7日至8日，``),
a source (``据了解，``), a speaker (``会议强调，`` ``西村说，``) or a quotation, the last one ended a
quotation (``…。”``) or named who said it (``…记者毛路说。``). :func:`model_paragraph_starts` weighs
such features of each sentence end with a logistic model and, in each stretch of text, starts a paragraph
at the likeliest one when its probability reaches the model's threshold, then looks at each piece again::

    …奋力谱写推进中国式现代化新篇章。7月7日至8日，习近平…   →   …推进中国式现代化新篇章。
                                                              7月7日至8日，习近平…

The features are computed by :func:`boundary_features`; the cue patterns, the weights and the threshold
are data in ``rules/common/paragraph_model.toml``, fitted by ``scripts/train_paragraph_model.py`` on the
tuning documents of ``tests/paragraph_eval.py``. The model is switched off unless ``[paragraph_model]``
says ``enabled = true`` (a rules layer of one line, or :func:`with_paragraph_model`): on the held-out
documents it has not yet shown a gain. A break is only ever put right after ``。！？`` or ``……`` (or a
closing quote after one) outside any quotation, leaving both pieces at least ``min_piece_chars`` long:
never inside a sentence.
"""

from __future__ import annotations

import bisect
import dataclasses
import itertools
import math
import statistics
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import regex

from ..rules import RuleSet

CueStart = tuple[int, str, str]  # position, rule id, reason

RULE_ID = "paragraphs.split-by-model"
SENTENCE_ENDS = "。！？!?"
CLOSING_QUOTES = "”’」』"
OPENING_QUOTES = "“‘「『"
RE_SENTENCE_END = regex.compile(r"(?:[。！？!?]|……)[”’」』]?")
SURVIVOR_MIN_CHARS = 20
PARAGRAPH_ENDS = SENTENCE_ENDS + CLOSING_QUOTES + "…"
MAX_LENGTH_FACTOR = 4.0  # a piece counts as at most this many typical paragraphs long
MAX_SKIPPED = 4  # training segments span up to this many true breaks
NUMERIC_FEATURES = (
    "before",
    "after",
    "before_short",
    "after_short",
    "sentences_before",
    "sentences_after",
    "prev_chars",
    "next_chars",
    "next_repeated_start",
    "news_document",
)
RE_HAN_PREFIX = regex.compile(r"\p{Han}{3}")
# the sentence end is consumed, not looked behind: the same matches, twice as fast
RE_ANY_SENTENCE_START = regex.compile(r"(?:^|[。！？!?][”’」』]?)[ \t\u3000]*(\p{Han}{3})", regex.MULTILINE)


@dataclass(frozen=True, slots=True)
class ParagraphModel:
    """The model of ``[paragraph_model]``: cue patterns by feature name, weights, threshold, lengths."""

    next_cues: tuple[tuple[str, regex.Pattern[str]], ...]
    prev_cues: tuple[tuple[str, regex.Pattern[str]], ...]
    weights: tuple[tuple[str, float], ...]
    bias: float
    threshold: float
    typical_chars: int
    min_piece_chars: int
    news: regex.Pattern[str] | None

    @property
    def feature_names(self) -> tuple[str, ...]:
        return (*NUMERIC_FEATURES, *(name for name, _ in self.next_cues), *(name for name, _ in self.prev_cues))

    def probability(self, features: dict[str, float]) -> float:
        """The model's probability that a paragraph starts where ``features`` were measured."""
        score = self.bias + sum(weight * features.get(name, 0.0) for name, weight in self.weights)
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, score))))


@lru_cache(maxsize=16)
def _model(
    cues: tuple[tuple[str, str, tuple[str, ...]], ...],
    weights: tuple[tuple[str, float], ...],
    numbers: tuple[float, float, int, int],
    news: tuple[str, ...],
) -> ParagraphModel:
    compiled: dict[str, list[tuple[str, regex.Pattern[str]]]] = {"next": [], "prev": []}
    for name, at, patterns in cues:
        if patterns:
            compiled[at].append((name, regex.compile("|".join(f"(?:{p})" for p in patterns))))
    bias, threshold, typical, min_piece = numbers
    return ParagraphModel(
        tuple(compiled["next"]),
        tuple(compiled["prev"]),
        tuple((name, w) for name, w in weights if name != "bias"),
        bias,
        threshold,
        typical,
        min_piece,
        regex.compile("|".join(f"(?:{p})" for p in news)) if news else None,
    )


def paragraph_model(rules: RuleSet) -> ParagraphModel | None:
    """The paragraph model of ``rules`` (compiled once per distinct setting), or None when it is switched off
    (``enabled = false``, the default) or has no weights."""
    weights = rules.setting("paragraph_model", "weights", {})
    if not weights or not rules.setting("paragraph_model", "enabled", False):
        return None
    return cue_model(rules, weights)


def cue_model(rules: RuleSet, weights: dict[str, float], extra_cues: Sequence[dict[str, Any]] = ()) -> ParagraphModel:
    """The cue patterns of ``[paragraph_model]`` (and ``extra_cues``, in the same form) compiled with ``weights``
    (a bias and a weight per feature name), whether or not the model itself is switched on: the length prior
    weighs the same cues and a few of its own."""
    cues = [*rules.setting("paragraph_model", "cues", []), *extra_cues]
    return _model(
        tuple((str(c["name"]), str(c.get("at", "next")), tuple(c.get("patterns", []))) for c in cues),
        tuple(sorted((str(k), float(v)) for k, v in weights.items())),
        (
            float(weights.get("bias", 0.0)),
            float(rules.setting("paragraph_model", "threshold", 0.5)),
            int(rules.setting("paragraph_model", "typical_paragraph_chars", 110)),
            int(rules.setting("paragraph_model", "min_piece_chars", 20)),
        ),
        tuple(rules.setting("paragraph_model", "document", {}).get("news", [])),
    )


def with_paragraph_model(rules: RuleSet, *, enabled: bool = True, **settings: Any) -> RuleSet:
    """``rules`` with the paragraph model switched on (or off), and any other ``[paragraph_model]`` setting
    replaced (``weights``, ``threshold``…); ``rules`` itself is left as it was."""
    tables = dict(rules.settings)
    tables["paragraph_model"] = {**tables.get("paragraph_model", {}), "enabled": enabled, **settings}
    return dataclasses.replace(rules, settings=tables)


def candidate_ends(text: str, start: int = 0, end: int | None = None) -> Iterator[int]:
    """Positions in ``text[start:end]`` right after the end of a sentence (``。！？``, or a closing quote
    after one), outside any quotation and not at a line end: where a paragraph may start.

    >>> list(candidate_ends("他说：“好。走吧。”大家笑了。好"))
    [10, 15]
    """
    end = len(text) if end is None else end
    depth = 0
    pos = start
    for match in RE_SENTENCE_END.finditer(text, start, end):
        segment = text[pos : match.start()]
        depth = max(0, depth + sum(segment.count(q) for q in OPENING_QUOTES))
        depth = max(0, depth - sum(segment.count(q) for q in CLOSING_QUOTES))
        if match.group()[-1] in CLOSING_QUOTES:
            depth = max(0, depth - 1)
        pos = match.end()
        if depth == 0 and pos < end and text[pos] != "\n" and text[pos] not in CLOSING_QUOTES + "）)":
            yield pos


def surviving_paragraph_chars(text: str) -> int | None:
    """The median length of the paragraphs that kept their breaks (lines of at least 20 characters ending a
    sentence, spaces around them not counted), or None when fewer than three did.

    >>> surviving_paragraph_chars("标题\\n" + "\\n".join(["这是一个保留了段落换行的段落，长度正好够。"] * 3))
    21
    """
    lines = (line.strip() for line in text.split("\n"))
    lengths = [len(line) for line in lines if len(line) >= SURVIVOR_MIN_CHARS and line[-1] in PARAGRAPH_ENDS]
    if len(lengths) < 3:
        return None
    return int(statistics.median(lengths))


@dataclass(frozen=True, slots=True)
class DocumentContext:
    """What the features know of the whole text: its typical paragraph length, how many sentences open
    with each three Han characters (``会议强`` ``杨孟珠``), whether it reads as a news report."""

    typical: int
    starts: Counter[str]
    news: bool


def document_context(text: str, model: ParagraphModel, typical: int) -> DocumentContext:
    """The :class:`DocumentContext` of ``text``."""
    starts = Counter(m.group(1) for m in RE_ANY_SENTENCE_START.finditer(text))
    news = bool(model.news and model.news.search(text))
    return DocumentContext(typical, starts, news)


def _length(chars: int, typical: int) -> float:
    return math.log(max(1, min(chars, int(MAX_LENGTH_FACTOR * typical))) / typical)


def boundary_features(
    text: str,
    pos: int,
    segment: tuple[int, int],
    sentence_starts: Sequence[int],
    model: ParagraphModel,
    context: DocumentContext,
) -> dict[str, float]:
    """The features of a paragraph break at ``pos`` inside ``segment`` (a paragraph not split yet): the
    lengths of the two pieces it leaves and of the sentences on either side, as logarithms of their ratio
    to the typical paragraph; the sentences in each piece; whether the next sentence opens like other
    sentences of the text, whether the text is a news report (``context``); and the cues of ``model``
    matched on the previous sentence's end and the next sentence's start. ``sentence_starts`` are the
    candidates of the segment."""
    a, b = segment
    typical = context.typical
    i = bisect.bisect_left(sentence_starts, pos)
    prev_start = sentence_starts[i - 1] if i > 0 and sentence_starts[i - 1] > a else a
    next_end = sentence_starts[i + 1] if i + 1 < len(sentence_starts) and sentence_starts[i + 1] < b else b
    first = bisect.bisect_right(sentence_starts, a)  # the candidates inside (a, b), counted by bisection
    inside = bisect.bisect_left(sentence_starts, b) - first
    k = min(max(0, i - first), inside)
    features = {
        "before": _length(pos - a, typical),
        "after": _length(b - pos, typical),
        "before_short": max(0.0, -_length(pos - a, typical)),
        "after_short": max(0.0, -_length(b - pos, typical)),
        "sentences_before": math.log(k + 1),
        "sentences_after": math.log(inside - k),
        "prev_chars": math.log(max(1, pos - prev_start) / 40),
        "next_chars": math.log(max(1, next_end - pos) / 40),
        "next_repeated_start": 0.0,
        "news_document": 1.0 if context.news else 0.0,
    }
    prefix = RE_HAN_PREFIX.match(text, pos)
    if prefix and context.starts[prefix.group()] >= 2:
        features["next_repeated_start"] = 1.0
    prev_sentence = text[prev_start:pos]
    next_sentence = text[pos:next_end]
    for name, pattern in model.next_cues:
        features[name] = 1.0 if pattern.match(next_sentence) else 0.0
    for name, pattern in model.prev_cues:
        features[name] = 1.0 if pattern.search(prev_sentence) else 0.0
    return features


def body_stretches(text: str, known: Sequence[int], body_start: int) -> list[tuple[int, int]]:
    """The stretches of the body between line breaks and known paragraph starts."""
    cuts = {body_start, len(text), *(p for p in known if p > body_start)}
    cuts.update(m.end() for m in regex.finditer(r"\n", text, pos=body_start))
    ordered = sorted(cuts)
    out = []
    for a, b in itertools.pairwise(ordered):
        line_end = text.find("\n", a, b)
        out.append((a, b if line_end < 0 else line_end))
    return out


def model_paragraph_starts(
    text: str, *, rules: RuleSet, known: Sequence[int] = (), body_start: int = 0, typical: int | None = None
) -> list[CueStart]:
    """Paragraph starts the model finds between sentences (see the module): in each stretch of text between
    known starts and line breaks, the likeliest break is taken when its probability reaches the threshold,
    then each piece is split again the same way.

    ``known`` are the paragraph starts found already (headings, cues); ``body_start`` is where the body
    begins (after the title line); ``typical`` the length of the paragraphs that kept their breaks
    (:func:`surviving_paragraph_chars`), if known. Positions at a line start are never returned.
    """
    model = paragraph_model(rules)
    if model is None:
        return []
    context = document_context(text, model, typical or model.typical_chars)
    found: list[CueStart] = []
    for stretch in body_stretches(text, known, body_start):
        candidates = list(candidate_ends(text, *stretch))
        todo = [stretch]
        while todo:
            a, b = todo.pop()
            best = _likeliest(text, (a, b), candidates, model, context)
            if best is None or best[1] < model.threshold:
                continue
            pos, prob = best
            reason = (
                f"a paragraph break between sentences (probability {prob:.2f}, pieces of {pos - a} and "
                f"{b - pos} characters; paragraphs here: about {context.typical})"
            )
            found.append((pos, RULE_ID, reason))
            todo.extend([(a, pos), (pos, b)])
    return sorted(found)


def _likeliest(
    text: str,
    segment: tuple[int, int],
    candidates: Sequence[int],
    model: ParagraphModel,
    context: DocumentContext,
) -> tuple[int, float] | None:
    """The candidate of ``segment`` with the highest probability (leaving both pieces long enough), and that."""
    a, b = segment
    best: tuple[int, float] | None = None
    for pos in candidates:
        if pos - a < model.min_piece_chars or b - pos < model.min_piece_chars:
            continue
        prob = model.probability(boundary_features(text, pos, segment, candidates, model, context))
        if best is None or prob > best[1]:
            best = (pos, prob)
    return best


def features_for_training(
    text: str, model: ParagraphModel, known: Sequence[int], body_start: int, truth: set[int]
) -> Iterator[tuple[dict[str, Any], bool]]:
    """(features, is a true break) for each candidate of each segment of ``text`` that runs from one true
    break (or known start) to another with at most ``MAX_SKIPPED`` true breaks inside: the segments the
    splitting meets when its earlier splits were right."""
    context = document_context(text, model, surviving_paragraph_chars(text) or model.typical_chars)
    for start, end in body_stretches(text, known, body_start):
        candidates = list(candidate_ends(text, start, end))
        bounds = [start, *(p for p in candidates if p in truth), end]
        for i in range(len(bounds) - 1):
            for j in range(i + 1, min(len(bounds), i + MAX_SKIPPED + 2)):
                a, b = bounds[i], bounds[j]
                for pos in candidates:
                    if a + model.min_piece_chars <= pos <= b - model.min_piece_chars:
                        features = boundary_features(text, pos, (a, b), candidates, model, context)
                        yield features, pos in truth
