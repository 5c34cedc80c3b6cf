"""Spans of chrome glued to the body: template matches, and the site's own name injected into words."""

from __future__ import annotations

import regex

from ...document import Edit, make_edit
from .data import RE_LATIN, ChromeSettings, Lexicon
from .score import RE_HAN, STAGE, Scored, is_body, is_breadcrumb, lines


def overlaps(taken: list[tuple[int, int]], start: int, end: int) -> bool:
    """Whether ``[start, end)`` overlaps one of the spans already taken."""
    return any(s < end and start < e for s, e in taken)


def template_spans(text: str, lexicon: Lexicon) -> list[Edit]:
    """Edits removing the spans of ``span`` templates (non-overlapping, first template first)."""
    edits: list[Edit] = []
    taken: list[tuple[int, int]] = []
    for template in lexicon.templates:
        if template.kind != "span" or (template.requires and not any(lit in text for lit in template.requires)):
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
    return edits


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
