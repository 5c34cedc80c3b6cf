"""The learning pass over one document: its group and the lines that could be its site's template.

:func:`read_for_learning` reads a file the way the cleaning pass does up to the boilerplate stage,
names its group (:func:`group_of`) and keeps its candidate lines, masked (:mod:`pipeline.corpus.templates`),
with a small sample of its prose for the repost check.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import regex

from .templates import is_prose, mask_line

EDGE_LINES = 15  # at most this many lines at each end are a document's head / tail
MIDDLE_MAX_CHARS = 40  # a line inside the body is a candidate (running header) only when this short
MAX_LINE_CHARS = 200  # longer lines are never learned
MAX_CANDIDATES_PER_DOC = 120
PROSE_SHINGLES = 128  # sampled shingles kept per document (the smallest hashes: a bottom-k sample)
LEARN_CHARS = 200_000  # of a longer text, only this much of its head and of its tail is read

RE_ANGLE_TITLE = regex.compile(r"《([^《》\n]{2,60})》")
RE_WORD_CHAR = regex.compile(r"[\p{Han}\p{L}]")
RE_SLUG = regex.compile(r"[^a-z0-9]+")


@dataclass(slots=True)
class DocLines:
    """What the learning pass keeps of one document: its group and candidate lines, or why it failed."""

    group: str
    label: str
    # key, raw line, at the head or tail, occurrences, where the first one is (0: first line, 1: last)
    candidates: list[tuple[str, str, bool, int, float]] = field(default_factory=list)
    prose: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.uint64))
    error: str | None = None


def title_candidates(lines: Sequence[str], metadata: dict[str, Any], stem: str) -> list[str]:
    """Strings that are probably this document's title, longest first (replaced by the title slot).

    From the rules' header (``metadata['title']``), the page or DOCX title, the file name, the first
    ``《…》`` of the head, and a head line repeated inside another head line.
    """
    from ..stages.boilerplate import clean_title

    head = [line.strip() for line in lines[:EDGE_LINES]]
    found: list[str] = []
    for key in ("title", "html_title", "docx_title"):
        value = str(metadata.get(key) or "").strip()
        if value:
            found.append(value)
            found.extend(part.strip() for part in regex.split(r"\s*[_|｜]\s*|\s+-\s+", value)[:1])
    found.append(clean_title(stem))
    for line in head:
        match = RE_ANGLE_TITLE.search(line)
        if match:
            found.append(clean_title(match.group(1)))
            found.append(match.group(1))
            break
    for i, line in enumerate(head):
        if 2 <= len(line) <= 60 and not is_prose(line):
            if any(line in other and line != other for j, other in enumerate(head) if j != i):
                found.append(line)
                break
    text = "\n".join(head + [line.strip() for line in lines[-EDGE_LINES:]])
    usable = {t for t in found if len(t) >= 2 and len(RE_WORD_CHAR.findall(t)) >= 2 and t in text}
    return sorted(usable, key=len, reverse=True)


def document_lines(text: str, metadata: dict[str, Any], *, group: str, label: str, stem: str) -> DocLines:
    """The candidate lines of one document's text, as the boilerplate stage sees it, and its prose sample.

    The head and tail (up to ``EDGE_LINES`` lines each, a third of the document at most) give every
    line; inside, only short lines, which can be running headers.
    """
    from .sketch import han_text, sampled, shingle_hashes

    lines = [line.strip() for line in text.split("\n") if line.strip()]
    edge = min(EDGE_LINES, max(6, len(lines) // 3))
    titles = title_candidates(lines, metadata, stem)
    counts: dict[str, list[Any]] = {}
    for i, line in enumerate(lines):
        at_edge = i < edge or i >= len(lines) - edge
        if len(line) > MAX_LINE_CHARS or (not at_edge and len(line) > MIDDLE_MAX_CHARS):
            continue
        key = mask_line(line, titles)
        if key in counts:  # the last occurrence is kept: two documents then more often show two forms
            counts[key][0] = line
            counts[key][2] += 1
            counts[key][1] = counts[key][1] or at_edge
        elif len(counts) < MAX_CANDIDATES_PER_DOC:
            counts[key] = [line, at_edge, 1, i / max(1, len(lines) - 1)]
    prose = "".join(line for line in lines if is_prose(line))
    shingles = np.sort(sampled(shingle_hashes(han_text(prose))))[:PROSE_SHINGLES]
    candidates = [(key, raw, at_edge, count, where) for key, (raw, at_edge, count, where) in counts.items()]
    return DocLines(group, label, candidates, shingles)


def group_of(path: Path, metadata: dict[str, Any], *, root_label: str | None = None) -> tuple[str, str]:
    """(group name, what it is) of a document: its detected site, else its domain, else its folder.

    The name is a rule-id-safe slug (``doc88``, ``example-com``, ``moxiang``; a folder name without
    Latin letters or digits gets a short hash: ``folder-3fa2c1d0``).
    """
    site = metadata.get("site")
    if site:
        return slug(str(site)), f"site {site}"
    url = str(metadata.get("url") or "")
    domain = regex.match(r"(?:https?://)?(?:www\.)?([^/\s:]+)", url) if url else None
    if domain:
        return slug(domain.group(1)), f"domain {domain.group(1)}"
    folder = root_label or path.parent.name or "root"
    return slug(folder, prefix="folder"), f"folder {folder}"


def slug(name: str, *, prefix: str = "group") -> str:
    """A lower-case name made of ``a-z0-9-``, usable in a rule id and a file name.

    >>> slug("Doc88"), slug("www.example.com"), slug("墨香文库", prefix="folder")[:7]
    ('doc88', 'www-example-com', 'folder-')
    """
    cleaned = RE_SLUG.sub("-", name.lower()).strip("-")
    if cleaned and len(cleaned) <= 40:
        return cleaned
    digest = hashlib.sha1(name.encode("utf-8")).hexdigest()[:8]
    return f"{cleaned[:31]}-{digest}" if cleaned else f"{prefix}-{digest}"


def read_for_learning(
    path: str, rule_dirs: Sequence[str] = (), rel: str | None = None, timeout: float | None = None
) -> DocLines:
    """Read one file and return its group and candidate lines (never raises: a failure is ``error``).

    The text is the one the boilerplate stage sees in the first cleaning pass (normalised, damage
    repaired); the lines the existing rules already remove are left out, and a site they recognise
    names the group. Of a very long text only the head and tail are read (``LEARN_CHARS`` each);
    ``timeout`` seconds at most per document.
    """
    from ..document import apply_edits
    from ..errors import DocmendError
    from ..ingest import read_document
    from ..rules import load_rules
    from ..runner import CLEANING_STEPS, run_step
    from .worker import DocumentTimeout, time_limit

    source = Path(path)
    # the input folder and its first sub-folder: a corpus kept as corpus/<site>/<year>/… groups by site
    folder = "/".join(Path(rel).parts[:-1][:2]) if rel and "/" in rel else source.resolve().parent.name
    try:
        with time_limit(timeout):
            rules = load_rules(rule_dirs)
            ingested = read_document(source)
            metadata: dict[str, Any] = dict(ingested.metadata)
            text = _head_and_tail(ingested.text)
            for step in CLEANING_STEPS:
                edits = run_step(step, text, rules=rules, metadata=metadata, source=path)
                if edits:
                    text = apply_edits(text, edits)
                if step.stage == "boilerplate":
                    break
    except DocumentTimeout:
        return DocLines("", "", error=f"{path}: timed out after {timeout:g} s while learning")
    except DocmendError as err:
        return DocLines("", "", error=f"{path}: {getattr(err, 'reason', None) or err}")
    except Exception as err:  # a bug in a stage must not stop the learning
        return DocLines("", "", error=f"{path}: {type(err).__name__}: {err}")
    group, label = group_of(source, metadata, root_label=folder)
    return document_lines(text, metadata, group=group, label=label, stem=source.stem)


def _head_and_tail(text: str) -> str:
    """The text, or of a very long one its first and last ``LEARN_CHARS`` characters (whole lines)."""
    if len(text) <= 2 * LEARN_CHARS:
        return text
    head = text[:LEARN_CHARS].rsplit("\n", 1)[0]
    tail = text[-LEARN_CHARS:].split("\n", 1)[-1]
    return f"{head}\n{tail}"
