"""Spans of chrome glued to the body: template matches, and the site's own name injected into words."""

from __future__ import annotations

from typing import Any

import regex

from ...document import Edit, make_edit
from ..boilerplate import clean_title
from .data import RE_LATIN, ChromeSettings, Lexicon
from .score import RE_HAN, STAGE, Scored, is_body, is_breadcrumb, lines


def overlaps(taken: list[tuple[int, int]], start: int, end: int) -> bool:
    """Whether ``[start, end)`` overlaps one of the spans already taken."""
    return any(s < end and start < e for s, e in taken)


def template_spans(text: str, lexicon: Lexicon, metadata: dict[str, Any] | None = None) -> list[Edit]:
    """Edits removing the spans of ``span`` templates (non-overlapping, first template first). A template
    with a ``title`` group (the share header's ``《X.docx》``) names the document's title in ``metadata``
    when nothing named it before."""
    edits: list[Edit] = []
    taken: list[tuple[int, int]] = []
    for template in lexicon.templates:
        if template.kind != "span" or not lexicon.applies(template, text):
            continue
        for match in template.pattern.finditer(text):
            if match.end() == match.start() or overlaps(taken, match.start(), match.end()):
                continue
            start, end = match.span()
            replacement = template.replace
            line_start = text.rfind("\n", 0, start) + 1
            line_end = text.find("\n", end)
            line_end = len(text) if line_end == -1 else line_end
            if replacement == "\n" and (end == line_end or start == line_start):
                replacement = ""
            if not replacement and not text[line_start:start].strip() and not text[end:line_end].strip():
                end = min(line_end + 1, len(text))  # the template was the whole line: its line break goes too
            reason = f"site chrome ({template.description}; template weight {template.weight:.1f})"
            edits.append(make_edit(STAGE, f"chrome.{template.name}", text, start, end, replacement, reason))
            taken.append((start, end))
            if metadata is not None and not metadata.get("title") and match.groupdict().get("title"):
                title = clean_title(match.group("title"))
                if title:
                    metadata["title"] = title
                    metadata["title_source"] = f"chrome.{template.name}"
    return edits


def head_spans(text: str, lexicon: Lexicon, taken: list[tuple[int, int]], cfg: ChromeSettings) -> list[Edit]:
    """Edits removing ``head`` templates (a news dateline, ``新华社北京3月5日电（记者 张三）``) found at the
    start of the body: the start of one of its first ``head_body_lines`` body lines, or a whole line just
    before them."""
    start = _body_start(text, cfg)
    if start is None:
        return []
    edits = []
    for template in lexicon.templates:
        if template.kind != "head" or not lexicon.applies(template, text):
            continue
        for line_start in start:
            match = template.pattern.match(text, line_start)
            if match is None or match.end() == match.start() or overlaps(taken, *match.span()):
                continue
            end = match.end()
            line_end = text.find("\n", end)
            line_end = len(text) if line_end == -1 else line_end
            if not text[end:line_end].strip():  # the dateline was the whole line: its line break goes too
                end = min(line_end + 1, len(text))
            reason = (
                f"site chrome ({template.description}; template weight {template.weight:.1f}), at the start of the body"
            )
            edits.append(make_edit(STAGE, f"chrome.{template.name}", text, line_start, end, "", reason))
            taken.append((line_start, end))
            return edits  # one dateline per page
    return edits


def head_flags(text: str, lexicon: Lexicon, cfg: ChromeSettings) -> list[Edit]:
    """Suggestions for ``head`` templates starting a line anywhere but the start of the body (a dateline
    later in the text may be a quoted one: too weak to remove)."""
    if not any(t.kind == "head" for t in lexicon.templates):
        return []
    head = set(_body_start(text, cfg) or ())
    flags = []
    for template in lexicon.templates:
        if template.kind != "head" or not lexicon.applies(template, text):
            continue
        for line_start, _ in lines(text):
            if line_start in head:
                continue
            match = template.pattern.match(text, line_start)
            if match is None or match.end() == match.start():
                continue
            reason = f"looks like {template.description}, but not at the start of the body: only flagged"
            flags.append(
                make_edit(STAGE, f"chrome.{template.name}-flagged", text, *match.span(), match.group(), reason)
            )
    return flags


def _body_start(text: str, cfg: ChromeSettings) -> list[int] | None:
    """Where the body starts: the starts of its first ``head_body_lines`` body lines (a photo caption may
    come before the dateline), and of the non-empty line right before the first (a dateline on a line of
    its own); None for a text without body lines."""
    previous = None
    found: list[int] = []
    for start, end in lines(text):
        line = text[start:end].strip()
        if not line:
            continue
        lead = len(text[start:end]) - len(text[start:end].lstrip())
        if is_body(line, cfg):
            if not found and previous is not None:
                found.append(previous)
            found.append(start + lead)
            if sum(1 for x in found if x != previous) >= cfg.head_body_lines:
                break
        elif not found:
            previous = start + lead
    return found or None


def site_name_spans(text: str, removed: list[Scored], taken: list[tuple[int, int]], cfg: ChromeSettings) -> list[Edit]:
    """The site's name glued into the body: a word mixing Latin letters and Han (seo靠我) left over in removed
    lines (not breadcrumbs) that recurs, whatever its case, inside at least two body lines."""
    names = {
        r
        for x in removed
        if not is_breadcrumb(x)
        for r in x.residual
        if len(r) >= cfg.echo_min_chars + 1 and RE_LATIN.search(r) and RE_HAN.search(r)
    }
    if not names:
        return []
    body = [x for x in lines(text) if is_body(text[x[0] : x[1]].strip(), cfg)]
    names = {n for n in names if sum(n.lower() in text[a:b].lower() for a, b in body) >= 2}
    edits = []
    for name in sorted(names, key=len, reverse=True):
        pattern = regex.compile(r"[ \t]?" + regex.escape(name), regex.IGNORECASE)
        for match in pattern.finditer(text):
            if overlaps(taken, match.start(), match.end()):
                continue
            reason = f"site name {name!r} (left over in removed chrome lines) glued into the text"
            edits.append(make_edit(STAGE, "chrome.site-name", text, match.start(), match.end(), "", reason))
            taken.append(match.span())
    return edits
