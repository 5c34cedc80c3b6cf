"""A learned line classifier for site chrome: logistic regression over the line scorer's evidence and the
line's own shape, with weights kept as data (``rules/common/chrome_model.toml``, written by
``scripts/train_chrome_model.py`` from the labelled tuning pages).

Only the lines the line scorer already looked at (:func:`.score.score_lines`: the short lines of the page's
head and tail, and lines between body lines that hold chrome evidence) are candidates, so the model costs a
few features per such line and one matrix product per page. A candidate is removed (``chrome.model``) only
when its probability reaches ``remove_at`` and, where the tuning pages have chrome to learn from, either the
hand-set score flags it and it stands in the page's head (or in a gap among short lines) next to other
chrome, or it lies in a run of likely chrome lines at the head holding a line the hand-set score removes (a
menu) with evidence of its own or a menu separator (see :func:`removable`); never when it reads as prose
or ends a sentence, holds the title or repeats nearby (a title in a breadcrumb). Otherwise, from
``flag_at``, it is only flagged.

Before (the line scorer takes the site's name, ``首页 |`` and the breadcrumb, the block classifier the menu
lines bare of function characters; ``个人简历 |`` holds one, 个, and only the model takes it)::

    论文格式网
    首页 |
    毕业论文 |
    论文格式 |
    个人简历 |
    工作总结 |
    求职信 |
    工作计划 |
    免费论文 |
    当前位置：论文格式网 > 免费论文
    为了帮助大家更好地理解平台设计思想，本文将具体介绍各关键部分的代码实现。

After::

    为了帮助大家更好地理解平台设计思想，本文将具体介绍各关键部分的代码实现。
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import regex

from ...document import Edit, make_edit
from ...rules import RuleSet
from .blocks import GOOD, RE_LINK_SEP, BlockSettings, link_like, own_class
from .data import ChromeSettings
from .score import RE_HAN, RE_SENTENCE_END, RE_SENTENCE_PUNCT, RE_URL, STAGE, Scored, han_pair_keys, is_body
from .spans import overlaps

# evidence of the line scorer, by the start of its name (``Scored.evidence``), each a feature worth 1 when
# the line has it (the chrome words: their points over the lexicon cap)
EVIDENCE = (
    ("chrome words", "ev_words"),
    ("fields ", "ev_field_run"),
    ("field ", "ev_field"),
    ("date", "ev_date"),
    ("template ", "ev_template"),
    ("explained but", "ev_explained"),
    ("no sentence punctuation", "ev_bare"),
    ("reads as a sentence", "ev_sentence"),
    ("ends a sentence", "ev_sentence_end"),
    ("body vocabulary", "ev_body_vocabulary"),
    ("unlike the body", "ev_unlike_body"),
    ("row of ", "ev_word_row"),
    ("URL or domain", "ev_url"),
    ("breadcrumb", "ev_breadcrumb"),
    ("separated segments", "ev_segments"),
    ("key: number", "ev_key_number"),
    ("menu of ", "ev_menu"),
    ("next to chrome", "ev_next_to_chrome"),
    ("between chrome lines", "ev_between_chrome"),
    ("site name ", "ev_site_name"),
)
SHAPE = (
    "zone_head",
    "zone_tail",
    "zone_gap",
    "depth",  # how many candidate lines lie between the line and the body (at most DEPTH_CAP), over the cap
    "first_line",
    "length",  # log of the length, over log(160)
    "short",  # at most 8 characters
    "han_share",
    "digit_share",
    "latin_share",
    "sentence_punct",
    "sentence_end",
    "link_like",
    "class_good",
    "class_near",
    "class_bad",
    "repeated",  # the page repeats the line nearby (a title in a breadcrumb, a heading)
    "before_body",  # the nearest non-empty line before is a body line
    "after_body",
    "before_chrome",  # the nearest non-empty line before scores remove_at by the hand-set evidence
    "after_chrome",
    "url",
    "colon_end",  # ends with a colon: a label (分类: 内容简介:) or a heading
    "bullet",  # starts with a bullet or a list number: an item of a list
    "list_neighbour",  # the line before or after is a list item too
    "heading",  # the next non-empty line reads as prose (blocks: good)
    "page_overlap",  # the share of the line's Han character pairs found elsewhere in (a sample of) the page
)
FEATURES: tuple[str, ...] = tuple(name for _, name in EVIDENCE) + SHAPE
RE_BULLET = regex.compile(r"[•·●○◆■▪\-*]\s|\d{1,2}[.、)）]\s*\S|[（(]?[一二三四五六七八九十]{1,3}[、)）]")
RE_DIGIT = re.compile(r"\d")
RE_LATIN_LETTER = re.compile(r"[A-Za-z]")
DEPTH_CAP = 5
PROSE_FEATURES = ("class_good", "sentence_end")  # a line reading as prose, or ending a sentence
REPEAT_WINDOW = 20000
NEAREST_SCAN = 2000  # characters scanned for the nearest non-empty line (blank runs longer than that: none)
RUN_MIN_LINES = 3  # a run of likely chrome lines in the head at least this long is a menu
RUN_SHORT_CHARS = 12  # ... whose menu items (a separator, this short) need no other evidence
SAMPLE_CHARS = 20000  # the middle of the page whose character pairs count as the page's own


@dataclass(frozen=True)
class ChromeModel:
    """The ``[chrome_model]`` table: feature names, their weights, the bias and the two thresholds."""

    features: tuple[str, ...]
    weights: np.ndarray
    bias: float
    remove_at: float
    flag_at: float

    @classmethod
    def read(cls, rules: RuleSet) -> ChromeModel | None:
        """The model of the rule files, or None where there is none (or ``enabled = false``).

        >>> from pipeline.rules import load_rules
        >>> model = ChromeModel.read(load_rules())
        >>> model.features == FEATURES and 0.5 < model.remove_at <= 1
        True
        """
        table = rules.settings.get("chrome_model")
        if not table or not table.get("enabled", True):
            return None
        weights = dict(table["weights"])
        unknown = set(weights) - set(FEATURES)
        if unknown:
            raise ValueError(f"chrome_model: unknown features {sorted(unknown)}")
        return cls(
            FEATURES,
            np.array([float(weights.get(name, 0.0)) for name in FEATURES]),
            float(table["bias"]),
            float(table["remove_at"]),
            float(table["flag_at"]),
        )

    def probabilities(self, features: np.ndarray) -> np.ndarray:
        """P(chrome) of each row of ``features`` (columns as :data:`FEATURES`). Each row is summed on its own
        (a matrix product's last bit depends on how many rows it is given, so a line's confidence would
        depend on how many other lines were scored)."""
        if not len(features):
            return np.zeros(0)
        return 1.0 / (1.0 + np.exp(-((features * self.weights).sum(axis=1) + self.bias)))

    def top_features(self, row: np.ndarray, count: int = 3) -> list[tuple[str, float]]:
        """The features pushing this row towards chrome most (name, contribution), strongest first."""
        contributions = row * self.weights
        order = np.argsort(-contributions, kind="stable")[:count]
        return [(self.features[i], float(contributions[i])) for i in order if contributions[i] > 0]


@dataclass(frozen=True, slots=True)
class Context:
    """What the features of a line read besides the line: the page, the hand-set settings, and which
    candidate lines score ``remove_at`` by the hand-set evidence."""

    text: str
    cfg: ChromeSettings
    blocks: BlockSettings
    chrome_starts: frozenset[int]
    sample: tuple[int, int]  # the span of the page whose Han pairs are counted
    pair_counts: dict[int, int]


def line_features(
    text: str,
    items: Sequence[Scored],
    cfg: ChromeSettings,
    blocks: BlockSettings,
    only: Sequence[int] | None = None,
) -> np.ndarray:
    """The feature matrix of the scored lines ``items`` of ``text`` (one row each, columns :data:`FEATURES`);
    with ``only``, the rows of those items alone are filled (the others stay zero).

    >>> from pipeline.rules import load_rules
    >>> from pipeline.stages.chrome.data import load_lexicon
    >>> from pipeline.stages.chrome.score import score_lines
    >>> rules = load_rules()
    >>> cfg = ChromeSettings.read(rules)
    >>> body = "为了帮助大家更好地理解平台设计思想，本文将具体介绍各关键部分的代码实现。\\n"
    >>> page = "首页\\n关于我们\\n" + body * 2
    >>> items = score_lines(page, cfg, load_lexicon(rules), {})
    >>> x = line_features(page, items, cfg, BlockSettings.read(rules))
    >>> column = FEATURES.index
    >>> x.shape == (2, len(FEATURES)), float(x[0, column("first_line")]), float(x[1, column("after_body")])
    (True, 1.0, 1.0)
    """
    middle = len(text) // 2
    sample = (max(0, middle - SAMPLE_CHARS // 2), min(len(text), middle + SAMPLE_CHARS // 2))
    keys, counts = np.unique(han_pair_keys(text[sample[0] : sample[1]]), return_counts=True)
    context = Context(
        text,
        cfg,
        blocks,
        frozenset(x.start for x in items if x.score(cfg.mid_factor, cfg.gap_factor) >= cfg.remove_at),
        sample,
        dict(zip(keys.tolist(), counts.tolist(), strict=True)),
    )
    first = len(text) - len(text.lstrip())
    depth = _depths(items)
    out = np.zeros((len(items), len(FEATURES)))
    for i in range(len(items)) if only is None else only:
        out[i] = _row(items[i], context, first, depth[i])
    return out


def _depths(items: Sequence[Scored]) -> list[int]:
    """For each item, how many head items follow it (in the head) or tail items precede it (in the tail)."""
    heads = [i for i, x in enumerate(items) if x.zone == "head"]
    tails = [i for i, x in enumerate(items) if x.zone == "tail"]
    depth = [0] * len(items)
    for rank, i in enumerate(heads):
        depth[i] = len(heads) - 1 - rank
    for rank, i in enumerate(tails):
        depth[i] = rank
    return depth


def _row(item: Scored, context: Context, first: int, depth: int) -> list[float]:
    line = item.line
    values = dict.fromkeys(FEATURES, 0.0)
    cap = context.cfg.lexicon_cap or 1.0
    for name, points in item.evidence:
        for prefix, feature in EVIDENCE:
            if name.startswith(prefix):
                values[feature] = min(1.0, points / cap) if feature == "ev_words" else 1.0
                break
    size = len(line)
    values["zone_" + item.zone] = 1.0
    values.pop("zone_mid", None)
    values["depth"] = min(depth, DEPTH_CAP) / DEPTH_CAP
    values["first_line"] = float(item.start == first)
    values["length"] = min(1.0, math.log1p(size) / math.log(160))
    values["short"] = float(size <= 8)
    values["han_share"] = len(RE_HAN.findall(line)) / size
    values["digit_share"] = len(RE_DIGIT.findall(line)) / size
    values["latin_share"] = len(RE_LATIN_LETTER.findall(line)) / size
    values["sentence_punct"] = float(RE_SENTENCE_PUNCT.search(line) is not None)
    values["sentence_end"] = float(RE_SENTENCE_END.search(line) is not None)
    values["link_like"] = float(link_like(line, context.blocks))
    cls = own_class(line, 0, context.blocks)[0] if context.blocks.function_words else ""
    values["class_good"] = float(cls == GOOD)
    values["class_near"] = float(cls == "near-good")
    values["class_bad"] = float(cls == "bad")
    values["repeated"] = float(_repeated(context.text, item))
    before, after = _nearest(context.text, item.start, -1), _nearest(context.text, item.end, 1)
    for side, found in (("before", before), ("after", after)):
        if found is not None:
            start, line_text = found
            values[f"{side}_body"] = float(is_body(line_text, context.cfg))
            values[f"{side}_chrome"] = float(start in context.chrome_starts)
    values["url"] = float(RE_URL.search(line) is not None)
    values["colon_end"] = float(line.endswith((":", "：")))
    values["bullet"] = float(RE_BULLET.match(line) is not None)
    values["list_neighbour"] = float(any(f is not None and RE_BULLET.match(f[1]) for f in (before, after)))
    if after is not None and context.blocks.function_words:
        values["heading"] = float(own_class(after[1], 0, context.blocks)[0] == GOOD)
    values["page_overlap"] = _page_overlap(item, context)
    return [values[name] for name in FEATURES]


def _page_overlap(item: Scored, context: Context) -> float:
    """The share of the line's distinct Han pairs that the page's sample holds outside the line."""
    keys, counts = np.unique(han_pair_keys(item.line), return_counts=True)
    if not len(keys):
        return 0.0
    inside = context.sample[0] <= item.start and item.end <= context.sample[1]
    own = counts if inside else np.zeros_like(counts)
    found = sum(context.pair_counts.get(k, 0) > n for k, n in zip(keys.tolist(), own.tolist(), strict=True))
    return found / len(keys)


def _repeated(text: str, item: Scored) -> bool:
    if len(item.line) < 4:
        return False
    around = text[max(0, item.start - REPEAT_WINDOW) : item.end + REPEAT_WINDOW]
    return around.count(item.line) > 1


def _nearest(text: str, position: int, step: int) -> tuple[int, str] | None:
    """The nearest non-empty line before (``step`` -1) or after (+1) the line holding ``position``: where its
    text starts, and the text stripped; None at the page's edge or past ``NEAREST_SCAN`` blank characters.

    >>> _nearest("头\\n\\n  中\\n\\n尾", 5, -1), _nearest("头\\n\\n  中\\n\\n尾", 5, 1)
    ((0, '头'), (8, '尾'))
    """
    limit = NEAREST_SCAN
    if step < 0:
        end = text.rfind("\n", 0, position)  # the line break before the line
        while end >= 0 and limit > 0:
            start = text.rfind("\n", 0, end) + 1
            line = text[start:end]
            if line.strip():
                return start + len(line) - len(line.lstrip()), line.strip()
            limit -= end - start + 1
            end = start - 1
        return None
    start = text.find("\n", position)
    while start >= 0 and limit > 0:
        start += 1
        end = text.find("\n", start)
        end = len(text) if end == -1 else end
        line = text[start:end]
        if line.strip():
            return start + len(line) - len(line.lstrip()), line.strip()
        limit -= end - start + 1
        start = end if end < len(text) else -1
    return None


@dataclass(frozen=True, slots=True)
class ModelVerdict:
    """One candidate line with its probability, whether it may be removed, and the features behind it."""

    item: Scored
    probability: float
    remove: bool
    top: list[tuple[str, float]]

    def reason(self) -> str:
        why = ", ".join(f"{name} {value:+.2f}" for name, value in self.top)
        where = {"head": "page head", "tail": "page tail", "mid": "next to chrome", "gap": "among short lines"}
        return f"learned chrome model (p={self.probability:.2f}, {where[self.item.zone]}): {why}"


def model_verdicts(
    text: str,
    items: Sequence[Scored],
    cfg: ChromeSettings,
    blocks: BlockSettings,
    model: ChromeModel,
    metadata: dict[str, Any],
    *,
    remove: bool = True,
) -> list[ModelVerdict]:
    """The candidates scoring the model's ``flag_at`` or more, each marked removable or not (see the module).
    Only the lines that could be removed (``remove``: the head's, and a gap's next to a chrome line) or
    flagged (the head's, the tail's and the gaps') are weighed: no line between body lines costs anything."""
    if not items:
        return []
    if remove:
        hand = {x.start for x in items if x.score(cfg.mid_factor, cfg.gap_factor) >= cfg.remove_at}
        only = [i for i, x in enumerate(items) if x.zone == "head" or (x.zone == "gap" and _next_to(text, x, hand))]
    else:
        only = [i for i, x in enumerate(items) if x.zone != "mid"]
    if not only:
        return []
    features = line_features(text, items, cfg, blocks, only)
    probabilities = np.zeros(len(items))
    probabilities[only] = model.probabilities(features[only])
    allowed = removable(text, items, features, probabilities >= model.remove_at, cfg, metadata)
    prose = features[:, [FEATURES.index(name) for name in PROSE_FEATURES]].any(axis=1)
    return [
        ModelVerdict(items[i], float(probabilities[i]), bool(allowed[i]), model.top_features(features[i]))
        for i in only
        if probabilities[i] >= model.flag_at and not prose[i]  # a sentence is not even flagged
    ]


def removable(
    text: str,
    items: Sequence[Scored],
    features: np.ndarray,
    likely: np.ndarray,
    cfg: ChromeSettings,
    metadata: dict[str, Any],
) -> np.ndarray:
    """Which of the ``likely`` chrome lines (the model's probability at ``remove_at`` or more) may be removed.

    Only where the tuning pages hold chrome lines to learn from (their tails and lines next to body lines
    hold none: there the model only flags), and never on weak evidence:

    - a line the hand-set score flags (``flag_at`` or more, with chrome evidence of its own:
      :func:`has_evidence`), in the page's head or in a gap among short lines, next to a line the hand-set
      score removes (a lone line above the body stays: ``答案: 3 个``);
    - a line of the page's head in a run of at least ``RUN_MIN_LINES`` adjacent lines, each likely chrome or
      removed by the hand-set score, at least one of them removed by it (a menu: a run of chrome lines is
      chrome throughout; the hand-set run rule stops at ``between_max_lines``), when it has some chrome
      evidence of its own or is a menu item (short, as jusText's short blocks, with a menu separator:
      ``• 首页 |``); a run of short lines without separators (numbered items) stays, as the hand-set run
      rule leaves them.

    Never a line the page repeats nearby, a line reading as prose or ending a sentence, one holding (or held
    by) the title, or the page's first line (most often the title) unless the hand-set score flags it.
    """
    title = str(metadata.get("title") or "").strip()
    column = [FEATURES.index(name) for name in ("repeated", *PROSE_FEATURES)]
    protected = features[:, column].any(axis=1) if len(items) else np.zeros(0, dtype=bool)
    first = FEATURES.index("first_line")
    hand = np.array([x.score(cfg.mid_factor, cfg.gap_factor) >= cfg.remove_at for x in items], dtype=bool)
    chrome_starts = {item.start for item, by_hand in zip(items, hand, strict=True) if by_hand}
    in_run = _head_runs(text, items, likely | hand, hand)
    out = np.zeros(len(items), dtype=bool)
    for i, item in enumerate(items):
        if not likely[i] or protected[i]:
            continue
        if title and (title in item.line or (len(item.line) >= 4 and item.line in title)):
            continue
        flagged = item.raw >= cfg.flag_at and has_evidence(item)
        if features[i, first] and not flagged:
            continue  # the page's first line is most often its title
        placed = item.zone in ("head", "gap") and _next_to(text, item, chrome_starts)
        menu_item = len(item.line) <= RUN_SHORT_CHARS and RE_LINK_SEP.search(item.line) is not None
        out[i] = (flagged and placed) or (in_run[i] and (menu_item or has_evidence(item)))
    return out


def _head_runs(text: str, items: Sequence[Scored], chrome: np.ndarray, hand: np.ndarray) -> np.ndarray:
    """Which items of the page's head lie in a run of at least ``RUN_MIN_LINES`` adjacent ``chrome`` lines
    holding at least one ``hand`` line (adjacent: no other non-empty line between them)."""
    out = np.zeros(len(items), dtype=bool)
    run: list[int] = []

    def close() -> None:
        if len(run) >= RUN_MIN_LINES and hand[run].any():
            out[run] = True
        run.clear()

    for i, item in enumerate(items):
        if item.zone != "head" or not chrome[i]:
            close()
            continue
        if run:
            found = _nearest(text, item.start, -1)
            if found is None or found[0] != items[run[-1]].start:
                close()
        run.append(i)
    close()
    return out


def has_evidence(item: Scored) -> bool:
    """Whether the line scorer found chrome evidence on the line itself (more than a lack of punctuation):
    the model weighs evidence, it never removes a line that has none."""
    return any(points > 0 and not name.startswith(WEAK_EVIDENCE) for name, points in item.evidence)


WEAK_EVIDENCE = ("no sentence punctuation", "next to chrome")


def _next_to(text: str, item: Scored, chrome_starts: set[int]) -> bool:
    before, after = _nearest(text, item.start, -1), _nearest(text, item.end, 1)
    return any(found is not None and found[0] in chrome_starts for found in (before, after))


def model_edits(
    text: str,
    rules: RuleSet,
    cfg: ChromeSettings,
    items: Sequence[Scored],
    metadata: dict[str, Any],
    taken: list[tuple[int, int]],
    *,
    remove: bool,
) -> list[Edit]:
    """The learned model's removals (``remove``: ``chrome.model``, each line with its line break, added to
    ``taken``) or its flags (``chrome.model-flagged``, before == after), none on ``taken``."""
    model = ChromeModel.read(rules)
    if model is None:
        return []
    edits = []
    for verdict in model_verdicts(text, items, cfg, BlockSettings.read(rules), model, metadata, remove=remove):
        start, end = verdict.item.start, verdict.item.end
        if overlaps(taken, start, end):
            continue
        if remove and verdict.remove:
            end = end + 1 if text[end : end + 1] == "\n" else end
            edits.append(
                make_edit(STAGE, "chrome.model", text, start, end, "", verdict.reason(), confidence=verdict.probability)
            )
            taken.append((start, end))
        elif not remove and not verdict.remove:
            reason = "looks like site chrome, too weak to remove: " + verdict.reason()
            line = text[start:end]
            edits.append(
                make_edit(STAGE, "chrome.model-flagged", text, start, end, line, reason, confidence=verdict.probability)
            )
    return edits
