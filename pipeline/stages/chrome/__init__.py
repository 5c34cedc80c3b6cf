"""Generic site chrome: page furniture of sites no rule file names, recognised from what chrome looks like.

Each short line is scored from evidence (``rules/common/chrome.toml``): chrome words, field names with a
colon (``上传人:`` ``来源:``), key:value runs, breadcrumbs, ISO dates, how much of the line such things
explain, menus of short lines, where the line sits (the head and tail of the page, before the first and
after the last body line), and against it, whether it reads as a sentence and shares the body's own
character pairs. A line scoring ``remove_at`` or more is removed with an edit ``chrome.line`` whose reason
lists the evidence; lines scoring from ``flag_at`` are only reported (:func:`flag_chrome`). Patterns with a
variable part (the share header of any site, photo credits, slide-master placeholders) remove spans glued
to the body (``chrome.<template>``); ``head`` patterns (a news dateline ``新华社北京3月5日电（记者 张三）``)
are removed only at the start of the body and flagged elsewhere; the site's name beside the title on the
page's first line (a browser title, ``chrome.title-site``) goes when the title recurs below and the name
nowhere; then the content-block classifier (:mod:`.blocks`, after jusText) removes the lines bad by their own
features and by their neighbours' from a page's head, tail or inner run of bad lines rich in chrome lines
(``chrome.block``), and flags weaker cases; a learned line classifier (:mod:`.line_model`, weights in
``rules/common/chrome_model.toml``) removes the scored lines it is most sure of in those zones
(``chrome.model``) and flags the rest it suspects; a word left over in removed lines — the
site's own name — is removed where it makes up a line, and where, mixing Latin and Han (``seo靠我``), it is
glued into the body.

Before::

    文档序号:17534513发布日期:2019-04-29 13:50阅读:407来源:国知局
    语料标注方法和装置与流程
    本发明涉及计算机互联网领域，具体而言，涉及一种语料标注方法和装置。

After::

    语料标注方法和装置与流程
    本发明涉及计算机互联网领域，具体而言，涉及一种语料标注方法和装置。
"""

from __future__ import annotations

from typing import Any

from ...document import Edit, make_edit
from ...rules import RuleSet
from .blocks import BlockSettings, block_verdicts
from .data import ChromeSettings, load_lexicon, looks_traditional
from .line_model import model_edits
from .score import STAGE, Scored, lines, score_lines
from .spans import head_flags, head_spans, overlaps, site_name_spans, template_spans
from .title_site import title_site_spans

__all__ = ["ChromeSettings", "flag_chrome", "strip_chrome"]


def strip_chrome(text: str, *, rules: RuleSet, metadata: dict[str, Any]) -> list[Edit]:
    """Edits removing generic site chrome: template spans, then lines scoring ``remove_at`` or more.

    >>> from pipeline.rules import load_rules
    >>> from pipeline.document import apply_edits
    >>> body = "为了帮助大家更好地理解平台设计思想，本文将具体介绍各关键部分的代码实现。\\n"
    >>> page = "标签: 平台框架null工具\\n1757人阅读 评论(4) 收藏 举报\\n分类:\\n" + body * 2
    >>> apply_edits(page, strip_chrome(page, rules=load_rules(), metadata={})) == body * 2
    True
    """
    cfg = ChromeSettings.read(rules)
    lexicon = load_lexicon(rules, traditional=looks_traditional(text))
    if lexicon is None:
        return []
    edits = template_spans(text, lexicon, metadata)
    taken = [(e.start, e.end) for e in edits]
    edits += head_spans(text, lexicon, taken, cfg)
    scored = score_lines(text, cfg, lexicon, metadata)
    removed: list[Scored] = []
    for item in scored:
        score = item.score(cfg.mid_factor, cfg.gap_factor)
        if score >= cfg.remove_at and not overlaps(taken, item.start, item.end):
            end = min(item.end + 1, len(text)) if text[item.end : item.end + 1] == "\n" else item.end
            edits.append(
                make_edit(
                    STAGE,
                    "chrome.line",
                    text,
                    item.start,
                    end,
                    "",
                    item.reason(score),
                    confidence=_confidence(score, cfg),
                )
            )
            taken.append((item.start, end))
            removed.append(item)
    edits += _block_edits(text, rules, cfg, scored, metadata, taken, remove=True)
    edits += model_edits(text, rules, cfg, scored, metadata, taken, remove=True)
    title_site = title_site_spans(text, cfg, taken)  # only where the first line is not chrome as a whole
    taken += [(e.start, e.end) for e in title_site]
    edits += title_site
    edits.extend(site_name_spans(text, removed, taken, cfg))
    return sorted(edits, key=lambda e: (e.start, e.end))


def flag_chrome(text: str, *, rules: RuleSet, metadata: dict[str, Any] | None = None) -> list[Edit]:
    """Suggestions (``before == after``) for lines that look like chrome but score below ``remove_at``.

    Not a cleaning step: the caller stores these as report suggestions.
    """
    cfg = ChromeSettings.read(rules)
    lexicon = load_lexicon(rules, traditional=looks_traditional(text))
    if lexicon is None:
        return []
    flags = head_flags(text, lexicon, cfg)
    scored = score_lines(text, cfg, lexicon, dict(metadata or {}))
    for item in scored:
        score = item.score(cfg.mid_factor, cfg.gap_factor)
        if cfg.flag_at <= score < cfg.remove_at:
            flags.append(
                make_edit(
                    STAGE,
                    "chrome.line-flagged",
                    text,
                    item.start,
                    item.end,
                    text[item.start : item.end],
                    "looks like site chrome, too weak to remove: " + item.reason(score),
                    confidence=_confidence(score, cfg),
                )
            )
    removed = [(x.start, x.end) for x in scored if x.score(cfg.mid_factor, cfg.gap_factor) >= cfg.remove_at]
    flags += _block_edits(text, rules, cfg, scored, {}, removed, remove=False)
    flagged = removed + [(e.start, e.end) for e in flags]
    flags += model_edits(text, rules, cfg, scored, dict(metadata or {}), flagged, remove=False)
    return sorted(flags, key=lambda e: (e.start, e.end))


def _block_edits(
    text: str,
    rules: RuleSet,
    cfg: ChromeSettings,
    scored: list[Scored],
    metadata: dict[str, Any],
    taken: list[tuple[int, int]],
    *,
    remove: bool,
) -> list[Edit]:
    """The content-block classifier's removals (``remove``: lines with their line breaks, ``chrome.block``,
    added to ``taken``) or its flags (``chrome.block-flagged``, before == after; none on ``taken``)."""
    edits = []
    settings = BlockSettings.read(rules)
    for verdict in block_verdicts(text, lines(text), scored, settings, (cfg.flag_at, cfg.remove_at), metadata):
        if remove and verdict.remove and not overlaps(taken, verdict.start, verdict.end):
            end = verdict.end + 1 if text[verdict.end : verdict.end + 1] == "\n" else verdict.end
            edits.append(make_edit(STAGE, "chrome.block", text, verdict.start, end, "", verdict.reason, confidence=0.8))
            taken.append((verdict.start, end))
        elif not remove and not verdict.remove and not overlaps(taken, verdict.start, verdict.end):
            start, end = verdict.start, verdict.end
            reason = "looks like site chrome, too weak to remove: " + verdict.reason
            flagged = text[start:end]
            edits.append(make_edit(STAGE, "chrome.block-flagged", text, start, end, flagged, reason, confidence=0.5))
    return edits


def _confidence(score: float, cfg: ChromeSettings) -> float:
    return round(min(0.99, 0.5 + 0.5 * (score - cfg.flag_at) / (2 * cfg.remove_at)), 2)
