"""Stage 3: remove what page breaks leave in the text, and rejoin what they split.

* chunk markers some sites put at line starts (``1、`` ``2、`` …), often mid-word::

      …“得网络者得天        →   …“得网络者得天下”，…
      2、下”，…

* the same markers glued inside a line (``…得天2、下”…``), only as the number a chain of line-start
  markers skips, between two Han characters;
* page-number lines (``第 3 页 共 12 页``, ``- 3 -``, a bare ``3`` in an increasing sequence), and a
  ``第 3 页 共 12 页`` glued mid-sentence where another footer gives the same total;
* running headers/footers and titles repeated at page edges, also when cut to the page width at
  different lengths (a prefix of a longer one, or of the title);
* the page separators (form feeds) themselves: the text on both sides is rejoined when the break
  fell mid-sentence, otherwise the break becomes a line break.

Patterns and thresholds come from ``rules/common/page_markers.toml``.
"""

from __future__ import annotations

import bisect
import itertools
import statistics
from collections import Counter
from functools import lru_cache
from typing import Any

import regex

from ..document import Edit, make_edit
from ..rules import RuleSet
from .paragraphs import heading_patterns
from .text import joiner

STAGE = "page_artefacts"
RE_DIGITS = regex.compile(r"\d+")
RE_SENTENCE_PUNCT = regex.compile(r"[，。；！？,;!?]")
RE_PAGE_TOTAL = regex.compile(r"共\s*(\d{1,4})\s*页")


LEFT_CONTEXT = 80  # characters before a page boundary that decide how it is closed (a sentence end, a word)


def _ends_sentence(line: str, sentence_end: str) -> bool:
    stripped = line.rstrip()
    return bool(stripped) and stripped[-1] in sentence_end


RE_LINE = regex.compile(r"[^\n\f]*(?:\n|\f|$)")


class _Lines:
    """The text cut into lines at ``\n`` and at form feeds; each line knows its terminator."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts: list[int] = []
        self.ends: list[int] = []  # end of the content, before the terminator
        self.page: list[int] = []
        page = 0
        for match in RE_LINE.finditer(text):
            if match.start() == match.end():
                break
            start, stop = match.span()
            terminated = stop > start and text[stop - 1] in "\n\f"
            self.starts.append(start)
            self.ends.append(stop - 1 if terminated else stop)
            self.page.append(page)
            if terminated and text[stop - 1] == "\f":
                page += 1
        self.pages = page + 1

    def __len__(self) -> int:
        return len(self.starts)

    def line(self, i: int) -> str:
        return self.text[self.starts[i] : self.ends[i]]

    def terminator(self, i: int) -> str:
        end = self.ends[i]
        return self.text[end] if end < len(self.text) else ""


Removal = tuple[str, str]  # (rule id, reason)


def _page_number_lines(lines: _Lines, rules: RuleSet) -> dict[int, Removal]:
    removed: dict[int, Removal] = {}
    line_rules = [rule for rule in rules.for_stage(STAGE) if rule.kind == "line"]
    for i in range(len(lines)):
        stripped = lines.line(i).strip()
        if not stripped or len(stripped) > 40:
            continue
        for rule in line_rules:
            if rule.pattern.fullmatch(stripped):
                removed[i] = (rule.id, rule.description)
                break
    cfg = rules.settings.get("bare_numbers", {})
    bare = regex.compile(cfg.get("pattern", r"\s*\d{1,4}\s*"))
    found = [i for i in range(len(lines)) if i not in removed and bare.fullmatch(lines.line(i))]
    numbers = [int(lines.line(i).strip()) for i in found]
    if len(numbers) >= int(cfg.get("min_count", 2)) and all(b > a for a, b in itertools.pairwise(numbers)):
        for i, number in zip(found, numbers, strict=True):
            reason = f"bare page number {number} (one of an increasing sequence of {len(numbers)} page numbers)"
            removed[i] = ("page.bare-number", reason)
    return removed


def _running_lines(lines: _Lines, rules: RuleSet, metadata: dict[str, Any], removed: dict[int, Removal]) -> None:
    cfg = rules.settings.get("running_lines", {})
    max_chars = int(cfg.get("max_chars", 60))
    paged = lines.pages > 1

    def key(i: int) -> str:
        return RE_DIGITS.sub("#", lines.line(i).strip())

    content = [i for i in range(len(lines)) if i not in removed and lines.line(i).strip()]
    if paged:
        by_page: dict[int, list[int]] = {}
        for i in content:
            by_page.setdefault(lines.page[i], []).append(i)
        pool = sorted({i for indices in by_page.values() for i in (*indices[:2], *indices[-2:])})
        needed = max(int(cfg.get("min_repeats_with_pages", 2)), float(cfg.get("min_page_share", 0.5)) * lines.pages)
    else:
        pool = content
        needed = int(cfg.get("min_repeats_without_pages", 3))
    groups: dict[str, list[int]] = {}
    for i in pool:
        k = key(i)
        # running headers and footers are titles and labels, not pieces of sentences
        if 2 <= len(k) <= max_chars and not RE_SENTENCE_PUNCT.search(k) and k[-1] not in "：:":
            groups.setdefault(k, []).append(i)
    heading_at_start, _ = heading_patterns(rules)
    title = (metadata.get("title") or "").strip()
    first = content[0] if content else -1
    if paged:
        groups, cut = merge_truncated(groups, int(cfg.get("min_truncated_chars", 8)), RE_DIGITS.sub("#", title))
    else:
        cut = {}
    for k, indices in groups.items():
        if len(indices) < needed or heading_at_start.match(lines.line(indices[0])):
            continue
        first_is_title = lines.line(first).strip() == title if title else not paged
        if indices[0] == first and first_is_title:
            indices = indices[1:]  # the first occurrence at the top is the document's own title
        if k in cut:
            reason = (
                f"line repeated {len(groups[k])} times at page edges, cut to the page width at "
                f"{len(cut[k])} lengths ({', '.join(map(str, sorted(cut[k])))} characters): {k!r}"
            )
            rule_id = "page.running-line-cut"
        else:
            reason, rule_id = f"line repeated {len(groups[k])} times at page edges: {k!r}", "page.running-line"
        for i in indices:
            removed[i] = (rule_id, reason)


def merge_truncated(
    groups: dict[str, list[int]], min_chars: int, title: str = ""
) -> tuple[dict[str, list[int]], dict[str, set[int]]]:
    """Join each group of page-edge lines whose text (``min_chars`` or more, a trailing ellipsis dropped)
    starts a longer line's text, or the title's, to that longer group: a running header cut to the page
    width at different lengths on different pages is one running line. Returns the groups and, for each
    joined group, the lengths it was seen at.

    >>> groups = {"全国网络安全工作会议材料汇编": [0], "全国网络安全工作会议": [5], "全国网络安全工作会": [9]}
    >>> merged, cut = merge_truncated(groups, 8)
    >>> merged, sorted(cut["全国网络安全工作会议材料汇编"])
    ({'全国网络安全工作会议材料汇编': [0, 5, 9]}, [9, 10, 14])
    """
    longest_first = sorted(groups, key=len, reverse=True)
    merged: dict[str, list[int]] = {}
    cut: dict[str, set[int]] = {}
    title_key = title if len(title) >= min_chars else ""
    for k in longest_first:
        core = k.rstrip("…. ")
        into = None
        if len(core) >= min_chars:
            into = next((m for m in merged if m != k and m.startswith(core)), None)
            if into is None and title_key and title_key.startswith(core) and title_key != k:
                into = title_key
        if into is None:
            merged[k] = list(groups[k])
            continue
        merged.setdefault(into, [])
        cut.setdefault(into, {len(into)} if into in groups else set()).add(len(k))
        merged[into] = sorted(merged[into] + groups[k])
    return {k: v for k, v in merged.items() if v}, cut


def _chunk_markers(
    lines: _Lines, rules: RuleSet, sentence_end: str, removed: dict[int, Removal]
) -> list[tuple[int, int, regex.Match[str], str]]:
    """(line index, number, match, series) for each numbered chunk marker taken for a site artefact."""
    cfg = rules.settings.get("chunk_markers", {})
    pattern = regex.compile(cfg.get("pattern", r"[ \t\u3000]*(\d{1,6})、"))
    chains: list[list[tuple[int, int, regex.Match[str]]]] = []
    waiting: dict[int, list[int]] = {}  # next number → the chains expecting it, oldest first
    for i in range(len(lines)):
        if i in removed:
            continue
        match = pattern.match(lines.text, lines.starts[i], lines.ends[i])
        if not match:
            continue
        number = int(match.group(1))
        expecting = waiting.get(number)
        skipped = waiting.get(number - 1)
        if expecting:  # the oldest chain that this number continues
            chain_id = expecting.pop(0)
            chains[chain_id].append((i, number, match))
        elif skipped and (glued := _glued_marker(lines, chains[skipped[0]][-1][0], i, number - 1, cfg)):
            # the marker before this one was glued inside a line
            chain_id = skipped.pop(0)
            chains[chain_id] += [glued, (i, number, match)]
        else:
            chain_id = len(chains)
            chains.append([(i, number, match)])
        bisect.insort(waiting.setdefault(number + 1, []), chain_id)
    found = []
    for chain in chains:
        if sum(not _is_glued(lines, m) for _, _, m in chain) < int(cfg.get("min_markers", 2)):
            continue
        lengths = []
        midsentence = 0
        for k, (i, _, m) in enumerate(chain):
            if _is_glued(lines, m):
                midsentence += 1  # glued between two Han characters: a split word by construction
                continue
            nxt = chain[k + 1][0] if k + 1 < len(chain) else i + 1
            lengths.append(sum(len(lines.line(j)) for j in range(i, max(nxt, i + 1)) if j not in removed))
            prev = _previous_kept(lines, i, removed)
            if k and prev >= 0 and not _ends_sentence(lines.line(prev), sentence_end):
                midsentence += 1
        if statistics.median(lengths) < float(cfg.get("min_median_chunk_chars", 80)):
            continue
        if midsentence < float(cfg.get("min_midsentence_share", 0.5)) * (len(chain) - 1):
            continue
        series = f"{chain[0][1]}–{chain[-1][1]}"
        found.extend((i, number, match, series) for i, number, match in chain)
    return found


def _glued_page_numbers(lines: _Lines, rules: RuleSet, removed: dict[int, Removal]) -> list[Edit]:
    """Edits removing a page footer glued inside a line between two Han characters, where a page break
    fell mid-sentence and the footer was not given a line of its own (``…清醒认识第 3 页 共 12 页到这一点…``).
    Only the page N of M form counts (N no greater than M), and only where another page footer of the
    document (glued or on its own line) gives the same total M: a bare or dashed number, or one page
    reference inside a sentence, is too weak."""
    cfg = rules.settings.get("glued_page_numbers", {})
    if not cfg.get("pattern"):
        return []
    pattern = regex.compile(cfg["pattern"])
    candidates = [m for m in pattern.finditer(lines.text) if int(m.group(1)) <= int(m.group(2))]
    if not candidates:
        return []
    totals = Counter(int(m.group(2)) for m in candidates)
    for i, (rule_id, _) in removed.items():
        total = RE_PAGE_TOTAL.search(lines.line(i)) if rule_id.startswith("page.number") else None
        if total:
            totals[int(total.group(1))] += 1
    edits = []
    for match in candidates:
        row = bisect.bisect_right(lines.starts, match.start()) - 1
        if row in removed or totals[int(match.group(2))] < 2:
            continue
        reason = (
            f"page footer {match.group().strip()!r} glued between two pieces of a sentence (page "
            f"{match.group(1)} of {match.group(2)}, a total {totals[int(match.group(2))]} page footers "
            "of the document give); removed and the pieces rejoined"
        )
        edits.append(make_edit(STAGE, "page.number-glued", lines.text, match.start(), match.end(), "", reason))
    return edits


def _is_glued(lines: _Lines, match: regex.Match[str]) -> bool:
    """Whether a chunk marker match sits inside a line rather than at its start."""
    row = bisect.bisect_right(lines.starts, match.start()) - 1
    return bool(lines.text[lines.starts[row] : match.start()].strip())


def _glued_marker(
    lines: _Lines, after: int, before: int, number: int, cfg: dict[str, Any]
) -> tuple[int, int, regex.Match[str]] | None:
    """The chunk marker ``number、`` glued inside a line, between the line of the marker before it (row
    ``after``) and the line of the marker after it (row ``before``): only when it is the one occurrence
    there and it splits Han text (``…得天2、下”…``), so a real ``2、`` of a list or a range (``2、3个``)
    never counts."""
    if before - after > int(cfg.get("glued_max_lines", 40)):
        return None  # too far apart to be two neighbouring chunks
    pattern = regex.compile(cfg.get("glued_pattern", r"(?<=\p{Han})(\d{1,6})、(?=\p{Han})"))
    hits = [
        (row, m)
        for row in range(after, before)
        for m in pattern.finditer(lines.text, lines.starts[row], lines.ends[row])
        if int(m.group(1)) == number and m.start() > lines.starts[row]
    ]
    if len(hits) != 1:
        return None
    row, match = hits[0]
    return row, number, match


def _previous_kept(lines: _Lines, i: int, removed: dict[int, Removal]) -> int:
    j = i - 1
    while j >= 0 and (j in removed or not lines.line(j).strip()):
        j -= 1
    return j


def remove_page_artefacts(text: str, *, rules: RuleSet, metadata: dict[str, Any]) -> list[Edit]:
    """Edits removing chunk markers, page-number lines, running headers/footers and page breaks.

    Where a removed artefact stood between two pieces of one sentence, the pieces are rejoined.
    """
    sentence_end = rules.setting("punctuation", "sentence_end", "。！？；：…”’」』）)】!?;:.")
    lines = _Lines(text)
    removed = _page_number_lines(lines, rules)
    _running_lines(lines, rules, metadata, removed)
    markers = _chunk_markers(lines, rules, sentence_end, removed)
    glued = [(i, number, match, series) for i, number, match, series in markers if _is_glued(lines, match)]
    marker_at = {i: (number, match, series) for i, number, match, series in markers if not _is_glued(lines, match)}
    edits: list[Edit] = _glued_page_numbers(lines, rules, removed)
    for i, number, match, series in glued:
        if i in removed:
            continue
        reason = (
            f"chunk marker {number}、 glued inside a line, splitting a word: the number the site's chunks "
            f"{series} expected between markers {number - 1}、 and {number + 1}、; removed"
        )
        edits.append(make_edit(STAGE, "page.chunk-marker-glued", text, match.start(), match.end(), "", reason))
    i = 0
    while i < len(lines):
        ends_page = lines.terminator(i) == "\f"
        if i in removed and not ends_page and not _gap_follows(lines, i, removed):
            rule_id, reason = removed[i]
            start, end = lines.starts[i], lines.ends[i] + 1
            if lines.terminator(i) == "":  # the last line: take the line break before it instead
                end -= 1
                if start > 0 and text[start - 1] == "\n" and (not edits or edits[-1].end < start):
                    start -= 1
            edits.append(make_edit(STAGE, rule_id, text, start, end, "", reason))
            i += 1
            continue
        if ends_page or (i in removed and _gap_follows(lines, i, removed)):
            i = _page_gap_edit(lines, i, removed, marker_at, sentence_end, edits)
            continue
        if i in marker_at:
            _marker_edit(lines, i, removed, marker_at, sentence_end, edits)
        i += 1
    return sorted(edits, key=lambda e: (e.start, e.end))


def _gap_follows(lines: _Lines, i: int, removed: dict[int, Removal]) -> bool:
    """True if line i (removed) is followed, through removed or blank lines only, by a page break."""
    j = i
    while j < len(lines) and (j in removed or not lines.line(j).strip()):
        if lines.terminator(j) == "\f":
            return True
        j += 1
    return False


def _page_gap_edit(
    lines: _Lines,
    i: int,
    removed: dict[int, Removal],
    marker_at: dict[int, tuple[int, regex.Match[str], str]],
    sentence_end: str,
    edits: list[Edit],
) -> int:
    """One edit for a page boundary: footer, form feed(s), header, blank lines; returns the next line."""
    text = lines.text
    if i in removed or not lines.line(i).strip():
        gap_start = lines.starts[i]
        while gap_start > 0 and text[gap_start - 1].isspace():
            gap_start -= 1
    else:
        gap_start = lines.starts[i] + len(lines.line(i).rstrip())
    left = text[max(0, gap_start - LEFT_CONTEXT) : gap_start]  # the end of the text before the boundary
    first = i
    j = i + 1
    while j < len(lines) and (j in removed or not lines.line(j).strip()):
        j += 1
    gap_end = lines.starts[j] + (len(lines.line(j)) - len(lines.line(j).lstrip())) if j < len(lines) else len(text)
    notes = [removed[k][0] for k in range(first, j) if k in removed]
    marker = marker_at.get(j)
    if marker is not None:
        number, match, _ = marker
        gap_end = match.end()
        notes.append(f"chunk marker {number}、")
    right = text[gap_end : lines.ends[j]] if j < len(lines) else ""
    gap_start = max(0, min(gap_start, gap_end))
    if not left.strip() or not right.strip():
        after, rule_id = "", "page.break"
    elif _ends_sentence(left, sentence_end):
        after, rule_id = "\n", "page.break"
    else:
        after, rule_id = joiner(left, right), "page.break-join"
    reason = "page boundary" + (f" ({', '.join(notes)} removed)" if notes else "")
    if rule_id == "page.break-join":
        reason += "; it fell mid-sentence, so the two pieces are rejoined"
    if text[gap_start:gap_end] != after:
        edits.append(make_edit(STAGE, rule_id, text, gap_start, gap_end, after, reason))
    return j + 1 if marker is not None else j


def _marker_edit(
    lines: _Lines,
    i: int,
    removed: dict[int, Removal],
    marker_at: dict[int, tuple[int, regex.Match[str], str]],
    sentence_end: str,
    edits: list[Edit],
) -> None:
    text = lines.text
    _, match, series = marker_at[i]
    prev = _previous_kept(lines, i, removed)
    prev_text = lines.line(prev) if prev >= 0 else ""
    if prev < 0 or _ends_sentence(prev_text, sentence_end) or any(k in removed for k in range(prev + 1, i)):
        reason = _marker_reason(series, rejoined=False)
        edits.append(make_edit(STAGE, "page.chunk-marker", text, match.start(), match.end(), "", reason))
        return
    cut = lines.starts[prev] + len(prev_text.rstrip())
    after = joiner(prev_text.rstrip(), text[match.end() : lines.ends[i]])
    reason = _marker_reason(series, rejoined=True)
    edits.append(make_edit(STAGE, "page.chunk-marker", text, cut, match.end(), after, reason))


@lru_cache(maxsize=64)
def _marker_reason(series: str, *, rejoined: bool) -> str:
    """The reason of a chunk marker's edit (the marker itself is the edit's ``before``): one string shared by
    the series' edits, which a whole book has tens of thousands of."""
    if rejoined:
        return f"chunk marker (chunks {series}) split a sentence; removed and the pieces rejoined"
    return f"chunk marker (one of the site's numbered chunks {series}) removed"
