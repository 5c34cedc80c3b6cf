"""The site's name on the page's first line: a browser title ``<title>-<site>`` or ``<site> -<title>``.

A scraped page often starts with its ``<title>``, which names the site after (or before) the document's
title. The name is known to be the site's, not the title's, when the title part recurs further down the
page (the page repeats its title) and the name occurs nowhere else in the text (a word of the title would).
"""

from __future__ import annotations

import regex

from ...document import Edit, make_edit
from .data import ChromeSettings
from .score import RE_HAN, RE_RESIDUAL, RE_SENTENCE_PUNCT, STAGE, is_body, lines

# separators of a browser title: '-', '_', '|', dashes, with or without spaces around them
RE_TITLE_SEP = regex.compile(r"[ \t]*(?:[_|｜]|[-－–—]{1,2})[ \t]*")


def title_site_spans(text: str, cfg: ChromeSettings, taken: list[tuple[int, int]]) -> list[Edit]:
    """An edit removing the site's name (with its separator) from the page's first line, when that line is
    a browser title ahead of the body.

    >>> from pipeline.rules import load_rules
    >>> from pipeline.document import apply_edits
    >>> body = "本身这个框架是自带图文混排的，可以在示例里找到，但是不能使用。\\n"
    >>> page = "图文混排的实现-某某网站建设\\n图文混排的实现\\n" + body
    >>> apply_edits(page, title_site_spans(page, ChromeSettings.read(load_rules()), [])).splitlines()[0]
    '图文混排的实现'
    """
    first = next(((s, e) for s, e in lines(text) if text[s:e].strip()), None)
    if first is None:
        return []
    start, end = first
    line = text[start:end]
    if is_body(line.strip(), cfg) or any(s < end and start < e for s, e in taken):
        return []
    if not any(is_body(text[s:e].strip(), cfg) for s, e in lines(text)):
        return []
    separators = [
        m
        for m in RE_TITLE_SEP.finditer(line)
        if not (line[m.start() - 1 : m.start()].isdigit() and line[m.end() : m.end() + 1].isdigit())
    ]  # 2020-2021 is no separator
    rest = text[end:]
    # the site after the title: the last segment; before it: the first
    if separators:
        last = separators[-1]
        site, title = line[last.end() :].strip(), line[: last.start()].strip()
        if _site_name(site, title, text, rest, cfg):
            return [_edit(text, start + last.start(), end, site, title)]
        head = separators[0]
        site, title = line[: head.start()].strip(), line[head.end() :].strip()
        if _site_name(site, title, text, rest, cfg):
            return [_edit(text, start, start + head.end(), site, title)]
    return []


def _site_name(site: str, title: str, text: str, rest: str, cfg: ChromeSettings) -> bool:
    return (
        cfg.title_site_min_chars <= len(site) <= cfg.title_site_max_chars
        and RE_RESIDUAL.fullmatch(site) is not None
        and len(RE_HAN.findall(site)) >= 2
        and not RE_SENTENCE_PUNCT.search(site)
        and len(title) >= cfg.title_site_min_chars
        and len(RE_HAN.findall(title)) >= 2
        and title in rest  # the page repeats its title further down
        and text.count(site) == 1  # the name is nowhere else: no word of the document
    )


def _edit(text: str, start: int, end: int, site: str, title: str) -> Edit:
    reason = (
        f"site name {site!r} beside the page title {title[:40]!r} on the first line (a browser title): "
        "the title recurs below, the name nowhere else"
    )
    return make_edit(STAGE, "chrome.title-site", text, start, end, "", reason)
