"""Learn the templates of a corpus: the lines most documents of one site share, written as rule files.

A first pass reads the documents (the text as the boilerplate stage will see it), groups them by
site (the site the packaged rules recognise, else the page's domain when ingest knows it, else the
folder holding the file) and counts, per group, the lines at each document's head and tail (and
short lines that repeat inside documents, as running headers do). Each line is first normalised so
that what a template varies does not hide it: the document's own title becomes a slot, digit runs
and hex ids become ``\\d+`` / ``[0-9a-f]+``, and lines that differ elsewhere (an uploader's name, a
category) are aligned character by character into one template with a gap (``.+?``) where they
differ, as log-template miners (Spell, Drain) do.

A template is *learned* when it occurs in at least ``min_share`` of the group's documents (and in
``min_docs``), is mostly fixed text, sits at the head or tail (or repeats inside documents), is no
heading of the body's own structure, and its documents are not copies of one reposted body. Each
group's templates are written to ``<outdir>/<group>.toml`` in the format of ``rules/sites/*.toml``,
one ``line`` rule per template with its document frequency and two real examples, so that
``--rules <outdir>`` applies them (rule ids ``learned.<group>.<n>``; each edit's reason says
"in 41 of 44 documents").

Memory is bounded whatever the corpus size: each group learns from its first ``sample_docs``
documents only, keeps at most ``MAX_TEMPLATES`` candidate lines (rare ones are dropped first) and a
bottom-k sample of each document's prose shingles; at most ``MAX_GROUPS`` groups are counted at once
(past it the smallest is dropped, so a corpus split into thousands of tiny folders learns nothing
from them rather than growing without end). A very long document is read by its head and tail only.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import regex
from rapidfuzz import fuzz, process
from rapidfuzz.distance import Indel

from pipeline.rules import RuleSet

DIGITS = "\ue000"
TITLE = "\ue001"
HEX = "\ue002"
GAP = "\ue003"
SLOTS = frozenset((DIGITS, TITLE, HEX, GAP))
SLOT_PATTERNS = {DIGITS: r"\d+", HEX: r"[0-9A-Fa-f]+", GAP: r".+?"}
TITLE_PATTERN = r"(?P<title>.+?)"

EDGE_LINES = 15  # at most this many lines at each end are a document's head / tail
MIDDLE_MAX_CHARS = 40  # a line inside the body is a candidate (running header) only when this short
MAX_LINE_CHARS = 200  # longer lines are never learned
MAX_CANDIDATES_PER_DOC = 120
MAX_TEMPLATES = 2000
MERGE_SCORE = 70.0  # rapidfuzz ratio above which a line may join a template with gaps
MIN_LITERAL = 4  # fixed characters a template needs
MIN_LITERAL_SHARE = 0.3  # of an example's length
MAX_DOCS_KEPT = 40  # documents remembered per template, for the repost check
PROSE_SHINGLES = 128  # sampled shingles kept per document (the smallest hashes: a bottom-k sample)
MAX_GROUPS = 1000  # groups counted at once; past it the smallest is dropped
PROSE_MIN_CHARS = 16
LEARN_CHARS = 200_000  # of a longer text, only this much of its head and of its tail is read

REGEX_SPECIAL = frozenset(".^$*+?{}[]\\|()")
RE_SPACE = regex.compile(r"\s+")
RE_HEX = regex.compile(r"(?<![0-9A-Za-z])(?=[0-9a-fA-F]*\d)(?=[0-9a-fA-F]*[a-fA-F])[0-9a-fA-F]{8,}(?![0-9A-Za-z])")
RE_DIGITS = regex.compile(r"\d+")
RE_ANGLE_TITLE = regex.compile(r"《([^《》\n]{2,60})》")
RE_SENTENCE = regex.compile(r"[。！？；!?;]|[，,].*[，,。]")
RE_WORD_CHAR = regex.compile(r"[\p{Han}\p{L}]")
RE_SLUG = regex.compile(r"[^a-z0-9]+")


def mask_line(line: str, titles: Sequence[str] = ()) -> str:
    """The line with what a template varies replaced by slots: the title, hex ids, digit runs, spaces.

    Slots are private-use characters (``\\ue001`` title, ``\\ue002`` hex id, ``\\ue000`` digits);
    whitespace runs become one space.

    >>> mask_line("上传时间：2023-05-17  浏览 1234 次") == "上传时间：\\ue000-\\ue000-\\ue000 浏览 \\ue000 次"
    True
    >>> mask_line("《论语·学而》 编号 a3f9c0d2e1", ["论语·学而"]) == "《\\ue001》 编号 \\ue002"
    True
    """
    line = RE_SPACE.sub(" ", line.strip())
    for title in titles:
        if title in line:
            line = line.replace(title, TITLE)
    line = RE_HEX.sub(HEX, line)
    return RE_DIGITS.sub(DIGITS, line)


def literal_chars(key: str) -> int:
    """How many fixed (non-slot, non-space) characters a template has."""
    return sum(1 for ch in key if ch not in SLOTS and not ch.isspace())


def merge_templates(template: str, line: str) -> str:
    """The template both strings fit: their common characters kept in order, a gap where they differ.

    A fixed run of one character between two gaps is absorbed into one gap (a coincidence of two
    variable parts, not template text).

    >>> merge_templates("本文由 张三 上传", "本文由 李四四 上传") == "本文由 \\ue003 上传"
    True
    """
    parts: list[str] = []
    for tag, a0, a1, _, _ in Indel.opcodes(template, line):
        if tag == "equal":
            parts.append(template[a0:a1])
        elif not parts or parts[-1] != GAP:
            parts.append(GAP)
    return _tidy("".join(parts))


def _tidy(key: str) -> str:
    """Runs of gaps joined, gaps swallowing the digit slots and lone characters next to them."""
    changed = True
    while changed:
        before = key
        key = regex.sub(f"{GAP}[{DIGITS}{HEX}{TITLE}\\s]*{GAP}|[{DIGITS}{HEX}]{GAP}|{GAP}[{DIGITS}{HEX}]", GAP, key)
        key = regex.sub(f"{GAP}[^{GAP}]{GAP}", GAP + GAP, key)
        key = regex.sub(f"{GAP}+", GAP, key)
        changed = key != before
    return key


def template_pattern(key: str) -> str:
    """The regular expression of a template: literal text, ``\\d+`` for digits, ``.+?`` for a gap,
    ``(?P<title>.+?)`` for the first title slot, ``\\s+`` for a space.

    >>> template_pattern("《\\ue001》 上传者：\\ue003 页数：\\ue000 页")
    '《(?P<title>.+?)》\\\\s+上传者：.+?\\\\s+页数：\\\\d+\\\\s+页'
    """
    out: list[str] = []
    titled = False
    for ch in key:
        if ch == TITLE:
            out.append(r".+?" if titled else TITLE_PATTERN)
            titled = True
        elif ch in SLOT_PATTERNS:
            out.append(SLOT_PATTERNS[ch])
        elif ch == " ":
            out.append(r"\s+")
        else:
            out.append("\\" + ch if ch in REGEX_SPECIAL else ch)
    return "".join(out)


def is_prose(line: str) -> bool:
    """Whether a line reads as running text (long enough and sentence-punctuated)."""
    return len(line) >= PROSE_MIN_CHARS and bool(RE_SENTENCE.search(line))


# --- one document ---------------------------------------------------------------------------------


@dataclass(slots=True)
class DocLines:
    """What the learning pass keeps of one document: its group and candidate lines, or why it failed."""

    group: str
    label: str
    candidates: list[tuple[str, str, bool, int]] = field(default_factory=list)  # key, raw line, at edge, count
    prose: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.uint64))
    error: str | None = None


def title_candidates(lines: Sequence[str], metadata: dict[str, Any], stem: str) -> list[str]:
    """Strings that are probably this document's title, longest first (replaced by the title slot).

    From the rules' header (``metadata['title']``), the page or DOCX title, the file name, the first
    ``《…》`` of the head, and a head line repeated inside another head line.
    """
    from pipeline.stages.boilerplate import clean_title

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
    from pipeline.corpus.sketch import han_text, sampled, shingle_hashes

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
            counts[key] = [line, at_edge, 1]
    prose = "".join(line for line in lines if is_prose(line))
    shingles = np.sort(sampled(shingle_hashes(han_text(prose))))[:PROSE_SHINGLES]
    candidates = [(key, raw, at_edge, count) for key, (raw, at_edge, count) in counts.items()]
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
    from pipeline.corpus.worker import DocumentTimeout, time_limit
    from pipeline.document import apply_edits
    from pipeline.errors import DocmendError
    from pipeline.ingest import read_document
    from pipeline.rules import load_rules
    from pipeline.runner import CLEANING_STEPS, run_step

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


# --- one group --------------------------------------------------------------------------------------


@dataclass(slots=True)
class Template:
    """One candidate template line of a group and what was seen of it."""

    key: str
    docs: int = 0
    occurrences: int = 0
    at_edge: int = 0
    last_doc: int = -1
    examples: list[str] = field(default_factory=list)
    doc_ids: list[int] = field(default_factory=list)

    def see(self, doc: int, raw: str, at_edge: bool, count: int) -> None:
        """Count one document's occurrences of this template."""
        self.occurrences += count
        self.at_edge += count if at_edge else 0
        if self.last_doc != doc:
            self.docs += 1
            self.last_doc = doc
            if len(self.doc_ids) < MAX_DOCS_KEPT:
                self.doc_ids.append(doc)
            if len(self.examples) < 2 and raw not in self.examples:
                self.examples.append(raw)

    def absorb(self, other: Template) -> None:
        """Add another candidate's counts (two candidates merged into one template)."""
        self.occurrences += other.occurrences
        self.at_edge += other.at_edge
        self.docs += len(set(other.doc_ids) - set(self.doc_ids)) + max(0, other.docs - len(other.doc_ids))
        self.doc_ids = sorted(set(self.doc_ids) | set(other.doc_ids))[:MAX_DOCS_KEPT]
        self.last_doc = max(self.last_doc, other.last_doc)
        for example in other.examples:
            if len(self.examples) < 2 and example not in self.examples:
                self.examples.append(example)


@dataclass(slots=True)
class LearnSettings:
    """Thresholds of the learning (``[learn]`` in ``rules/common/learn.toml``)."""

    min_group_docs: int = 20
    min_docs: int = 3
    min_share: float = 0.3
    sample_docs: int = 300
    min_edge_share: float = 0.8
    max_repost_share: float = 0.7
    min_share_constant: float = 0.6
    body_lines: frozenset[str] = frozenset()
    headings: tuple[regex.Pattern[str], ...] = ()
    chrome_signs: regex.Pattern[str] | None = None
    chrome_words: tuple[str, ...] = ()

    @classmethod
    def from_rules(cls, rules: RuleSet, **overrides: Any) -> LearnSettings:
        """The settings in the rule files, with ``overrides`` (non-None values) on top."""
        table = dict(rules.settings.get("learn", {}))
        table.update({k: v for k, v in overrides.items() if v is not None})
        headings = tuple(regex.compile(p) for p in rules.setting("headings", "patterns", []) or [])
        names = (
            "min_group_docs",
            "min_docs",
            "min_share",
            "sample_docs",
            "min_edge_share",
            "max_repost_share",
            "min_share_constant",
        )
        values = {name: type(getattr(cls(), name))(table[name]) for name in names if name in table}
        body = frozenset(str(line) for line in table.get("body_lines", []))
        signs = regex.compile(str(table["chrome_signs"])) if table.get("chrome_signs") else None
        words = tuple(str(word) for word in table.get("chrome_words", []))
        return cls(**values, body_lines=body, headings=headings, chrome_signs=signs, chrome_words=words)


@dataclass(slots=True)
class Learned:
    """One learned template, ready to be written as a rule."""

    key: str
    pattern: str
    docs: int
    at_edge: int
    occurrences: int
    examples: list[str]
    applied: bool = True


class GroupCounter:
    """The candidate templates of one group, counted over its first ``sample_docs`` documents."""

    def __init__(self, name: str, label: str, sample_docs: int) -> None:
        """An empty counter for the group ``name`` (``label`` says what the group is)."""
        self.name = name
        self.label = label
        self.sample_docs = sample_docs
        self.docs = 0  # documents learned from
        self.seen = 0  # documents of the group in the corpus
        self.templates: dict[str, Template] = {}
        self.prose: list[np.ndarray] = []

    def add(self, doc: DocLines) -> None:
        """Count one document's candidate lines (past the sample, only the group's size grows)."""
        self.seen += 1
        if self.docs >= self.sample_docs:
            return
        index = self.docs
        self.docs += 1
        self.prose.append(doc.prose)
        for key, raw, at_edge, count in doc.candidates:
            template = self._find(key, index)
            if template is not None:
                template.see(index, raw, at_edge, count)
        if len(self.templates) > MAX_TEMPLATES:
            self._prune(index)

    def _find(self, key: str, doc: int) -> Template | None:
        """The template ``key`` belongs to: an exact one, else one it aligns with (re-keyed), else a new one."""
        if key in self.templates:
            return self.templates[key]
        if literal_chars(key) < MIN_LITERAL:
            return None
        others = [k for k, t in self.templates.items() if t.last_doc != doc]
        best = process.extractOne(key, others, scorer=fuzz.ratio, score_cutoff=MERGE_SCORE) if others else None
        if best is not None:
            old = best[0]
            merged = merge_templates(old, key)
            fixed = literal_chars(merged)
            if fixed >= MIN_LITERAL and fixed >= 0.6 * literal_chars(old) and fixed >= 0.5 * literal_chars(key):
                template = self.templates.pop(old)
                template.key = merged
                if merged in self.templates:
                    existing = self.templates[merged]
                    existing.absorb(template)
                    return existing
                self.templates[merged] = template
                return template
        template = Template(key)
        self.templates[key] = template
        return template

    def _prune(self, doc: int) -> None:
        """Drop candidates seen in one document only, oldest first, until the table is back in bounds."""
        singles = sorted((t.last_doc, k) for k, t in self.templates.items() if t.docs <= 1 and t.last_doc < doc)
        for _, key in singles[: len(self.templates) - MAX_TEMPLATES // 2]:
            del self.templates[key]

    def learned(self, settings: LearnSettings) -> list[Learned]:
        """The templates that pass every test, most frequent first (none for a group that is too small).

        A candidate whose examples a more frequent one's pattern already matches is counted with it
        (two lines of one template aligned into two candidates early on).
        """
        if self.seen < settings.min_group_docs or self.docs < settings.min_docs:
            return []
        need = max(settings.min_docs, math.ceil(settings.min_share * self.docs))
        kept: list[tuple[Template, regex.Pattern[str]]] = []
        for template in sorted(self.templates.values(), key=lambda t: (-t.docs, t.key)):
            if template.docs < 2:
                break
            try:
                compiled = regex.compile(template_pattern(template.key), regex.V0)
            except regex.error:
                continue
            if not all(compiled.fullmatch(example.strip()) for example in template.examples):
                continue
            for other, pattern in kept:
                if all(pattern.fullmatch(example.strip()) for example in template.examples):
                    other.absorb(template)
                    break
            else:
                kept.append((template, compiled))
        chosen = []
        for template, compiled in sorted(kept, key=lambda item: (-item[0].docs, item[0].key)):
            docs = min(template.docs, self.docs)
            verdict = self._verdict(template, compiled, settings) if docs >= need else None
            if verdict is not None:
                found = Learned(
                    template.key,
                    compiled.pattern,
                    docs,
                    template.at_edge,
                    template.occurrences,
                    template.examples,
                    applied=verdict == "apply",
                )
                chosen.append(found)
        chosen.sort(key=lambda item: not item.applied)
        return chosen

    def _verdict(self, template: Template, compiled: regex.Pattern[str], settings: LearnSettings) -> str | None:
        """``"apply"`` for a frequent line that reads as template, ``"suggest"`` for one that might be body
        (no sign of site chrome, or a constant sentence in fewer than ``min_share_constant`` of the
        documents), None for body."""
        fixed = literal_chars(template.key)
        longest = max(len(example) for example in template.examples)
        if fixed < MIN_LITERAL or fixed < MIN_LITERAL_SHARE * _untitled_length(template.examples, compiled):
            return None
        plain = "".join(ch for ch in template.key if ch not in SLOTS).strip()
        if plain in settings.body_lines:
            return None
        if any(heading.match(example) for heading in settings.headings for example in template.examples):
            return None
        constant = not SLOTS.intersection(template.key)
        chrome = self._chrome_like(template.key, settings)
        at_edge = template.at_edge >= settings.min_edge_share * template.occurrences
        # inside the body: a short line that repeats within documents, or that carries a page number
        # and a site's signs (a running header or footer)
        running = (template.occurrences >= 1.5 * template.docs or chrome) and longest <= MIDDLE_MAX_CHARS
        if not (at_edge or running) or (not at_edge and any(map(is_prose, template.examples))):
            return None
        if self._repost_share(template, settings) >= settings.max_repost_share:
            return None
        if not chrome:
            return "suggest"
        rare = template.docs < settings.min_share_constant * self.docs
        if constant and rare and any(map(is_prose, template.examples)):
            return "suggest"
        return "apply"

    @staticmethod
    def _chrome_like(key: str, settings: LearnSettings) -> bool:
        """Whether a template shows a sign of site chrome: the document's title, a varying part in a
        fixed frame that is no sentence, a separator, a domain or Latin word, or a chrome word (下载, 上传, …)."""
        plain = "".join(ch for ch in key if ch not in SLOTS)
        if TITLE in key or (GAP in key and not RE_SENTENCE.search(plain)):
            return True
        if settings.chrome_signs is not None and settings.chrome_signs.search(plain):
            return True
        return any(word in plain for word in settings.chrome_words)

    def _repost_share(self, template: Template, settings: LearnSettings) -> float:
        """Share of the template's documents whose prose is mostly shared with the others (a reposted body)."""
        docs = [self.prose[i] for i in template.doc_ids if i < len(self.prose)]
        if len(docs) < settings.min_docs:
            return 0.0
        values, counts = np.unique(np.concatenate(docs), return_counts=True)
        shared = values[counts >= max(settings.min_docs, math.ceil(0.2 * len(docs)))]
        reposts = sum(1 for prose in docs if len(prose) and np.isin(prose, shared).sum() >= 0.5 * len(prose))
        return reposts / len(docs)


def _untitled_length(examples: Sequence[str], compiled: regex.Pattern[str]) -> int:
    """The length of the longest example, its title left out (the title is the document's, not variation)."""
    lengths = []
    for example in examples:
        match = compiled.fullmatch(example.strip())
        title = match.group("title") if match and "title" in compiled.groupindex else ""
        lengths.append(len(example.strip()) - len(title or ""))
    return max(lengths)


# --- the corpus -------------------------------------------------------------------------------------


class CorpusLearner:
    """The group counters of a corpus, fed one document at a time in source order."""

    def __init__(self, settings: LearnSettings) -> None:
        """No group yet."""
        self.settings = settings
        self.groups: dict[str, GroupCounter] = {}
        self.errors: list[str] = []

    def add(self, doc: DocLines) -> None:
        """Count one document (a failed one is only remembered as an error)."""
        if doc.error is not None:
            self.errors.append(doc.error)
            return
        counter = self.groups.get(doc.group)
        if counter is None:
            if len(self.groups) >= MAX_GROUPS:
                smallest = min(self.groups.values(), key=lambda group: group.seen)
                del self.groups[smallest.name]
            counter = self.groups[doc.group] = GroupCounter(doc.group, doc.label, self.settings.sample_docs)
        counter.add(doc)

    def write(self, outdir: Path) -> dict[str, int]:
        """Write one rule file per group that learned something; return {group: number of rules applied}
        (a file may hold only suggestions: 0)."""
        from pipeline.write import write_text

        written: dict[str, int] = {}
        for name in sorted(self.groups):
            counter = self.groups[name]
            learned = counter.learned(self.settings)
            if learned:
                write_text(outdir / f"{name}.toml", rule_file(counter, learned))
                written[name] = sum(item.applied for item in learned)
        return written


def rule_file(counter: GroupCounter, learned: Sequence[Learned]) -> str:
    """The TOML text of one group's learned rules (the format of ``rules/sites/*.toml``); the
    suggestions (lines that might be body) follow, commented out."""
    sample = f" (the first {counter.docs} of its {counter.seen})" if counter.seen > counter.docs else ""
    lines = [
        f"# Learned by docmend from {counter.docs} documents of {counter.label}{sample}.",
        "# Each rule drops a whole line that fully matches its pattern; '.+?' stands for what varied between",
        "# documents, \\d+ for digits, (?P<title>.+?) for the document's own title. Edit or delete any rule,",
        "# then pass this folder back with --rules; check it with: docmend rules --rules <this folder>.",
        "",
        "[site]",
        f'id = "learned-{counter.name}"',
        f'name = "{counter.name} (learned)"',
        "",
    ]
    suggested = False
    for number, item in enumerate(learned, start=1):
        block = _rule_block(counter, item, number)
        if item.applied:
            lines += [*block, ""]
            continue
        if not suggested:
            lines += [
                "# Not applied: lines that many documents share but that might be body text (no sign of site",
                "# chrome such as a separator, a domain or a word like 下载; or a sentence). To apply one, remove",
                "# the '# ' before its lines.",
                "",
            ]
            suggested = True
        lines += [f"# {line}" for line in block] + [""]
    return "\n".join(lines)


def _rule_block(counter: GroupCounter, item: Learned, number: int) -> list[str]:
    """The TOML lines of one learned rule with its evidence and two examples."""
    where = "at the head or tail" if item.at_edge >= item.occurrences * 0.5 else "repeated inside documents"
    description = f"Template line learned from {counter.label}: in {item.docs} of {counter.docs} documents, {where}."
    block = [
        "[[rule]]",
        f'id = "learned.{counter.name}.{number}"',
        'kind = "line"',
        f"description = {_toml_string(description)}",
        f"pattern = {_toml_literal(item.pattern)}",
    ]
    if "(?P<title>" in item.pattern:
        block.append('title_group = "title"')
    for example in item.examples:
        block += ["[[rule.example]]", f"before = {_toml_string(example.strip())}", 'after = ""']
    return block


def _toml_string(value: str) -> str:
    """A TOML basic string."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    escaped = re.sub(r"[\x00-\x1f\x7f]", lambda m: f"\\u{ord(m.group()):04x}", escaped)
    return f'"{escaped}"'


def _toml_literal(value: str) -> str:
    """A TOML literal string (no escapes: a pattern reads as written), a basic one if it must."""
    if "'''" not in value and not value.endswith("'") and "\n" not in value:
        return f"'''{value}'''"
    return _toml_string(value)


def learn_templates(
    found: Iterable[tuple[str, str]],
    outdir: Path,
    *,
    rules: RuleSet,
    rule_dirs: Sequence[str] = (),
    workers: int = 1,
    timeout: float | None = None,
    **overrides: Any,
) -> tuple[dict[str, int], list[str]]:
    """Learn from the documents ``found`` ((path, relative name) pairs, in source order) and write
    ``outdir/<group>.toml`` for each group that learned something (``timeout``: seconds per document).

    Returns ({group: number of rules}, one line per document that could not be read).
    """
    learner = CorpusLearner(LearnSettings.from_rules(rules, **overrides))
    for doc in _read_all(list(found), tuple(rule_dirs), workers, timeout):
        learner.add(doc)
    return learner.write(outdir), learner.errors


def _read_all(
    found: list[tuple[str, str]], rule_dirs: tuple[str, ...], workers: int, timeout: float | None
) -> Iterator[DocLines]:
    """Each document's lines, in order; in worker processes when there are many."""
    if workers <= 1 or len(found) < 32:
        for path, rel in found:
            yield read_for_learning(path, rule_dirs, rel, timeout)
        return
    from pipeline.corpus.engines import mp_context

    with mp_context().Pool(workers) as pool:
        chunk = max(1, min(64, len(found) // (8 * workers)))
        tasks = [(path, rule_dirs, rel, timeout) for path, rel in found]
        yield from pool.imap(_read_task, tasks, chunksize=chunk)


def _read_task(args: tuple[str, tuple[str, ...], str, float | None]) -> DocLines:
    return read_for_learning(*args)
