"""Learn the templates of a corpus: the lines most documents of one site share, written as rule files.

(Reading one document for it: :mod:`pipeline.corpus.learn_read`; masking, aligning and turning lines
into patterns: :mod:`pipeline.corpus.templates`; running it: :mod:`pipeline.corpus.learn_command`.)

A first pass reads the documents (the text as the boilerplate stage will see it), groups them by
site (the site the packaged rules recognise, else the page's domain when ingest knows it, else the
folder holding the file) and counts, per group, the lines at each document's head and tail (and
short lines that repeat inside documents, as running headers do). Each line is first normalised so
that what a template varies does not hide it: the document's own title becomes a slot, digit runs
and hex ids become ``\\d+`` / ``[0-9a-f]+``, and lines that differ elsewhere (an uploader's name, a
category) are aligned character by character into one template with a gap (``.*?``) where they
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

import math
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import regex
from rapidfuzz import fuzz, process

from ..rules import RuleSet
from .learn_match import TemplateShortlist, histogram
from .learn_read import MIDDLE_MAX_CHARS, DocLines, read_for_learning
from .templates import (
    GAP,
    RE_SENTENCE,
    SLOTS,
    TITLE,
    is_prose,
    literal_chars,
    merge_templates,
    template_pattern,
)

MAX_TEMPLATES = 2000
SINGLE_LIFETIME = 24  # documents a line seen once waits for a second one before it is forgotten
MERGE_SCORE = 70.0  # rapidfuzz ratio above which a line may join a template with gaps
MIN_LITERAL = 4  # fixed characters a template needs
MIN_LITERAL_SHARE = 0.3  # of an example's length
MAX_DOCS_KEPT = 40  # documents remembered per template, for the repost check
MAX_GROUPS = 1000  # groups counted at once; past it the smallest is dropped


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
    where: float = 0.0  # sum over documents of where it first occurs (0: first line, 1: last)

    def see(self, doc: int, raw: str, at_edge: bool, count: int, where: float = 0.0) -> None:
        """Count one document's occurrences of this template."""
        self.occurrences += count
        self.at_edge += count if at_edge else 0
        if self.last_doc != doc:
            self.where += where
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
        self.where += other.where
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
    where: float = 0.0  # mean place in the documents (0: first line, 1: last): the file reads like a page


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
        self._born: dict[int, list[str]] = {}  # document → the candidates it started
        self._shortlist: TemplateShortlist | None = None  # the templates as the current document found them

    def add(self, doc: DocLines) -> None:
        """Count one document's candidate lines (past the sample, only the group's size grows)."""
        self.seen += 1
        if self.docs >= self.sample_docs:
            return
        index = self.docs
        self.docs += 1
        self.prose.append(doc.prose)
        self._shortlist = None
        for key, raw, at_edge, count, where in doc.candidates:
            template = self._find(key, index)
            if template is not None:
                template.see(index, raw, at_edge, count, where)
        self._shortlist = None
        self._expire(index - SINGLE_LIFETIME)
        if len(self.templates) > MAX_TEMPLATES:
            self._prune(index)

    def _find(self, key: str, doc: int) -> Template | None:
        """The template ``key`` belongs to: an exact one, else one it aligns with (re-keyed), else a new one."""
        if key in self.templates:
            return self.templates[key]
        if literal_chars(key) < MIN_LITERAL:
            return None
        others = self._others(key, doc)
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
        self._born.setdefault(doc, []).append(key)
        return template

    def _others(self, key: str, doc: int) -> list[str]:
        """The templates (in order) that ``key`` may join, those document ``doc`` already saw left out,
        shortlisted (:mod:`pipeline.corpus.learn_match`) to those that may reach ``MERGE_SCORE``.

        A template this document has not touched still has the key and the place it had when the
        document began (merging re-keys and moves only the template it touches), so the shortlist
        of the templates at the document's start serves all its lines.
        """
        if self._shortlist is None:
            self._shortlist = TemplateShortlist(list(self.templates))
        others = []
        for candidate in self._shortlist.candidates(key, MERGE_SCORE):
            template = self.templates.get(candidate)
            if template is not None and template.last_doc != doc:
                others.append(candidate)
        return others

    def _expire(self, doc: int) -> None:
        """Drop the candidates document ``doc`` started that no later document has shared: a line of a
        template returns within a few documents, a line of one document's body never does."""
        for key in self._born.pop(doc, ()):
            template = self.templates.get(key)
            if template is not None and template.docs <= 1:
                del self.templates[key]

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
                    where=template.where / max(1, template.docs),
                )
                chosen.append(found)
        chosen.sort(key=lambda item: (not item.applied, item.where))
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
        from ..write import write_text

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
        "# Each rule drops a whole line that fully matches its pattern; '.*?' stands for what varied between",
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
    try:
        for doc in _read_all(list(found), tuple(rule_dirs), workers, timeout):
            learner.add(doc)
    finally:
        histogram.cache_clear()
    return learner.write(outdir), learner.errors


def _read_all(
    found: list[tuple[str, str]], rule_dirs: tuple[str, ...], workers: int, timeout: float | None
) -> Iterator[DocLines]:
    """Each document's lines, in order; in worker processes when there are many."""
    if workers <= 1 or len(found) < 32:
        for path, rel in found:
            yield read_for_learning(path, rule_dirs, rel, timeout)
        return
    from .engines import mp_context

    with mp_context().Pool(workers) as pool:
        chunk = max(1, min(64, len(found) // (8 * workers)))
        tasks = [(path, rule_dirs, rel, timeout) for path, rel in found]
        yield from pool.imap(_read_task, tasks, chunksize=chunk)


def _read_task(args: tuple[str, tuple[str, ...], str, float | None]) -> DocLines:
    return read_for_learning(*args)
